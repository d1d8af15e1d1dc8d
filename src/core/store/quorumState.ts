/**
 * What a triad member must remember across restarts (QUORUM.md "persistent state"): the highest
 * epoch seen, its vote in the latest epoch it voted in, and the replicated op log with its commit
 * index. Every write is committed (and, with synchronous=FULL, on disk) when the call returns,
 * so the quorum engine can answer the peer right after.
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface LogEntry {
  epoch: number;
  /** 1-based, contiguous. */
  idx: number;
  /** The op as the quorum engine defines it; stored as JSON. */
  op: unknown;
}

export interface QuorumPersistentState {
  epoch: number;
  /** The vote cast in `votedFor.epoch`; null when it never voted. */
  votedFor: { epoch: number; member: string } | null;
  commitIndex: number;
  /** The triad this state belongs to (null until it joined one). */
  triadId: string | null;
  /** The member lost state and catches up before it votes again. */
  learner: boolean;
}

/** Where the log was compacted: entries up to `index` are gone (the lease table holds their effect). */
export interface QuorumSnapshot {
  index: number;
  /** The epoch of the entry at `index`. */
  epoch: number;
  /** The last license switch entry at or before `index`, kept for a restart. */
  lastSwitch: LogEntry | null;
}

export interface QuorumStateRepository {
  state(): QuorumPersistentState;
  /** Never lowers the epoch (a stale caller cannot undo a newer one). */
  setEpoch(epoch: number): void;
  /** Records the vote and raises the epoch to it, atomically. */
  vote(epoch: number, member: string): void;
  setCommitIndex(commitIndex: number): void;
  setStanding(triadId: string | null, learner: boolean): void;
  /** Back to the state of a member that never joined a triad (epoch 0, no vote, no triad, no snapshot). */
  reset(): void;
  /** Appends entries whose indexes continue the log (or its snapshot); throws on a gap (a bug in the caller). */
  append(entries: readonly LogEntry[]): void;
  /** Deletes entries with idx >= fromIdx (a conflicting uncommitted suffix). */
  truncateFrom(fromIdx: number): void;
  /** Entries with idx >= fromIdx, in order, at most `limit`. */
  readFrom(fromIdx: number, limit?: number): LogEntry[];
  /** The last entry's epoch and index (the snapshot's when no entry follows it), or null when the log is empty. */
  last(): { epoch: number; idx: number } | null;
  /** License switch entries up to `toIdx` still in the log, in order (from a partial index, not a scan of the log). */
  licenseSwitchesUpTo(toIdx: number): LogEntry[];
  snapshot(): QuorumSnapshot;
  /**
   * Deletes the entries up to `snapshot.index` and records the snapshot instead. A snapshot at
   * index 0 only clears what was recorded (the entries are deleted with truncateFrom).
   */
  compact(snapshot: QuorumSnapshot): void;
}

interface StateRow {
  epoch: number;
  voted_epoch: number | null;
  voted_for: string | null;
  commit_index: number;
  triad_id: string | null;
  learner: number;
}

interface SnapshotRow {
  snapshot_index: number;
  snapshot_epoch: number;
  snapshot_switch: string | null;
}

interface LogRow {
  epoch: number;
  idx: number;
  op: string;
}

const fromRow = (row: LogRow): LogEntry => ({ epoch: row.epoch, idx: row.idx, op: JSON.parse(row.op) as unknown });

/** Its WHERE term repeats the partial index's (migration 2), so SQLite reads the index, not the log. */
export const licenseSwitchesSql = "SELECT epoch, idx, op FROM quorum_log WHERE json_extract(op, '$.kind') = 'licenseSwitch' AND idx <= ? ORDER BY idx";

