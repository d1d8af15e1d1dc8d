import { readFileSync } from 'node:fs';
import { normaliseFingerprints, type ClientTls } from '../protocol/tlsPin';

/**
 * How a command-line client learns to talk TLS: `--tls-fingerprint` / `--tls-ca FILE`, else the
 * environment (`TRIAD_TLS_FINGERPRINT`, `TRIAD_TLS_CA`), so lmdown and scripts work alike.
 * undefined: plain TCP. Throws an Error that says what to fix.
 */
export function clientTlsFrom(flags: { tlsCa?: string; tlsFingerprint?: string }, env: NodeJS.ProcessEnv): ClientTls | undefined {
  const fingerprint = flags.tlsFingerprint ?? (env.TRIAD_TLS_FINGERPRINT?.trim() || undefined);
  const caFile = flags.tlsCa ?? (env.TRIAD_TLS_CA?.trim() || undefined);
  if (fingerprint === undefined && caFile === undefined) return undefined;
  if (fingerprint !== undefined && normaliseFingerprints(fingerprint) === null) {
    throw new Error(
      `TLS fingerprint "${fingerprint}" is not a SHA-256 fingerprint, or a comma-separated list of them (one per triad member): ` +
        '64 hex digits each, as `openssl x509 -noout -fingerprint -sha256 -in server.crt` prints',
    );
  }
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the TLS CA file ${caFile}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return { ...(ca !== undefined ? { ca } : {}), ...(fingerprint !== undefined ? { fingerprint } : {}) };
}
