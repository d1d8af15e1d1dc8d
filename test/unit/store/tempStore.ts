import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type Store } from '../../../src/core/store';

/** Opens stores in fresh temporary data directories, closed and removed after each test. */
export function useTempStores(): { open: (dir?: string) => Store; newDir: () => string } {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const newDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'triad-store-'));
    dirs.push(dir);
    return dir;
  };
  return {
    newDir,
    open: (dir = newDir()) => {
      const store = openStore(dir);
      stores.push(store);
      return store;
    },
  };
}
