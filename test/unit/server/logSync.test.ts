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
    expect(fake.syncs).toHaveLength(1);
    // registered while the first fsync is in flight: that fsync may not cover its commit
    sync.afterSync(() => heard.push('b'));
    sync.afterSync(() => heard.push('c'));
    expect(fake.syncs).toHaveLength(1);
    fake.syncs[0].resolve();
    await settle();
    expect(heard).toEqual(['a:null']);
    // one fsync for everything that waited meanwhile
    expect(fake.syncs).toHaveLength(2);
    fake.syncs[1].resolve();
    await settle();
    expect(heard).toEqual(['a:null', 'b', 'c']);
    expect(fake.syncs).toHaveLength(2);
  });

  it('a failed fsync is final: its callbacks, the waiting ones and every later one hear it, and the owner once', async () => {
    const fake = fakeStore();
    const failures: string[] = [];
    const sync = new LogSync(fake.store, (error) => failures.push(error.message));
    const heard: (string | null)[] = [];
    sync.afterSync((error) => heard.push(error?.message ?? null));
    sync.afterSync((error) => heard.push(error?.message ?? null));
    fake.syncs[0].reject(new Error('EIO'));
    await settle();
    sync.afterSync((error) => heard.push(error?.message ?? null));
    expect(heard).toEqual(['EIO', 'EIO', 'EIO']);
    // no fsync is tried after the failure: the disk may have dropped what it could not write
    expect(fake.syncs).toHaveLength(1);
    expect(failures).toEqual(['EIO']);
  });

  it('runs every callback even when one throws, and keeps syncing', async () => {
    const fake = fakeStore();
    const thrown: unknown[] = [];
    const sync = new LogSync(fake.store, () => {}, (error) => thrown.push(error));
    const heard: string[] = [];
    sync.afterSync(() => heard.push('first'));
    sync.afterSync(() => {
      throw new Error('listener bug');
    });
    sync.afterSync(() => heard.push('third'));
    fake.syncs[0].resolve();
    await settle();
    fake.syncs[1].resolve();
    await settle();
    sync.afterSync(() => heard.push('later'));
    fake.syncs[2].resolve();
    await settle();
    expect(heard).toEqual(['first', 'third', 'later']);
    expect(thrown).toEqual([new Error('listener bug')]);
  });

  it('syncNow fsyncs on this thread and runs what is in flight and what waits, once', async () => {
    const fake = fakeStore();
    const sync = new LogSync(fake.store);
    const heard: string[] = [];
    sync.afterSync(() => heard.push('in flight'));
    sync.afterSync(() => heard.push('waiting'));
    sync.syncNow();
    expect(fake.syncedNow()).toBe(1);
    expect(heard).toEqual(['in flight', 'waiting']);
    // the fsync that was in flight finishes later and finds nothing left to run
    fake.syncs[0].resolve();
    await settle();
    expect(heard).toEqual(['in flight', 'waiting']);
    sync.syncNow();
    expect(fake.syncedNow()).toBe(1);
  });
});
