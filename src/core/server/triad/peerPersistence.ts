import {
  RANK_NAMES,
  type AppliedState,
  type CastVote,
  type LogCompaction,
  type LogEntry,
  type LogReader,
  type LogWrite,
  type PersistedHardState,
  type PersistedQuorumState,
} from '../../quorum';
import type { Store } from '../../store';

/**
 * Where a triad member keeps what must survive a restart (QUORUM.md): the store's quorum tables.
 * Every write is synchronous SQLite, so a Ready's writes are durable before the driver performs
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
 * The persisted state for a restart: the hard state, the snapshot the log was compacted to, and
 * the log's newest entries (at least `tailEntries` of them, and every uncommitted one). Older
 * entries stay on disk for `storedLogReader`; the lease table already holds their effect (it is
 * written with the commit index), and holds the effect of the compacted ones too.
 */
export function loadQuorumState(store: Store, memberKeys: readonly string[], tailEntries = Number.POSITIVE_INFINITY): PersistedQuorumState {
  const hard = store.quorum.state();
  const snapshot = store.quorum.snapshot();
  const lastIndex = store.quorum.last()?.idx ?? 0;
  const logBase = Math.max(snapshot.index, Math.min(hard.commitIndex, lastIndex - tailEntries));
  return {
    epoch: hard.epoch,
    votedFor: storedVote(hard.votedFor, memberKeys),
    triadId: hard.triadId,
    learner: hard.learner,
    log: storedLogReader(store)(logBase + 1, Number.MAX_SAFE_INTEGER),
    logBase,
    snapshot: { index: snapshot.index, epoch: snapshot.epoch },
    switchesBeforeBase: [...(snapshot.lastSwitch ? [snapshot.lastSwitch] : []), ...store.quorum.licenseSwitchesUpTo(logBase)].map(toLogEntry),
    commitIndex: hard.commitIndex,
  };
}

/**
 * The applied state a snapshot sends: the lease table and the commit index it is written with,
 * read together. Seats in lease-id order, so two sendings of one snapshot cut the same frames.
 */
export function storedAppliedState(store: Store): () => AppliedState {
  const byLeaseId = (a: { leaseId: string }, b: { leaseId: string }) => (a.leaseId < b.leaseId ? -1 : a.leaseId > b.leaseId ? 1 : 0);
  return () => ({ index: store.quorum.state().commitIndex, leases: store.leases.list().sort(byLeaseId) });
}

/** Writes a compaction the machine decided (QuorumMachine.compactLog). */
export function saveCompaction(store: Store, compaction: LogCompaction): void {
  store.quorum.compact({ index: compaction.index, epoch: compaction.epoch, lastSwitch: compaction.lastSwitch && toRow(compaction.lastSwitch) });
}

/** Reads quorum log entries back from the store (for entries that left the engine's memory). */
export function storedLogReader(store: Store): LogReader {
  return (from, count) => store.quorum.readFrom(from, count).map(toLogEntry);
}

const toLogEntry = (row: { epoch: number; idx: number; op: unknown }): LogEntry => ({ epoch: row.epoch, index: row.idx, op: row.op as LogEntry['op'] });
const toRow = (entry: LogEntry) => ({ epoch: entry.epoch, idx: entry.index, op: entry.op });

/**
/**
 * The log writes and hard state of one event-loop turn (Ready step 1), in one transaction (a
 * savepoint of the caller's): the log changes in order (consecutive appends as one insert run; a
 * snapshot deletes the log up to its index, and after it unless kept, and records itself), then
 * the hard state once, the newest. The lease table is the caller's (it is replaced by the last
 * snapshot of the turn). True when it wrote what must be on disk before the turn's messages leave
 * (QUORUM.md "persistent state": entries, a vote, an epoch, the triad and learner standing, a
 * snapshot); a commit index alone is not (a restart learns it again from the log's quorum).
 */
export function saveQuorumState(store: Store, writes: readonly LogWrite[], last: PersistedHardState | null): boolean {
  if (!last) return false;
  return store.transaction(() => saveTurn(store.quorum, writes, last));
}

function saveTurn(quorum: Store['quorum'], writes: readonly LogWrite[], last: PersistedHardState): boolean {
  let mustSync = false;
  let appending: LogEntry[] = [];
  const flushAppends = () => {
    if (appending.length > 0) quorum.append(appending.map(toRow));
    appending = [];
  };
  for (const write of writes) {
    if (write.type === 'snapshot') {
      mustSync = true;
      flushAppends();
      quorum.compact({ index: write.index, epoch: write.epoch, lastSwitch: write.lastSwitch && toRow(write.lastSwitch) });
      if (!write.keepLogAfter) quorum.truncateFrom(write.index + 1);
      continue;
    }
    if (write.truncateFrom !== null) {
      flushAppends();
      quorum.truncateFrom(write.truncateFrom);
    }
    mustSync ||= write.truncateFrom !== null || write.entries.length > 0;
    appending.push(...write.entries);
  }
  flushAppends();
  const before = quorum.state();
  if (before.epoch < last.epoch) {
    quorum.setEpoch(last.epoch);
    mustSync = true;
  }
  const vote = last.votedFor;
  if (vote && (before.votedFor?.epoch !== vote.epoch || before.votedFor.member !== vote.member)) {
    quorum.vote(vote.epoch, vote.member);
    mustSync = true;
  }
  if (before.commitIndex !== last.commitIndex) quorum.setCommitIndex(last.commitIndex);
  if (before.triadId !== last.triadId || before.learner !== last.learner) {
    quorum.setStanding(last.triadId, last.learner);
    mustSync = true;
  }
  return mustSync;
}
