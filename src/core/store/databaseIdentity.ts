import { statSync } from 'node:fs';
import type { Store } from './store';

/**
 * Is this database file the one this server last ran on? A file put back from a backup or copied
 * from elsewhere is a new file (new inode, new birth time), and the state in it may be older than
 * what the server acknowledged or voted since. A triad member started on such a file rejoins as a
 * learner. A snapshot revert of a whole virtual machine keeps the file's identity and is not
 * detected here: treat it as a replaced disk (move the data folder aside) — see the README.
 */

const KEY = 'database.fileIdentity';

function identityOf(path: string): string | null {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.ino}:${stat.birthtimeNs}`;
  } catch {
    return null;
  }
}

/** True when the file differs from the one recorded at the last start (never on a first start). */
export function databaseReplaced(store: Store): boolean {
  const recorded = store.settings.get(KEY);
  const current = identityOf(store.path);
  return typeof recorded === 'string' && current !== null && recorded !== current;
}

/** Records this file as the one the server runs on (after what a replaced file implies is durable). */
export function recordDatabaseIdentity(store: Store): void {
  const current = identityOf(store.path);
  if (current !== null && store.settings.get(KEY) !== current) store.settings.set(KEY, current);
}
