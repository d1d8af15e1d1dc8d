import os from 'node:os';
import path from 'node:path';

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

export const ADMIN_TOKEN_FILE = 'admin.token';
