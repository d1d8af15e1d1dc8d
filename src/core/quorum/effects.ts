import type { PeerMessage } from './messages';
import type { LicenseIdentity, LogEntry, PersistedQuorumState, Rank, ReplicatedOp } from './types';

/** Everything that happens to a member, with the member's own clock reading. */
export type QuorumInput =
  /**
   * The process starts with what its disk holds. `diskReplaced`: the disk is not the one this
   * member last ran on (restored from a copy): what it says may be older than what the member
   * acknowledged or voted, so it joins as a learner.
   */
  | { type: 'restart'; nowMs: number; persisted: PersistedQuorumState; diskReplaced?: boolean }
  | { type: 'tick'; nowMs: number }
  | { type: 'peerConnected'; nowMs: number; rank: Rank }
  | { type: 'peerDisconnected'; nowMs: number; rank: Rank }
  | { type: 'message'; nowMs: number; from: Rank; message: PeerMessage }
  /** Master only: replicate `op`; the answer comes as `commit` or `opFailed` with `requestId`. */
  | { type: 'clientOp'; nowMs: number; requestId: string; op: ReplicatedOp }
  /** lmdown on this member: stops all three. */
  | { type: 'shutdown'; nowMs: number }
  /** lmreread done on this member: the other two reread as well. */
  | { type: 'reread'; nowMs: number }
  /** This member now serves another license file (import, reread). */
  | { type: 'licenseChanged'; nowMs: number; identity: LicenseIdentity };

export type QuorumRole = 'follower' | 'candidate' | 'master';

/**
 * What the driver must do, in order. `persist` comes before the sends that depend on it, so the
 * driver flushes it synchronously before sending on.
 */
export type QuorumEffect =
  | { type: 'send'; to: Rank; message: PeerMessage }
  | {
      type: 'persist';
      epoch: number;
      votedFor: PersistedQuorumState['votedFor'];
      triadId: string | null;
      learner: boolean;
      commitIndex: number;
      /** Delete log entries from this index on before appending; null keeps them. */
      truncateFrom: number | null;
      append: LogEntry[];
    }
  /**
   * Replace the applied state (the lease table) with `leases`, as of `index`, in the same
   * transaction as the persist effects around it: delete the log up to `index` (and after it too
   * unless `keepLogAfter`), and record the snapshot point and `lastSwitch` with it. The persist
   * effect that follows carries the new commit index. Index 0 with no leases starts this member
   * over (its log belonged to another triad).
   */
  | { type: 'installSnapshot'; index: number; epoch: number; lastSwitch: LogEntry | null; leases: unknown[]; keepLogAfter: boolean }
  | { type: 'roleChanged'; role: QuorumRole; masterRank: Rank | null }
  /**
   * Apply `op` to the lease table. After a restart every committed op is replayed from index 1,
   * so the driver rebuilds its table from these. `requestId` is set on the master that accepted it.
   */
  | { type: 'commit'; index: number; op: ReplicatedOp; requestId: string | null }
  /** A distributed license file reached this member: install `payload`; peers now compare `identity`. */
  | { type: 'installLicense'; payload: unknown; identity: LicenseIdentity }
  /** The client's op did not happen (or its fate is unknown): tell it to retry at the master. */
  | { type: 'opFailed'; requestId: string; reason: string }
  | { type: 'log'; daemon: string; message: string }
  /** Whether this member now serves clients; the driver still asks `canServe(now)` per request. */
  | { type: 'serving'; serving: boolean }
  | { type: 'shutdown' }
  | { type: 'reread' };
