import { afterEach, describe, expect, it } from 'vitest';
import type { QuorumEffect } from '../../../src/core/quorum';
import { loadQuorumState, saveQuorumState, storedLogReader } from '../../../src/core/server/peerPersistence';
import { openStore } from '../../../src/core/store';
import { makeTempDir } from '../../support/tempDir';

type Persist = Extract<QuorumEffect, { type: 'persist' }>;

const temps: (() => void)[] = [];
afterEach(() => temps.splice(0).forEach((remove) => remove()));

const entry = (epoch: number, index: number) => ({ epoch, index, op: { kind: 'grant' as const, payload: { leaseId: `L${index}` } } });

describe('triad persistence in the store', () => {
  it.each([
    ['one turn each', (effects: Persist[]) => effects.map((effect) => [effect])],
    ['all in one turn (appends merged, hard state written once)', (effects: Persist[]) => [effects]],
  ])('brings back exactly what the persist effects wrote, across a reopen: %s', (_name, turns) => {
    const temp = makeTempDir('triad-quorum-store-');
    temps.push(temp.remove);
    const effects: Persist[] = [
      {
        type: 'persist',
        epoch: 1,
        votedFor: { epoch: 1, rank: 0 },
        commitIndex: 0,
        promisedUntil: 0,
        truncateFrom: null,
        append: [entry(1, 1), entry(1, 2), entry(1, 3)],
      },
      { type: 'persist', epoch: 2, votedFor: { epoch: 2, rank: 1 }, commitIndex: 1, promisedUntil: 5000, truncateFrom: 3, append: [entry(2, 3)] },
      { type: 'persist', epoch: 2, votedFor: { epoch: 2, rank: 1 }, commitIndex: 3, promisedUntil: 9000, truncateFrom: null, append: [] },
    ];
    const store = openStore(temp.dir);
    for (const turn of turns(effects)) saveQuorumState(store, turn);
    store.close();
    const reopened = openStore(temp.dir);
    expect(loadQuorumState(reopened)).toEqual({
      epoch: 2,
      votedFor: { epoch: 2, rank: 1 },
      log: [entry(1, 1), entry(1, 2), entry(2, 3)],
      logBase: 0,
      switchesBeforeBase: [],
      commitIndex: 3,
      promisedUntil: 9000,
    });
    reopened.close();
  });

  it('loads only the newest entries of a long log, with the license switches before them, and reads the rest back', () => {
    const temp = makeTempDir('triad-quorum-store-');
    temps.push(temp.remove);
    const identity = (hash: string) => ({ licenseHash: hash, serverOrder: ['a', 'b', 'c'] });
    const switchTo = (epoch: number, index: number, from: string, to: string) => ({
      epoch,
      index,
      op: { kind: 'licenseSwitch' as const, payload: { text: to }, identity: identity(to), previous: identity(from) },
    });
    const log = [entry(1, 1), switchTo(1, 2, 'v0', 'v1'), entry(1, 3), switchTo(1, 4, 'v1', 'v2'), entry(1, 5), entry(1, 6), entry(1, 7)];
    const store = openStore(temp.dir);
    saveQuorumState(store, [{ type: 'persist', epoch: 1, votedFor: null, commitIndex: 6, promisedUntil: 0, truncateFrom: null, append: log }]);
    // two newest entries asked for; the uncommitted 7th is loaded whatever the tail
    expect(loadQuorumState(store, 2)).toMatchObject({ logBase: 5, log: log.slice(5), switchesBeforeBase: [log[1], log[3]], commitIndex: 6 });
    // the base never passes the commit index: uncommitted entries are always in memory
    expect(loadQuorumState(store, 0)).toMatchObject({ logBase: 6, log: log.slice(6) });
    expect(storedLogReader(store)(2, 3)).toEqual(log.slice(1, 4));
    store.close();
  });
});
