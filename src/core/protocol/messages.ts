import { z } from 'zod';
import { serverStatusSchema } from './statusSchema';
import { printable } from '../../shared/controlChars';

/**
 * Every message that crosses the license port (DESIGN.md section 4, docs/PROTOCOL.md), as zod
 * schemas. A request that does not match its schema closes that one connection with an `error`
 * frame (requests are strict: an unknown field is refused). Server messages are read leniently:
 * fields a newer server adds are dropped, so a server can grow a message without breaking
 * clients (docs/PROTOCOL.md, "Compatibility").
 *
 * Requests carry a numeric `id` that the reply echoes, so a client may pipeline requests.
 * Peer traffic (role `peer`) is not described here: after the hello the connection is handed to
 * the triad's peer hook, which validates its own messages.
 */

export const PROTOCOL_VERSION = 1;

// names end up in the debug log, exports and lmstat's terminal output: one line, no escapes
const name = printable(z.string().min(1).max(256));
const text = printable(z.string().max(256));
const requestId = z.number().int().nonnegative();
const leaseId = z.string().min(1).max(128);
const token = z.string().max(256);

export const helloSchema = z.strictObject({
  type: z.literal('hello'),
  version: z.number().int().positive(),
  role: z.enum(['client', 'admin', 'peer']),
  /** Free text naming the program (`triad lmdown`), recorded in the audit table. */
  agent: text.optional(),
});

/** What a user asks for: the client checkout API's input, the checkout message's body, the pool's question. */
const checkoutRequestSchema = z.strictObject({
  feature: name,
  /** Lowest version the client accepts; FlexLM grants from a line whose version is >= this. */
  version: z.string().regex(/^\d+(\.\d+)?$/).max(32),
  count: z.number().int().min(1).max(1_000_000),
  user: name,
  host: name,
  display: text,
});

const checkoutSchema = z.strictObject({
  type: z.literal('checkout'),
  id: requestId,
  ...checkoutRequestSchema.shape,
  /** Given when reconnecting after a lost connection or a failover: keeps the same seat. */
  resumeToken: z.string().min(1).max(128).optional(),
});

const heartbeatSchema = z.strictObject({
  type: z.literal('heartbeat'),
  id: requestId,
  leaseIds: z.array(leaseId).max(1024),
});

/**
 * A seat is checked in (and heartbeated) by the connection it was granted on; another connection
 * must give the seat's resume token as well (after a reconnect, resuming with a checkout first
 * makes the new connection the holder).
 */
const checkinSchema = z.strictObject({ type: z.literal('checkin'), id: requestId, leaseId, resumeToken: z.string().min(1).max(128).optional() });
const statusSchema = z.strictObject({ type: z.literal('status'), id: requestId });

const lmdownSchema = z.strictObject({
  type: z.literal('lmdown'),
  id: requestId,
  token: token.optional(),
  force: z.boolean().optional(),
});
const lmrereadSchema = z.strictObject({ type: z.literal('lmreread'), id: requestId, token: token.optional() });
/** lmremove names the seats by holder (user, host and display), or one seat by its handle (`lmremove -h`). */
const lmremoveSchema = z
  .strictObject({
    type: z.literal('lmremove'),
    id: requestId,
    token: token.optional(),
    feature: name,
    user: name.optional(),
    host: name.optional(),
    display: text.optional(),
    handle: z.number().int().positive().optional(),
  })
  .refine((r) => (r.handle !== undefined) !== (r.user !== undefined && r.host !== undefined && r.display !== undefined), {
    message: 'lmremove names either user, host and display, or a handle',
  });

/** lmswitch (`log: 'debug'`) / lmswitchr (`log: 'report'`): rotate that log into an archive file now. */
const lmswitchSchema = z.strictObject({ type: z.literal('lmswitch'), id: requestId, token: token.optional(), log: z.enum(['debug', 'report']) });

/** What a client (role `client`) may send after its hello. Clients may also ask for status. */
export const clientRequestSchema = z.discriminatedUnion('type', [checkoutSchema, heartbeatSchema, checkinSchema, statusSchema]);
/** What an admin tool (role `admin`) may send: the client requests plus the lmutil commands. */
export const adminConnectionRequestSchema = z.discriminatedUnion('type', [
  checkoutSchema,
  heartbeatSchema,
  checkinSchema,
  statusSchema,
  lmdownSchema,
  lmrereadSchema,
  lmremoveSchema,
  lmswitchSchema,
]);

export type Hello = z.infer<typeof helloSchema>;
export type ConnectionRole = Hello['role'];
export type CheckoutRequest = z.infer<typeof checkoutRequestSchema>;
export type CheckoutMessage = z.infer<typeof checkoutSchema>;
export type ClientRequest = z.infer<typeof clientRequestSchema>;
/** Any request the license port answers: a client request or an admin command (only admin connections send those). */
export type LicenseRequest = z.infer<typeof adminConnectionRequestSchema>;
export type AdminCommand = Extract<LicenseRequest, { type: 'lmdown' | 'lmreread' | 'lmremove' | 'lmswitch' }>;

