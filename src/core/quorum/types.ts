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

/** Exactly what survives a restart (QUORUM.md "Members and persistent state"). */
export interface PersistedQuorumState {
  epoch: number;
  /** The vote cast in `votedFor.epoch`; only the one in the current epoch matters. */
  votedFor: { epoch: number; rank: Rank } | null;
  /** The log from index `logBase + 1` to its end (a restart need not load older entries). */
  log: LogEntry[];
  /**
   * Entries up to here are not in `log`: they are committed, read back through the config's
   * `logReader` when needed, and already applied to the driver's state (it keeps the lease table
   * as of the commit index), so a restart replays only what follows. At most `commitIndex`.
   */
  logBase: number;
  /**
   * The license switches among the entries up to `logBase`, in order. A restart reinstalls a
   * switch the license file on disk missed (a crash right after the commit), as replaying the
   * whole log would.
   */
  switchesBeforeBase: LogEntry[];
  commitIndex: number;
  /**
   * Wall-clock ms until which this member promised its master not to vote for anyone else (an
   * addition to QUORUM.md's list): a member that crashed and came back at once must keep the
   * promise, or the old master's lease and a new master could overlap. Written ahead in steps
   * of E, so it costs one write per E, not one per heartbeat.
   */
  promisedUntil: number;
}

export const emptyPersistedState: PersistedQuorumState = {
  epoch: 0,
  votedFor: null,
  log: [],
  logBase: 0,
  switchesBeforeBase: [],
  commitIndex: 0,
  promisedUntil: 0,
};

/** What the engine keeps of the persisted state besides the log (which is a LogWindow). */
export type PersistedHardState = Omit<PersistedQuorumState, 'log' | 'logBase' | 'switchesBeforeBase'>;

export interface QuorumConfig {
  self: Rank;
  /** SERVER-line hosts by rank, for log lines and redirects. */
  hosts: readonly [string, string, string];
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
  /** Opaque proof for Hello/Shutdown/Reread; the driver checks it on the way in. */
  auth: string;
  /** Daemon names for debug-log lines: lmgrd's, and the vendor daemon's (e.g. `ibmratl`). */
  daemons: { lmgrd: string; vendor: string };
  /**
   * Reads persisted entries back, so that committed entries can leave memory (`releaseMemory`).
   * Without one the whole log stays in memory.
   */
  logReader?: LogReader;
  /** Committed entries kept in memory behind the newest applied one (default 8,192). */
  logMemoryEntries?: number;
}
