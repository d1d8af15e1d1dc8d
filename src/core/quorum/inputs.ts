import type { PeerMessage } from './messages';
import type { LicenseIdentity, PersistedQuorumState, Rank, ReplicatedOp } from './types';

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
  /** Master only: replicate `op`; the answer comes in a Ready's `answers`, with `requestId`. */
  | { type: 'clientOp'; nowMs: number; requestId: string; op: ReplicatedOp }
  /** lmdown on this member: stops all three. */
  | { type: 'shutdown'; nowMs: number }
  /** lmreread done on this member: the other two reread as well. */
  | { type: 'reread'; nowMs: number }
  /** This member now serves another license file (import, reread). */
  | { type: 'licenseChanged'; nowMs: number; identity: LicenseIdentity };

export type QuorumRole = 'follower' | 'candidate' | 'master';