// ---------------------------------------------------------------- server -> client
// z.object, not z.strictObject: unknown fields are ignored (see the top of this file)

const welcomeSchema = z.object({
  type: z.literal('welcome'),
  version: z.number().int(),
  /** SERVER-line host and port of the member that answered. */
  server: z.string(),
  port: z.number().int(),
  serverVersion: z.string(),
});

const grantedSchema = z.object({
  type: z.literal('granted'),
  id: requestId,
  leaseId,
  /** Sent back in a checkout to keep this seat after a lost connection (so it fits that field). */
  resumeToken: z.string().min(1).max(128),
  feature: z.string(),
  /** Version of the pool that granted the seat. */
  version: z.string(),
  count: z.number().int(),
  /** The client sends a heartbeat at least this often... */
  heartbeatIntervalMs: z.number().int().positive(),
  /** ...or the server reclaims the seat after this long without one. */
  timeoutMs: z.number().int().positive(),
  /** License expiry as the file writes it (`permanent`, `31-dec-2026`). */
  expiry: z.string(),
  server: z.string(),
  port: z.number().int(),
  handle: z.number().int(),
  /** True when a resume token found the seat the client already held. */
  resumed: z.boolean(),
  /** A triad's three members (SERVER lines): where to resume the seat if this one fails. */
  members: z.array(z.object({ host: z.string().max(256), port: z.number().int().min(1).max(65535) })).max(3).optional(),
  /** A triad's longest failover: the client keeps trying to resume this long past `timeoutMs`. */
  failoverMs: z.number().int().nonnegative().optional(),
});

const deniedSchema = z.object({
  type: z.literal('denied'),
  id: requestId,
  code: z.number().int(),
  reason: z.string(),
});

/** A standby answers "the master is elsewhere" (triad). */
const redirectSchema = z.object({
  type: z.literal('redirect'),
  id: requestId,
  host: z.string(),
  port: z.number().int(),
});

const heartbeatAckSchema = z.object({
  type: z.literal('heartbeatAck'),
  id: requestId,
  /** Lease ids the server no longer knows (reclaimed or removed): the client lost those seats. */
  unknown: z.array(z.string()),
});

const checkedInSchema = z.object({ type: z.literal('checkedIn'), id: requestId, leaseId: z.string() });
const statusReplySchema = z.object({ type: z.literal('statusReply'), id: requestId, status: serverStatusSchema });
const doneSchema = z.object({ type: z.literal('done'), id: requestId, message: z.string() });
/**
 * A request the server understood but will not carry out (no admin token, unknown lease...).
 * `code`, on admin commands: ADMIN_TOKEN (missing or wrong), REMOTE_ADMIN (from another machine
 * while remote admin is off), LOCKED_OUT (too many failures from that address): this server will
 * not take this caller's credentials, another member may; SEATS_OUT: lmdown without force while
 * licenses are checked out. A code this client does not know reads as none (a newer server's).
 */
export const adminRefusalCodes = ['ADMIN_TOKEN', 'REMOTE_ADMIN', 'LOCKED_OUT', 'SEATS_OUT'] as const;
const refusedSchema = z.object({ type: z.literal('refused'), id: requestId, reason: z.string(), code: z.enum(adminRefusalCodes).optional().catch(undefined) });
/** Sent once before the server closes the connection (bad frame, limit, hello timeout). */
const errorSchema = z.object({ type: z.literal('error'), code: z.string(), message: z.string() });
/** Unsolicited: the server is going down (lmdown, signal); leases are persisted. */
const shutdownSchema = z.object({ type: z.literal('shutdown'), reason: z.string() });
/** Unsolicited: seats taken away by lmremove. */
const revokedSchema = z.object({ type: z.literal('revoked'), leaseIds: z.array(z.string()), reason: z.string() });

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  grantedSchema,
  deniedSchema,
  redirectSchema,
  heartbeatAckSchema,
  checkedInSchema,
  statusReplySchema,
  doneSchema,
  refusedSchema,
  errorSchema,
  shutdownSchema,
  revokedSchema,
]);

export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type Granted = z.infer<typeof grantedSchema>;
export type Denied = z.infer<typeof deniedSchema>;
export type ErrorFrame = z.infer<typeof errorSchema>;

/** Codes of `error` frames (the connection closes after one). */
export const ConnectionErrorCode = {
  badFrame: 'BAD_FRAME',
  badMessage: 'BAD_MESSAGE',
  frameTooLarge: 'FRAME_TOO_LARGE',
  helloTimeout: 'HELLO_TIMEOUT',
  idleTimeout: 'IDLE_TIMEOUT',
  tooManyConnections: 'TOO_MANY_CONNECTIONS',
  unsupportedVersion: 'UNSUPPORTED_VERSION',
  roleUnavailable: 'ROLE_UNAVAILABLE',
} as const;
