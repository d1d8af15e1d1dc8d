/** The server's data directory: created on first use, private to its OS user on POSIX. */
import { chmodSync, mkdirSync } from 'node:fs';
import { StoreError } from './storeError';

/**
 * Creates the directory with mode 0700. An existing directory keeps its mode: `--data /tmp`
 * run as root must not lock everyone else out of /tmp.
 */
export function ensureDataDir(dataDir: string): void {
  try {
    const created = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (created !== undefined && process.platform !== 'win32') chmodSync(dataDir, 0o700);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(`Cannot use data directory ${dataDir}: ${reason}. Choose a directory this user can write (--data DIR).`);
  }
}
