import { describe, expect, it } from 'vitest';
import { BatchedWriter } from '../../../src/core/server/batchedWriter';
import { LogSync } from '../../../src/core/server/logSync';
import type { Store } from '../../../src/core/store';
import { useTempStores } from '../store/tempStore';

const temp = useTempStores();
const row = (message: string) => ({ timeMs: 1, daemon: 'lmgrd', message });

/** The store's WAL fsyncs, held until the test releases them. */
function heldSyncs(store: Store) {
  const held: (() => void)[] = [];
  const sync = new LogSync({ syncLog: () => new Promise<void>((resolve) => held.push(resolve)), syncLogNow: () => store.syncLogNow() });
  return { sync, held };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('BatchedWriter', () => {
  it('commits a turn of writes together and answers only once the fsync after the commit is done', async () => {
    const store = temp.open();
    const { sync, held } = heldSyncs(store);
    const writer = new BatchedWriter(store, sync);
    let answered = 0;
    writer.write(() => store.debugLog.append(row('not awaited')));
    for (const name of ['a', 'b']) void writer.commit(() => store.debugLog.append(row(name))).then(() => answered++);
    await turn();
    // committed (readable) but not yet on disk: nobody has heard "done"
    expect(store.debugLog.query().map((r) => r.message)).toEqual(['not awaited', 'a', 'b']);
    expect(held).toHaveLength(1);
    expect(answered).toBe(0);
    held[0]();
    await turn();
    expect(answered).toBe(2);
  });

  it('rejects only the write that failed, with its error, and answers the rest', async () => {
    const store = temp.open();
    const { sync, held } = heldSyncs(store);
    const writer = new BatchedWriter(store, sync);
    const good = writer.commit(() => store.debugLog.append(row('fine')));
    const bad = writer.commit(() => {
      throw new Error('constraint failed');
    });
    await turn();
    held[0]();
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('constraint failed');
  });

  it('flush() commits what is queued and makes it durable at once (shutdown)', async () => {
    const store = temp.open();
    const { sync } = heldSyncs(store);
    const writer = new BatchedWriter(store, sync);
    let answered = false;
    void writer.commit(() => store.debugLog.append(row('last words'))).then(() => (answered = true));
    writer.flush();
    await Promise.resolve();
    expect(answered).toBe(true);
    expect(store.debugLog.query().map((r) => r.message)).toEqual(['last words']);
  });

  it('tells writeFailed about each write that failed on its own (a full disk), before its waiter hears', async () => {
    const store = temp.open();
    const { sync, held } = heldSyncs(store);
    const heard: string[] = [];
    const writer = new BatchedWriter(store, sync, (error) => heard.push(error.message));
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const bad = writer.commit(() => {
      throw full;
    });
    const good = writer.commit(() => store.debugLog.append(row('fine')));
    await turn();
    expect(heard).toEqual(['database or disk is full']);
    held[0]();
    await expect(bad).rejects.toBe(full);
    await expect(good).resolves.toBeUndefined();
  });
});
