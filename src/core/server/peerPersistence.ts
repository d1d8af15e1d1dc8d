import { z } from 'zod';
import { RANK_NAMES, type LogEntry, type PersistedQuorumState, type QuorumEffect, type Rank } from '../quorum';
import type { Store } from '../store';

/**
 * Where a triad member keeps what must survive a restart (QUORUM.md): the store's quorum tables,
 * plus the promise deadline in settings. Every write is synchronous SQLite, so a `persist` effect
 * is durable before the driver performs the sends that follow it.
 */

const PROMISED_UNTIL_KEY = 'quorum.promisedUntil';

const rankOfName = (name: string): Rank | null => {
  const index = RANK_NAMES.indexOf(name as (typeof RANK_NAMES)[number]);
  return index < 0 ? null : (index as Rank);
};

export function loadQuorumState(store: Store): PersistedQuorumState {
  const hard = store.quorum.state();
  const voted = hard.votedFor ? rankOfName(hard.votedFor.member) : null;
  const log: LogEntry[] = store.quorum.readFrom(1).map((row) => ({ epoch: row.epoch, index: row.idx, op: row.op as LogEntry['op'] }));
  return {
    epoch: hard.epoch,
    votedFor: hard.votedFor && voted !== null ? { epoch: hard.votedFor.epoch, rank: voted } : null,
    log,
    commitIndex: hard.commitIndex,
    promisedUntil: store.settings.read(PROMISED_UNTIL_KEY, z.number(), 0),
  };
}

export function saveQuorumState(store: Store, effect: Extract<QuorumEffect, { type: 'persist' }>): void {
  store.transaction(() => {
    const quorum = store.quorum;
    quorum.setEpoch(effect.epoch);
    const before = quorum.state();
    const vote = effect.votedFor;
    if (vote && (before.votedFor?.epoch !== vote.epoch || before.votedFor.member !== RANK_NAMES[vote.rank])) {
      quorum.vote(vote.epoch, RANK_NAMES[vote.rank]);
    }
    if (effect.truncateFrom !== null) quorum.truncateFrom(effect.truncateFrom);
    if (effect.append.length > 0) quorum.append(effect.append.map((entry) => ({ epoch: entry.epoch, idx: entry.index, op: entry.op })));
    if (before.commitIndex !== effect.commitIndex) quorum.setCommitIndex(effect.commitIndex);
    if (store.settings.get(PROMISED_UNTIL_KEY) !== effect.promisedUntil) store.settings.set(PROMISED_UNTIL_KEY, effect.promisedUntil);
  });
}
