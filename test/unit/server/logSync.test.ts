import { describe, expect, it } from 'vitest';
import { LogSync } from '../../../src/core/server/logSync';

/** A store whose WAL fsyncs finish when the test says so. */
function fakeStore() {
  const syncs: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let syncedNow = 0;
  return {
    syncs,
    syncedNow: () => syncedNow,
    store: {
      syncLog: () => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })),
      syncLogNow: () => {
        syncedNow++;
      },
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LogSync', () => {
  it('runs a callback only after an fsync that started after it, in registration order', async () => {
    const fake = fakeStore();
    const sync = new LogSync(fake.store);
    const heard: string[] = [];
    sync.afterSync((error) => heard.push(`a:${error}`));
    sync.afterSync(() => heard.push('b'));
    // two fsyncs in flight at most: c waits for a slot
    sync.afterSync(() => heard.push('c'));
    expect(fake.syncs).toHaveLength(2);
    // the second fsync finishes first: it started after a's commit too, so both a and b are durable
    fake.syncs[1].resolve();
    await settle();
    expect(heard).toEqual(['a:null', 'b']);
    // c had no fsync yet: one starts for it now
    expect(fake.syncs).toHaveLength(3);
    fake.syncs[0].resolve();
    await settle();
    expect(heard).toEqual(['a:null', 'b']);
    fake.syncs[2].resolve();
    await settle();
    expect(heard).toEqual(['a:null', 'b', 'c']);
  });

  it('hands a failed fsync to the callbacks it covered and goes on with the next', async () => {
    const fake = fakeStore();
    const sync = new LogSync(fake.store);
    const heard: (string | null)[] = [];
    sync.afterSync((error) => heard.push(error?.message ?? null));
    fake.syncs[0].reject(new Error('EIO'));
    await settle();
    sync.afterSync((error) => heard.push(error?.message ?? null));
    fake.syncs[1].resolve();
    await settle();
    expect(heard).toEqual(['EIO', null]);
  });

  it('runs every callback even when one throws, and keeps syncing', async () => {
    const fake = fakeStore();
    const thrown: unknown[] = [];
    const sync = new LogSync(fake.store, (error) => thrown.push(error));
    const heard: string[] = [];
    sync.afterSync(() => heard.push('first'));
    sync.afterSync(() => {
      throw new Error('listener bug');
    });
    sync.afterSync(() => heard.push('third'));
    fake.syncs[1].resolve();
    await settle();
    fake.syncs[2].resolve();
    await settle();
    sync.afterSync(() => heard.push('later'));
    fake.syncs[3].resolve();
    await settle();
    expect(heard).toEqual(['first', 'third', 'later']);
    expect(thrown).toEqual([new Error('listener bug')]);
  });

  it('syncNow fsyncs on this thread and runs every pending callback, once', async () => {
    const fake = fakeStore();
    const sync = new LogSync(fake.store);
    const heard: string[] = [];
    sync.afterSync(() => heard.push('in flight'));
    sync.afterSync(() => heard.push('also in flight'));
    sync.afterSync(() => heard.push('waiting'));
    sync.syncNow();
    expect(fake.syncedNow()).toBe(1);
    expect(heard).toEqual(['in flight', 'also in flight', 'waiting']);
    // the fsyncs that were in flight finish later and find nothing left to run
    fake.syncs[0].resolve();
    fake.syncs[1].resolve();
    await settle();
    expect(heard).toEqual(['in flight', 'also in flight', 'waiting']);
    sync.syncNow();
    expect(fake.syncedNow()).toBe(1);
  });
});
