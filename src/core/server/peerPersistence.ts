import { RANK_NAMES, type CastVote, type LogEntry, type LogReader, type PersistedQuorumState, type QuorumEffect } from '../quorum';
import type { Store } from '../store';

/**
 * Where a triad member keeps what must survive a restart (QUORUM.md): the store's quorum tables.
 * Every write is synchronous SQLite, so a `persist` effect is durable before the driver performs
 * the sends that follow it.
 */

/**
 * Votes are stored by the member's host identity. A store written before that kept the rank's
 * name ('primary'...): read it as the member on that SERVER line now.
 */
function storedVote(vote: { epoch: number; member: string } | null, memberKeys: readonly string[]): CastVote | null {
  if (!vote) return null;
  const legacyRank = RANK_NAMES.indexOf(vote.member as (typeof RANK_NAMES)[number]);
  return { epoch: vote.epoch, member: legacyRank < 0 ? vote.member : memberKeys[legacyRank]! };
}

/**
 * The persisted state for a restart: the hard state and the log's newest entries (at least
 * `tailEntries` of them, and every uncommitted one). Older entries stay on disk for
 * `storedLogReader`; the lease table already holds their effect (it is written with the commit index).
 */
export function loadQuorumState(store: Store, memberKeys: readonly string[], tailEntries = Number.POSITIVE_INFINITY): PersistedQuorumState {
  const hard = store.quorum.state();
  const lastIndex = store.quorum.last()?.idx ?? 0;
  const logBase = Math.max(0, Math.min(hard.commitIndex, lastIndex - tailEntries));
  return {
    epoch: hard.epoch,
    votedFor: storedVote(hard.votedFor, memberKeys),
    triadId: hard.triadId,
    learner: hard.learner,
    log: storedLogReader(store)(logBase + 1, Number.MAX_SAFE_INTEGER),
    logBase,
    switchesBeforeBase: store.quorum.licenseSwitchesUpTo(logBase).map(toLogEntry),
    commitIndex: hard.commitIndex,
  };
}

/** Reads quorum log entries back from the store (for entries that left the engine's memory). */
export function storedLogReader(store: Store): LogReader {
  return (from, count) => store.quorum.readFrom(from, count).map(toLogEntry);
}

const toLogEntry = (row: { epoch: number; idx: number; op: unknown }): LogEntry => ({ epoch: row.epoch, index: row.idx, op: row.op as LogEntry['op'] });

type PersistEffect = Extract<QuorumEffect, { type: 'persist' }>;

/**
 * The persist effects of one event-loop turn, in one transaction: the log changes in order
 * (consecutive appends as one insert run), then the hard state once, as the last effect has it
 * (each effect carries the whole hard state, so the last one is the newest).
 */
export function saveQuorumState(store: Store, effects: readonly PersistEffect[]): void {
  const last = effects.at(-1);
  if (!last) return;
  store.transaction(() => {
    const quorum = store.quorum;
    let appending: LogEntry[] = [];
    const flushAppends = () => {
      if (appending.length > 0) quorum.append(appending.map((entry) => ({ epoch: entry.epoch, idx: entry.index, op: entry.op })));
      appending = [];
    };
    for (const effect of effects) {
      if (effect.truncateFrom !== null) {
        flushAppends();
        quorum.truncateFrom(effect.truncateFrom);
      }
      appending.push(...effect.append);
    }
    flushAppends();
    quorum.setEpoch(last.epoch);
    const before = quorum.state();
    const vote = last.votedFor;
    if (vote && (before.votedFor?.epoch !== vote.epoch || before.votedFor.member !== vote.member)) quorum.vote(vote.epoch, vote.member);
    if (before.commitIndex !== last.commitIndex) quorum.setCommitIndex(last.commitIndex);
    if (before.triadId !== last.triadId || before.learner !== last.learner) quorum.setStanding(last.triadId, last.learner);
  });
}
