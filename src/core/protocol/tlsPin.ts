/**
 * Certificate pinning by SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it
 * (`AB:CD:...`); colons, spaces and case are layout. A pinned client trusts exactly the server
 * certificates it names, self-signed or not, without a CA: a triad's three members, each with
 * its own certificate, are pinned with a comma-separated list.
 */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/^sha256\s*fingerprint\s*=\s*/i, '').replace(/[\s:]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : null;
}

/** A comma-separated list of fingerprints (`--tls-fingerprint A,B,C`); null when one of them is not one. */
export function normaliseFingerprints(text: string): string[] | null {
  const each = text.split(',').map((part) => part.trim()).filter((part) => part !== '').map(normaliseFingerprint);
  return each.length > 0 && each.every((fingerprint) => fingerprint !== null) ? (each as string[]) : null;
}

/** `AB:CD:...`, the layout openssl prints and users compare by eye. */
export function displayFingerprint(hex: string): string {
  return hex.match(/../g)?.join(':') ?? hex;
}

/** Client-side TLS: pin the server certificates' fingerprints, or trust certificates a CA signed. */
export interface ClientTls {
  /** PEM of the CA (or the server certificate itself) to verify the chain against. */
  ca?: string;
  /** SHA-256 fingerprints of the servers' certificates, comma-separated (any layout normaliseFingerprint accepts). */
  fingerprint?: string;
}
