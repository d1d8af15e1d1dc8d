import type { LogReader } from './logWindow';

/**
 * Plain data of the triad quorum engine (QUORUM.md): ranks, the replicated op log, what a
 * member persists, and its configuration. No behaviour here.
 */

/** SERVER-line order: 0 = primary, 1 = secondary, 2 = tertiary. */
export type Rank = 0 | 1 | 2;
export const RANKS: readonly Rank[] = [0, 1, 2];
export const RANK_NAMES = ['primary', 'secondary', 'tertiary'] as const;

/** Only the primary and the secondary may become master; the tertiary votes and stores. */
export function isEligible(rank: Rank): boolean {
  return rank !== 2;
}

/** A change to the lease table the master replicates; the payload is the driver's business. */
export interface LeaseChangeOp {
  kind: 'grant' | 'checkin' | 'reclaim' | 'remove';
  payload: unknown;
}

/**
 * A license file imported on one member, distributed to all three: each member that still has
 * the `previous` file installs `payload` (the new file) when the op commits and compares
 * `identity` from then on, so the three switch together and a re-key does not break the quorum.
 * A member whose file was changed by hand since then ignores the old switch.
 */
export interface LicenseSwitchOp {
  kind: 'licenseSwitch';
  payload: unknown;
  identity: LicenseIdentity;
  previous: LicenseIdentity;
}

export type ReplicatedOp = LeaseChangeOp | LicenseSwitchOp;

/** A new master's first entry: committing it commits everything it adopted (Raft section 5.4.2). */
export interface NoopOp {
  kind: 'noop';
}

export interface LogEntry {
  epoch: number;
  /** 1-based and contiguous. */
  index: number;
  op: ReplicatedOp | NoopOp;
}

/** Compared in hellos and heartbeats: members with different ones never form a quorum. */
export interface LicenseIdentity {
  licenseHash: string;
  /** SERVER-line hosts in file order. */
  serverOrder: string[];
}

/** A vote as stored: the member it went to by its host identity (`memberKeys`), not its rank. */
export interface CastVote {
  epoch: number;
  member: string;
}

/** Exactly what survives a restart (QUORUM.md "Members and persistent state"). */
export interface PersistedQuorumState {
  epoch: number;
  /** The vote cast in `votedFor.epoch`; only the one in the current epoch matters. */
  votedFor: CastVote | null;
  /**
   * The triad this state belongs to, made by its first master; null until this member has been
   * part of one. A member whose state is empty, or belongs to another triad, joins as a learner.
   */
  triadId: string | null;
  /**
   * This member may have lost state it acknowledged or votes it cast (an empty or replaced disk,
   * a foreign triad): it neither votes nor counts towards a commit or a lease until it has caught
   * up with the current master and heard the epochs of both other members.
   */
  learner: boolean;
  /** The log from index `logBase + 1` to its end (a restart need not load older entries). */
  log: LogEntry[];
  /**
   * Entries up to here are not in `log`: they are committed, read back through the config's
   * `logReader` when needed, and already applied to the driver's state (it keeps the lease table
   * as of the commit index), so a restart replays only what follows. At most `commitIndex`.
   */
  logBase: number;
  /**
   * The log was compacted up to here: entries up to `snapshot.index` are gone from disk too (the
   * lease table holds their effect). At most `logBase`; `{ index: 0, epoch: 0 }` when never.
   */
  snapshot: SnapshotPoint;
  /**
   * The license switches among the entries up to `logBase`, in order (the first may be the last
   * switch before the snapshot, kept with it). A restart reinstalls a switch the license file on
   * disk missed (a crash right after the commit), as replaying the whole log would.
   */
  switchesBeforeBase: LogEntry[];
  commitIndex: number;
}

/**
 * Where a compacted log starts: the index of the last entry dropped and its epoch (the next
 * append's `prevEpoch` is checked against it).
 */
export interface SnapshotPoint {
  index: number;
  epoch: number;
}

/**
 * The applied state as the driver stores it: the commit index it is as of, and its seats. Read
 * together, in one synchronous call, so they agree.
 */
export interface AppliedState {
  index: number;
  leases: unknown[];
}

/** When a member compacts its log and how it sends a snapshot (QuorumConfig.snapshots). */
export interface SnapshotSettings {
  /** Compact once the log holds more than this many entries beyond its snapshot. */
  compactAfterEntries: number;
  /** Committed entries kept behind the applied index (a peer that far behind needs no snapshot). */
  keepEntries: number;
  /** Seats per InstallSnapshot frame are cut to about this many bytes of JSON. */
  chunkBytes: number;
}

export const emptyPersistedState: PersistedQuorumState = {
  epoch: 0,
  votedFor: null,
  triadId: null,
  learner: false,
  log: [],
  logBase: 0,
  snapshot: { index: 0, epoch: 0 },
  switchesBeforeBase: [],
  commitIndex: 0,
};

/** What the engine keeps of the persisted state besides the log (which is a LogWindow). */
export type PersistedHardState = Omit<PersistedQuorumState, 'log' | 'logBase' | 'snapshot' | 'switchesBeforeBase'>;

export interface QuorumConfig {
  self: Rank;
  /** SERVER-line hosts by rank, for log lines and redirects. */
  hosts: readonly [string, string, string];
  /**
   * Each member's host identity by rank (its SERVER line's host id): votes are stored by these,
   * so a rank that moved to another machine is never mistaken for the one that was voted for.
   */
  memberKeys: readonly [string, string, string];
  /** A fresh random id, used as the triad's identity if this member becomes its first master. */
  newTriadId: string;
  /** `s` in milliseconds (HEARTBEAT_INTERVAL= or SERVER_TIMEOUT=, default 1 s). */
  heartbeatIntervalMs: number;
  /**
   * Bound on how much two members' clocks may disagree in rate (e.g. 0.01). Every duration one
   * member promises another is shortened by it.
   */
  driftBound: number;
  /** PRIMARY_IS_MASTER on the first SERVER line. */
  primaryIsMaster: boolean;
  identity: LicenseIdentity;
  /** Daemon names for debug-log lines: lmgrd's, and the vendor daemon's (e.g. `ibmratl`). */
  daemons: { lmgrd: string; vendor: string };
  /**
   * Reads persisted entries back, so that committed entries can leave memory (`releaseMemory`).
   * Without one the whole log stays in memory.
   */
  logReader?: LogReader;
  /** Committed entries kept in memory behind the newest applied one (default 8,192). */
  logMemoryEntries?: number;
  /**
   * Reads the driver's applied state (its lease table), for a peer behind this member's
   * compacted log. Without one the log is never compacted.
   */
  appliedState?: () => AppliedState;
  /** Compaction and snapshot sizes (DEFAULT_SNAPSHOT_SETTINGS when absent). */
  snapshots?: SnapshotSettings;
}
