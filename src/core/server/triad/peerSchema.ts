import { z } from 'zod';
import type { Lease } from '../../pool';
import type { PeerMessage } from '../../quorum';

/**
 * The triad's peer messages (src/core/quorum/messages.ts) as zod schemas: a peer frame is
 * untrusted input like any other, and one that does not match closes that peer link only.
 */

const count = z.number().int().nonnegative();
const rank = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const hash = z.string().max(256);
const serverOrder = z.array(z.string().max(256)).max(3);
const time = z.number().finite();

const identity = z.strictObject({ licenseHash: hash, serverOrder });
const triadId = z.string().max(64).nullable();
const standing = { triadId, learner: z.boolean(), committed: z.boolean(), licenseHash: hash, serverOrder, switchedFrom: hash.nullable() };

const logEntry = z.strictObject({
  epoch: count,
  index: z.number().int().positive(),
  op: z.union([
    z.strictObject({ kind: z.literal('noop') }),
    z.strictObject({ kind: z.enum(['grant', 'checkin', 'reclaim', 'remove']), payload: z.unknown() }),
    z.strictObject({ kind: z.literal('licenseSwitch'), payload: z.unknown(), identity, previous: identity }),
  ]),
});

/**
 * A seat as the lease table stores it: an InstallSnapshot's rows replace the receiver's table, so
 * each must be one the table can hold. Text is bounded well above anything real (a pool key holds
 * the line's VENDOR_STRING); the frame limit bounds the whole.
 */
const text = z.string().max(65_536);
export const snapshotLeaseSchema = z.strictObject({
  leaseId: text.min(1),
  poolKey: text,
  feature: text,
  vendor: text,
  version: text,
  user: text,
  host: text,
  display: text,
  ip: text,
  project: text.nullable(),
  count: count,
  grantedAt: z.number().int(),
  resumeToken: text,
  clientId: text,
  server: text,
  handle: count,
  lingerSeconds: count,
  lingerUntilMs: z.number().int().nullable(),
}) satisfies z.ZodType<Lease>;

export const peerMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), rank, epoch: count, auth: z.string().max(512), ...standing }),
  z.strictObject({ type: z.literal('heartbeat'), epoch: count, commitIndex: count, sentAt: time, master: z.boolean(), ...standing }),
  z.strictObject({ type: z.literal('heartbeatAck'), epoch: count, sentAt: time, lastIndex: count, promised: z.boolean(), ...standing }),
  z.strictObject({ type: z.literal('preVote'), epoch: count, lastLogEpoch: count, lastLogIndex: count }),
  z.strictObject({ type: z.literal('preVoteReply'), epoch: count, granted: z.boolean(), retryInMs: count }),
  z.strictObject({ type: z.literal('requestVote'), epoch: count, lastLogEpoch: count, lastLogIndex: count, commitIndex: count, transfer: z.boolean() }),
  z.strictObject({ type: z.literal('vote'), epoch: count, granted: z.boolean(), lastLogEpoch: count, lastLogIndex: count, suffix: z.array(logEntry) }),
  z.strictObject({ type: z.literal('append'), epoch: count, triadId, prevIndex: count, prevEpoch: count, ops: z.array(logEntry), commitIndex: count }),
  z.strictObject({ type: z.literal('appendAck'), epoch: count, lastIndex: count, ok: z.boolean(), learner: z.boolean() }),
  z.strictObject({
    type: z.literal('installSnapshot'),
    epoch: count,
    triadId,
    master: z.boolean(),
    index: z.number().int().positive(),
    entryEpoch: count,
    lastSwitch: logEntry.nullable(),
    chunk: count.max(65_535),
    last: z.boolean(),
    leases: z.array(snapshotLeaseSchema),
  }),
  z.strictObject({ type: z.literal('transferTo'), rank, epoch: count }),
  z.strictObject({ type: z.literal('shutdown'), epoch: count, auth: z.string().max(512) }),
  z.strictObject({ type: z.literal('reread'), epoch: count, auth: z.string().max(512) }),
]) satisfies z.ZodType<PeerMessage>;

const licenseFile = { fileName: z.string().min(1).max(260), text: z.string().max(8_000_000) };

/**
 * A licenseSwitch op's payload: the license file as the admin imported it on the master, and
 * (`files`) every license file the members serve from now on; without `files` (an older master)
 * the one file replaces all others.
 */
export const distributedLicenseSchema = z.strictObject({ ...licenseFile, files: z.array(z.strictObject(licenseFile)).min(1).max(64).optional() });
export type DistributedLicense = z.infer<typeof distributedLicenseSchema>;
