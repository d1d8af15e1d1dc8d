import { clientTlsFrom } from '../core/client/clientTls';
import type { ClientTls } from '../core/protocol/tlsPin';
import { CliError } from './cliError';

/** `--tls-ca` / `--tls-fingerprint` (or their environment variables) as client options; a bad one is a CliError. */
export function tlsOrFail(flags: { tlsCa?: string; tlsFingerprint?: string }): ClientTls | undefined {
  try {
    return clientTlsFrom(flags, process.env);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), 2);
  }
}
