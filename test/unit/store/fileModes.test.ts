import { chmodSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFile, openStore } from '../../../src/core/store';
import { makeTempDir } from '../../support/tempDir';

/**
 * Issue 20: the database and its write-ahead log hold who used which license (and the triad's
 * votes); they were created 0644, readable by every user of the server machine. Only the
 * server's own user may read them, whatever the umask.
 */

const temp = makeTempDir('triad-modes-');
afterEach(() => temp.remove());
const modeOf = (file: string) => statSync(file).mode & 0o777;

describe.skipIf(process.platform === 'win32')('database file modes', () => {
  it('creates the database, its WAL and shared-memory files 0600 under a permissive umask', () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = path.join(temp.dir, 'fresh');
      const store = openStore(dataDir);
      store.settings.set('probe', 'x');
      for (const suffix of ['', '-wal', '-shm']) expect(modeOf(path.join(dataDir, databaseFile + suffix)).toString(8), suffix).toBe('600');
      store.close();
    } finally {
      process.umask(previous);
    }
  });

  it('tightens a database an earlier version left readable by others', () => {
    const dataDir = path.join(temp.dir, 'old');
    openStore(dataDir).close();
    const file = path.join(dataDir, databaseFile);
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '');
    chmodSync(`${file}-wal`, 0o644);
    const store = openStore(dataDir);
    expect(modeOf(file).toString(8)).toBe('600');
    expect(modeOf(`${file}-wal`).toString(8)).toBe('600');
    store.close();
  });
});
