import { z } from 'zod';

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

const count = z.number().int().nonnegative();
const rank = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const hash = z.string().max(256);
const serverOrder = z.array(z.string().max(256)).max(3);
const time = z.number().finite();
const identity = z.strictObject({ licenseHash: hash, serverOrder });
const triadId = z.string().max(64).nullable();

/** Who a member is in the triad, sent with every hello, heartbeat and acknowledgement. */
const standing = {
  triadId,
  learner: z.boolean(),
  /** Its log holds a committed entry: its triad id is settled (README I3). */
  committed: z.boolean(),
  licenseHash: hash,
  serverOrder,
  /** The license hash of the file this one replaced by a distributed switch, if any. */
  switchedFrom: hash.nullable(),
};
export type MemberStanding = z.infer<z.ZodObject<typeof standing>>;

/**
 * What the driver puts in a message, which the engine only carries: a lease change's payload
 * and a snapshot's seats. The driver validates them with its own schemas (`peerMessageSchemaFor`);
 * the engine's own type leaves them unknown.
 */
export interface PeerPayloadSchemas<Op extends z.ZodType, Seat extends z.ZodType> {
  leaseChange: Op;
  seat: Seat;
}

/**
 * Every peer message as a zod schema: a peer frame is untrusted input like any other, and one that
 * does not match closes that peer link only.
 */
export function peerMessageSchemaFor<Op extends z.ZodType, Seat extends z.ZodType>(payloads: PeerPayloadSchemas<Op, Seat>) {
  const logEntry = z.strictObject({
    epoch: count,
    /** 1-based and contiguous. */
    index: z.number().int().positive(),
    op: z.union([
      z.strictObject({ kind: z.literal('noop') }),
      z.strictObject({ kind: z.enum(['grant', 'checkin', 'reclaim', 'remove']), payload: payloads.leaseChange }),
      // the license file is checked where it is installed (a damaged one is logged, not fatal)
      z.strictObject({ kind: z.literal('licenseSwitch'), payload: z.unknown(), identity, previous: identity }),
    ]),
  });
  return z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('hello'), rank, epoch: count, ...standing }),
    z.strictObject({ type: z.literal('heartbeat'), epoch: count, commitIndex: count, sentAt: time, master: z.boolean(), ...standing }),
    z.strictObject({ type: z.literal('heartbeatAck'), epoch: count, sentAt: time, lastIndex: count, promised: z.boolean(), ...standing }),
    z.strictObject({ type: z.literal('preVote'), epoch: count, lastLogEpoch: count, lastLogIndex: count }),
    /** `retryInMs`: a refusal says when the voter's promise to its master ends (0: no hint). */
    z.strictObject({ type: z.literal('preVoteReply'), epoch: count, granted: z.boolean(), retryInMs: count }),
    z.strictObject({
      type: z.literal('requestVote'),
      epoch: count,
      lastLogEpoch: count,
      lastLogIndex: count,
      commitIndex: count,
      transfer: z.boolean(),
    }),
    z.strictObject({ type: z.literal('vote'), epoch: count, granted: z.boolean(), lastLogEpoch: count, lastLogIndex: count, suffix: z.array(logEntry) }),
    z.strictObject({ type: z.literal('append'), epoch: count, triadId, prevIndex: count, prevEpoch: count, ops: z.array(logEntry), commitIndex: count }),
    z.strictObject({ type: z.literal('appendAck'), epoch: count, lastIndex: count, ok: z.boolean(), learner: z.boolean() }),
    z.strictObject({
      type: z.literal('installSnapshot'),
      epoch: count,
      triadId,
      master: z.boolean(),
      /** The commit index the state is as of, and the epoch of its entry. */
      index: z.number().int().positive(),
      entryEpoch: count,
      /** The last license switch at or before `index` (first frame only; null in the others). */
      lastSwitch: logEntry.nullable(),
      chunk: count.max(65_535),
      last: z.boolean(),
      /** The driver's lease table rows, in order, cut across the frames. */
      leases: z.array(payloads.seat),
    }),
    z.strictObject({ type: z.literal('transferTo'), rank, epoch: count }),
    z.strictObject({ type: z.literal('shutdown'), epoch: count }),
    z.strictObject({ type: z.literal('reread'), epoch: count }),
  ]);
}

/** A peer message as the engine sees it (payloads unknown). */
export type PeerMessage = z.infer<ReturnType<typeof peerMessageSchemaFor<z.ZodUnknown, z.ZodUnknown>>>;
