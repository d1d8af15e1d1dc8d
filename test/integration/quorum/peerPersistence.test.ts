import { afterEach, describe, expect, it } from 'vitest';
import type { QuorumEffect } from '../../../src/core/quorum';
import { loadQuorumState, saveCompaction, saveQuorumState, storedAppliedState, storedLogReader } from '../../../src/core/server/triad/peerPersistence';
import { openStore } from '../../../src/core/store';
import { aLease } from '../../support/lease';
import { makeTempDir } from '../../support/tempDir';

type Persist = Extract<QuorumEffect, { type: 'persist' }>;
type InstallSnapshot = Extract<QuorumEffect, { type: 'installSnapshot' }>;

const temps: (() => void)[] = [];
afterEach(() => temps.splice(0).forEach((remove) => remove()));

/** Host ids of the three SERVER lines: votes are stored by these. */
const KEYS = ['0000aaaa0001', '0000bbbb0002', '0000cccc0003'] as const;
const hard = { type: 'persist', votedFor: null, triadId: null, learner: false } as const;

const entry = (epoch: number, index: number) => ({ epoch, index, op: { kind: 'grant' as const, payload: { leaseId: `L${index}` } } });
const identity = (hash: string) => ({ licenseHash: hash, serverOrder: ['a', 'b', 'c'] });
const switchTo = (epoch: number, index: number, from: string, to: string) => ({
  epoch,
  index,
  op: { kind: 'licenseSwitch' as const, payload: { text: to }, identity: identity(to), previous: identity(from) },
});

