/** The server's data directory: created on first use, private to its OS user on POSIX. */
import { chmodSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/**
 * Where a server keeps triad.db, admin.token and cluster.secret when `--data` is not given:
 * Windows `%LOCALAPPDATA%\Triad`, macOS `~/Library/Application Support/Triad`, elsewhere
 * `$XDG_DATA_HOME/triad` or `~/.local/share/triad`. Without a home folder: `./triad-data`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  let home = '';
  try {
    home = os.homedir();
  } catch {
    // no home folder (some service accounts): fall through to ./triad-data
  }
  if (platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'Triad');
  if (!home) return path.resolve('triad-data');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Triad');
  if (platform === 'win32') return path.join(home, 'AppData', 'Local', 'Triad');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'triad');
}
