/**
 * Certificate pinning by SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it
 * (`AB:CD:...`); colons, spaces and case are layout. A pinned client trusts exactly one server
 * certificate, self-signed or not, without a CA.
 */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/^sha256\s*fingerprint\s*=\s*/i, '').replace(/[\s:]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : null;
}

/** Client-side TLS: pin the server certificate's fingerprint, or trust certificates a CA signed. */
export interface ClientTls {
  /** PEM of the CA (or the server certificate itself) to verify the chain against. */
  ca?: string;
  /** SHA-256 fingerprint of the server certificate (any layout normaliseFingerprint accepts). */
  fingerprint?: string;
}