export function createQuorumStateRepository(db: BetterSqlite3.Database): QuorumStateRepository {
  const selectState = db.prepare<[], StateRow>('SELECT epoch, voted_epoch, voted_for, commit_index, triad_id, learner FROM quorum_state WHERE id = 1');
  const updateStanding = db.prepare('UPDATE quorum_state SET triad_id = ?, learner = ? WHERE id = 1');
  const resetState = db.prepare(
    'UPDATE quorum_state SET epoch = 0, voted_epoch = NULL, voted_for = NULL, commit_index = 0, triad_id = NULL, learner = 0, ' +
      'snapshot_index = 0, snapshot_epoch = 0, snapshot_switch = NULL WHERE id = 1',
  );
  const selectSnapshot = db.prepare<[], SnapshotRow>('SELECT snapshot_index, snapshot_epoch, snapshot_switch FROM quorum_state WHERE id = 1');
  const updateSnapshot = db.prepare('UPDATE quorum_state SET snapshot_index = ?, snapshot_epoch = ?, snapshot_switch = ? WHERE id = 1');
  const deleteUpTo = db.prepare('DELETE FROM quorum_log WHERE idx <= ?');
  const raiseEpoch = db.prepare('UPDATE quorum_state SET epoch = MAX(epoch, ?) WHERE id = 1');
  const recordVote = db.prepare('UPDATE quorum_state SET epoch = MAX(epoch, ?), voted_epoch = ?, voted_for = ? WHERE id = 1');
  const updateCommit = db.prepare('UPDATE quorum_state SET commit_index = ? WHERE id = 1');
  const insert = db.prepare('INSERT INTO quorum_log (idx, epoch, op) VALUES (?, ?, ?)');
  const truncate = db.prepare('DELETE FROM quorum_log WHERE idx >= ?');
  const readRange = db.prepare<[number, number], LogRow>('SELECT epoch, idx, op FROM quorum_log WHERE idx >= ? ORDER BY idx LIMIT ?');
  const selectLast = db.prepare<[], { epoch: number; idx: number }>('SELECT epoch, idx FROM quorum_log ORDER BY idx DESC LIMIT 1');
  const selectSwitches = db.prepare<[number], LogRow>(licenseSwitchesSql);

  const readSnapshot = (): QuorumSnapshot => {
    const row = selectSnapshot.get();
    if (!row) throw new Error('quorum_state row missing: the database was modified outside Triad.');
    const lastSwitch = row.snapshot_switch === null ? null : (JSON.parse(row.snapshot_switch) as LogEntry);
    return { index: row.snapshot_index, epoch: row.snapshot_epoch, lastSwitch };
  };
  const last = (): { epoch: number; idx: number } | null => {
    const row = selectLast.get();
    if (row) return row;
    const snapshot = readSnapshot();
    return snapshot.index > 0 ? { epoch: snapshot.epoch, idx: snapshot.index } : null;
  };

  const compact = db.transaction((snapshot: QuorumSnapshot) => {
    deleteUpTo.run(snapshot.index);
    updateSnapshot.run(snapshot.index, snapshot.epoch, snapshot.lastSwitch === null ? null : JSON.stringify(snapshot.lastSwitch));
  });

  const append = db.transaction((entries: readonly LogEntry[]) => {
    let expected = (last()?.idx ?? 0) + 1;
    for (const entry of entries) {
      if (entry.idx !== expected) throw new Error(`Quorum log append out of order: expected index ${expected}, got ${entry.idx}.`);
      insert.run(entry.idx, entry.epoch, JSON.stringify(entry.op));
      expected += 1;
    }
  });

  return {
    state() {
      const row = selectState.get();
      if (!row) throw new Error('quorum_state row missing: the database was modified outside Triad.');
      return {
        epoch: row.epoch,
        votedFor: row.voted_epoch === null || row.voted_for === null ? null : { epoch: row.voted_epoch, member: row.voted_for },
        commitIndex: row.commit_index,
        triadId: row.triad_id,
        learner: row.learner === 1,
      };
    },
    setStanding(triadId, learner) {
      updateStanding.run(triadId, learner ? 1 : 0);
    },
    reset() {
      resetState.run();
    },
    setEpoch(epoch) {
      raiseEpoch.run(epoch);
    },
    vote(epoch, member) {
      recordVote.run(epoch, epoch, member);
    },
    setCommitIndex(commitIndex) {
      updateCommit.run(commitIndex);
    },
    append(entries) {
      append(entries);
    },
    truncateFrom(fromIdx) {
      truncate.run(fromIdx);
    },
    readFrom(fromIdx, limit = Number.MAX_SAFE_INTEGER) {
      return readRange.all(fromIdx, limit).map(fromRow);
    },
    last,
    licenseSwitchesUpTo(toIdx) {
      return selectSwitches.all(toIdx).map(fromRow);
    },
    snapshot: readSnapshot,
    compact(snapshot) {
      compact(snapshot);
    },
  };
}
