import { z } from 'zod';
import type { ServerStatus } from '../../shared/status';

/**
 * zod mirror of src/shared/status.ts, so a client checks a status reply before it trusts it.
 * Loose objects: optional fields a newer server adds pass through to the caller untouched.
 */

const memberStatus = z.looseObject({
  host: z.string(),
  hostid: z.string(),
  port: z.number().int().nullable(),
  rank: z.enum(['primary', 'secondary', 'tertiary', 'single']),
  up: z.boolean(),
  master: z.boolean(),
  self: z.boolean(),
  heartbeatRttMs: z.number().nullable(),
  heartbeatAgeMs: z.number().nullable(),
  heartbeatLossPercent: z.number().nullable(),
  problem: z.string().nullable(),
});

const vendorStatus = z.looseObject({
  name: z.string(),
  up: z.boolean(),
  version: z.string(),
  problem: z.string().nullable(),
});

const userStatus = z.looseObject({
  user: z.string(),
  host: z.string(),
  display: z.string(),
  version: z.string(),
  server: z.string(),
  port: z.number().int(),
  handle: z.number().int(),
  startedAt: z.number(),
  count: z.number().int(),
  linger: z.object({ total: z.number(), remaining: z.number() }).nullable(),
});

const featureStatus = z.looseObject({
  name: z.string(),
  vendor: z.string(),
  version: z.string(),
  expiry: z.string(),
  issued: z.number().int().nullable(),
  inUse: z.number().int(),
  kind: z.enum(['floating', 'uncounted', 'nodelocked', 'user-based']),
  lockedTo: z.string().nullable(),
  vendorString: z.string().nullable(),
  served: z.boolean(),
  notServedReason: z.string().nullable(),
  users: z.array(userStatus),
  reservations: z.array(z.object({ count: z.number().int(), type: z.string(), name: z.string() })),
});

const diskStatus = z.looseObject({
  folder: z.string(),
  freeBytes: z.number(),
  totalBytes: z.number(),
  reusableBytes: z.number(),
  warnBelowBytes: z.number(),
  refuseGrantsBelowBytes: z.number(),
  state: z.enum(['ok', 'low', 'refusing', 'full']),
  message: z.string().nullable(),
  checkedAt: z.number(),
});

export const serverStatusSchema: z.ZodType<ServerStatus> = z.looseObject({
  takenAt: z.number(),
  version: z.string(),
  host: z.string(),
  port: z.number().int(),
  licenseFiles: z.array(z.string()),
  mode: z.enum(['single', 'triad', 'uncounted']),
  role: z.enum(['master', 'standby', 'no-quorum', 'stopped']),
  master: z.string().nullable(),
  quorum: z.boolean(),
  members: z.array(memberStatus),
  vendors: z.array(vendorStatus),
  features: z.array(featureStatus),
  warnings: z.array(z.string()),
  // a server from before issue 15 sends none
  optionsProblems: z
    .array(
      z.looseObject({
        severity: z.enum(['error', 'warning']),
        file: z.string(),
        line: z.number().int(),
        column: z.number().int(),
        message: z.string(),
        hint: z.string(),
      }),
    )
    .default([]),
  notServing: z.string().nullable().optional(),
  seatsFrom: z.object({ master: z.string().nullable() }).nullable().optional(),
  disk: diskStatus.optional(),
});
