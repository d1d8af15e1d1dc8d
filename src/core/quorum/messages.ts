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
 */

/** Who a member is in the triad, sent with every hello, heartbeat and acknowledgement. */
export interface MemberStanding {
  triadId: string | null;
  learner: boolean;
  licenseHash: string;
  serverOrder: string[];
  /** The license hash of the file this one replaced by a distributed switch, if any. */
  switchedFrom: string | null;
}

export type PeerMessage =
  | ({ type: 'hello'; rank: Rank; epoch: number; auth: string } & MemberStanding)
  | ({ type: 'heartbeat'; epoch: number; commitIndex: number; sentAt: number; master: boolean } & MemberStanding)
  | ({ type: 'heartbeatAck'; epoch: number; sentAt: number; lastIndex: number; promised: boolean } & MemberStanding)
  | { type: 'preVote'; epoch: number; lastLogEpoch: number; lastLogIndex: number }
  /** `retryInMs`: a refusal says when the voter's promise to its master ends (0: no hint). */
  | { type: 'preVoteReply'; epoch: number; granted: boolean; retryInMs: number }
  | { type: 'requestVote'; epoch: number; lastLogEpoch: number; lastLogIndex: number; commitIndex: number; transfer: boolean }
  | { type: 'vote'; epoch: number; granted: boolean; lastLogEpoch: number; lastLogIndex: number; suffix: LogEntry[] }
  | { type: 'append'; epoch: number; triadId: string | null; prevIndex: number; prevEpoch: number; ops: LogEntry[]; commitIndex: number }
  | { type: 'appendAck'; epoch: number; lastIndex: number; ok: boolean; learner: boolean }
  | { type: 'transferTo'; rank: Rank; epoch: number }
  | { type: 'shutdown'; epoch: number; auth: string }
  | { type: 'reread'; epoch: number; auth: string };
