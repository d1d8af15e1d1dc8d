import { z } from 'zod';
import type { Lease } from './types';

/**
 * A seat as the lease table stores it. Ops and snapshot seats reach a member from its peers, so
 * each is checked before it touches the table. Text is bounded well above anything real (a pool
 * key holds the line's VENDOR_STRING); the frame limit bounds the whole.
 */
const text = z.string().max(65_536);
const count = z.number().int().nonnegative();
export const leaseSchema = z.strictObject({
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
  count,
  grantedAt: z.number().int(),
  resumeToken: text,
  clientId: text,
  server: text,
  handle: count,
  lingerSeconds: count,
  lingerUntilMs: z.number().int().nullable(),
}) satisfies z.ZodType<Lease>;

/**
 * A release: `atMs` on the wall clock of `by`, the master that accepted it (every member's report
 * row names it). `by` is absent in ops logged before it was recorded.
 */
const release = { leaseId: text.min(1), atMs: z.number().finite(), by: text.optional() };

/** Every change to the set of held seats. The log orders them; the master applies them. */
export const leaseOpSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('grant'), lease: leaseSchema }),
  z.strictObject({ kind: z.literal('checkin'), ...release }),
  z.strictObject({ kind: z.literal('reclaim'), ...release }),
  z.strictObject({ kind: z.literal('remove'), ...release }),
]);
export type LeaseOp = z.infer<typeof leaseOpSchema>;
