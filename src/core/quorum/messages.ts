import type { LogEntry, Rank } from './types';

/**
 * What peers say to each other (QUORUM.md, last section). Additions to the sketch, each needed
 * for safety or liveness:
 * - Heartbeat/HeartbeatAck carry the license identity ("compare hashes in every heartbeat");
 *   Heartbeat says whether its sender is master, because every member sends heartbeats (so each
 *   knows the other two are alive) but only a master's ask for a promise;
 * - HeartbeatAck says whether the receiver promised (only those extend the master's lease);
 * - PreVoteReply echoes the epoch it answers, so a late reply cannot start a later election;
 * - RequestVote carries the candidate's commit index (the voter's suffix starts after it: a
 *   committed prefix is the same everywhere, so the candidate can adopt the suffix safely) and a
 *   `transfer` flag (PRIMARY_IS_MASTER hand-over: the old master has already given up its lease);
 * - TransferTo carries the epoch, so a stale one is ignored;
 * - hello, heartbeats and acks say which triad the sender belongs to and whether it is a learner
 *   (MemberStanding), and the license hash it switched from: a member that missed a distributed
 *   switch and one that applied it still recognise each other (the switch is in the other's log);
 * - Append carries the master's triad id, so a member joining learns it with the first entries.
 * - InstallSnapshot (QUORUM.md amendments, "Compaction"): the sender's applied state as of
 *   `index`, for a member behind the sender's compacted log, cut into frames (`chunk`, `last`).
 *   A master sends it instead of an append (`master: true`; answered with an AppendAck); a voter
 *   sends it to a candidate right before its vote, when the suffix the candidate lacks starts
 *   inside the voter's snapshot (the vote's suffix then continues from `index + 1`).
 */

/** Who a member is in the triad, sent with every hello, heartbeat and acknowledgement. */
export interface MemberStanding {
  triadId: string | null;
  learner: boolean;
  /** Its log holds a committed entry: its triad id is settled (README I3). */
  committed: boolean;
  licenseHash: string;
  serverOrder: string[];
  /** The license hash of the file this one replaced by a distributed switch, if any. */
  switchedFrom: string | null;
}

export type PeerMessage =
  | ({ type: 'hello'; rank: Rank; epoch: number } & MemberStanding)
  | ({ type: 'heartbeat'; epoch: number; commitIndex: number; sentAt: number; master: boolean } & MemberStanding)
  | ({ type: 'heartbeatAck'; epoch: number; sentAt: number; lastIndex: number; promised: boolean } & MemberStanding)
  | { type: 'preVote'; epoch: number; lastLogEpoch: number; lastLogIndex: number }
  /** `retryInMs`: a refusal says when the voter's promise to its master ends (0: no hint). */
  | { type: 'preVoteReply'; epoch: number; granted: boolean; retryInMs: number }
  | { type: 'requestVote'; epoch: number; lastLogEpoch: number; lastLogIndex: number; commitIndex: number; transfer: boolean }
  | { type: 'vote'; epoch: number; granted: boolean; lastLogEpoch: number; lastLogIndex: number; suffix: LogEntry[] }
  | { type: 'append'; epoch: number; triadId: string | null; prevIndex: number; prevEpoch: number; ops: LogEntry[]; commitIndex: number }
  | { type: 'appendAck'; epoch: number; lastIndex: number; ok: boolean; learner: boolean }
  | {
      type: 'installSnapshot';
      epoch: number;
      triadId: string | null;
      master: boolean;
      /** The commit index the state is as of, and the epoch of its entry. */
      index: number;
      entryEpoch: number;
      /** The last license switch at or before `index` (first frame only; null in the others). */
      lastSwitch: LogEntry | null;
      chunk: number;
      last: boolean;
      /** The driver's lease table rows, in order, cut across the frames. */
      leases: unknown[];
    }
  | { type: 'transferTo'; rank: Rank; epoch: number }
  | { type: 'shutdown'; epoch: number }
  | { type: 'reread'; epoch: number };