describe('triad persistence in the store', () => {
  it.each([
    ['one turn each', (effects: Persist[]) => effects.map((effect) => [effect])],
    ['all in one turn (appends merged, hard state written once)', (effects: Persist[]) => [effects]],
  ])('brings back exactly what the persist effects wrote, across a reopen: %s', (_name, turns) => {
    const temp = makeTempDir('triad-quorum-store-');
    temps.push(temp.remove);
    const effects: Persist[] = [
      { ...hard, epoch: 1, votedFor: { epoch: 1, member: KEYS[0] }, commitIndex: 0, truncateFrom: null, append: [entry(1, 1), entry(1, 2), entry(1, 3)] },
      { ...hard, epoch: 2, votedFor: { epoch: 2, member: KEYS[1] }, triadId: 'triad-1', commitIndex: 1, truncateFrom: 3, append: [entry(2, 3)] },
      { ...hard, epoch: 2, votedFor: { epoch: 2, member: KEYS[1] }, triadId: 'triad-1', learner: true, commitIndex: 3, truncateFrom: null, append: [] },
    ];
    const store = openStore(temp.dir);
    for (const turn of turns(effects)) saveQuorumState(store, turn);
    store.close();
    const reopened = openStore(temp.dir);
    expect(loadQuorumState(reopened, KEYS)).toEqual({
      epoch: 2,
      votedFor: { epoch: 2, member: KEYS[1] },
      triadId: 'triad-1',
      learner: true,
      log: [entry(1, 1), entry(1, 2), entry(2, 3)],
      logBase: 0,
      snapshot: { index: 0, epoch: 0 },
      switchesBeforeBase: [],
      commitIndex: 3,
    });
    reopened.close();
  });

  it('reads a vote stored by rank name (before votes were stored by host id) as the member on that SERVER line', () => {
    const temp = makeTempDir('triad-quorum-store-');
    temps.push(temp.remove);
    const store = openStore(temp.dir);
    store.quorum.vote(4, 'secondary');
    expect(loadQuorumState(store, KEYS).votedFor).toEqual({ epoch: 4, member: KEYS[1] });
    store.close();
  });

  it('loads only the newest entries of a long log, with the license switches before them, and reads the rest back', () => {
    const temp = makeTempDir('triad-quorum-store-');
    temps.push(temp.remove);
    const log = [entry(1, 1), switchTo(1, 2, 'v0', 'v1'), entry(1, 3), switchTo(1, 4, 'v1', 'v2'), entry(1, 5), entry(1, 6), entry(1, 7)];
    const store = openStore(temp.dir);
    saveQuorumState(store, [{ ...hard, epoch: 1, commitIndex: 6, truncateFrom: null, append: log }]);
    // two newest entries asked for; the uncommitted 7th is loaded whatever the tail
    expect(loadQuorumState(store, KEYS, 2)).toMatchObject({ logBase: 5, log: log.slice(5), switchesBeforeBase: [log[1], log[3]], commitIndex: 6 });
    // the base never passes the commit index: uncommitted entries are always in memory
    expect(loadQuorumState(store, KEYS, 0)).toMatchObject({ logBase: 6, log: log.slice(6) });
    expect(storedLogReader(store)(2, 3)).toEqual(log.slice(1, 4));
    store.close();
  });

  it('keeps a compacted log across a reopen: the snapshot point, the last switch it dropped, the tail, and appends after it', () => {
    const temp = makeTempDir('triad-quorum-store-');
    temps.push(temp.remove);
    const log = [entry(1, 1), switchTo(1, 2, 'v0', 'v1'), switchTo(2, 3, 'v1', 'v2'), entry(2, 4), switchTo(2, 5, 'v2', 'v3'), entry(2, 6), entry(2, 7)];
    const store = openStore(temp.dir);
    saveQuorumState(store, [{ ...hard, epoch: 2, commitIndex: 6, truncateFrom: null, append: log }]);
    saveCompaction(store, { index: 4, epoch: 2, lastSwitch: log[2] });
    store.close();
    const reopened = openStore(temp.dir);
    expect(reopened.quorum.readFrom(1).map((row) => row.idx)).toEqual([5, 6, 7]);
    expect(loadQuorumState(reopened, KEYS)).toMatchObject({
      logBase: 4,
      snapshot: { index: 4, epoch: 2 },
      log: log.slice(4),
      switchesBeforeBase: [log[2]],
      commitIndex: 6,
    });
    // with a short tail: the switch kept with the snapshot, then the ones still in the log
    expect(loadQuorumState(reopened, KEYS, 1)).toMatchObject({ logBase: 6, log: [log[6]], switchesBeforeBase: [log[2], log[4]] });
    // compacted to its very end, the log goes on from the snapshot
    saveCompaction(reopened, { index: 7, epoch: 2, lastSwitch: log[4] });
    expect(reopened.quorum.last()).toEqual({ epoch: 2, idx: 7 });
    saveQuorumState(reopened, [{ ...hard, epoch: 2, commitIndex: 7, truncateFrom: null, append: [entry(2, 8)] }]);
    expect(loadQuorumState(reopened, KEYS)).toMatchObject({ logBase: 7, snapshot: { index: 7, epoch: 2 }, log: [entry(2, 8)], switchesBeforeBase: [log[4]] });
    expect(() => saveQuorumState(reopened, [{ ...hard, epoch: 2, commitIndex: 7, truncateFrom: null, append: [entry(2, 10)] }])).toThrow(/expected index 9/);
    reopened.close();
  });

  it('installs a snapshot in the turn\'s transaction: log up to it deleted (after it too unless kept), point recorded; reset forgets it', () => {
    const temp = makeTempDir('triad-quorum-store-');
    temps.push(temp.remove);
    const store = openStore(temp.dir);
    saveQuorumState(store, [{ ...hard, epoch: 1, commitIndex: 1, truncateFrom: null, append: [entry(1, 1), entry(1, 2), entry(1, 3)] }]);
    const install = (index: number, keepLogAfter: boolean): InstallSnapshot => ({
      type: 'installSnapshot',
      index,
      epoch: 1,
      lastSwitch: null,
      leases: [],
      keepLogAfter,
    });
    saveQuorumState(store, [install(2, true), { ...hard, epoch: 1, commitIndex: 2, truncateFrom: null, append: [] }]);
    expect(loadQuorumState(store, KEYS)).toMatchObject({ snapshot: { index: 2, epoch: 1 }, log: [entry(1, 3)], commitIndex: 2 });
    saveQuorumState(store, [install(9, false), { ...hard, epoch: 3, commitIndex: 9, truncateFrom: null, append: [entry(3, 10)] }]);
    expect(loadQuorumState(store, KEYS)).toMatchObject({ epoch: 3, snapshot: { index: 9, epoch: 1 }, logBase: 9, log: [entry(3, 10)], commitIndex: 9 });
    store.quorum.truncateFrom(1);
    store.quorum.reset();
    expect(loadQuorumState(store, KEYS)).toMatchObject({ snapshot: { index: 0, epoch: 0 }, log: [], logBase: 0, commitIndex: 0 });
    store.close();
  });

  it('reads the applied state for a snapshot: the seats in lease-id order with the commit index they are written with', () => {
    const temp = makeTempDir('triad-quorum-store-');
    temps.push(temp.remove);
    const store = openStore(temp.dir);
    store.transaction(() => {
      for (const [id, grantedAt] of [['b', 1], ['c', 1], ['a', 2]] as const) store.leases.put(aLease(id, { grantedAt }));
      store.quorum.setCommitIndex(12);
    });
    const applied = storedAppliedState(store)();
    expect(applied.index).toBe(12);
    expect(applied.leases.map((lease) => (lease as { leaseId: string }).leaseId)).toEqual(['a', 'b', 'c']);
    store.close();
  });
});
