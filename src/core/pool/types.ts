/**
 * Feature pools: the seats a license file grants, grouped the FlexLM way (reference section
 * 1.5), and the leases held on them. Input lines are a structural type so the pool does not
 * depend on the license parser; the server maps each parsed FEATURE/INCREMENT line to a PoolLine.
 */
import type { CheckoutRequest } from '../protocol/messages';
import type { DenialCode } from '../protocol/denial';

export type Expiry = { permanent: true } | { year: number; month: number; day: number };

export interface PoolLine {
  keyword: 'FEATURE' | 'INCREMENT';
  name: string;
  vendor: string;
  version: string;
  count: number | 'uncounted';
  expiry: Expiry;
  /** START= date as epoch ms (start of that day), or null. */
  startMs: number | null;
  vendorString: string | null;
  /** USER_BASED present: only users named on INCLUDE lines of the options file may check out. */
  userBased: boolean;
  /** LINGER= seconds, or null. */
  linger: number | null;
  /** DUP_GROUP value as written (NONE, SITE, UHD, ...), or null. */
  dupGroup: string | null;
  /** HOSTID= value as written, or null. */
  hostid: string | null;
  /**
   * The line's other KEYWORD=value attributes (keys upper-case). BORROW, FLOAT_OK, HOST_BASED,
   * PLATFORMS, TZ and VM_PLATFORMS also separate pools; all of them can be named by an options
   * file qualifier (`f1:ISSUER=x`).
   */
  attrs: Record<string, string>;
  /** Set when the server will not serve this line (signature does not verify, other host id). */
  notServed: { code: Extract<DenialCode, 'BAD_SIGNATURE' | 'WRONG_HOSTID'>; detail: string } | null;
  /** Where the line is, for messages, e.g. `license.dat:12`. */
  source: string;
}

/** A group of lines whose seats add up and are served together. */
export interface Pool {
  key: string;
  name: string;
  vendor: string;
  version: string;
  vendorString: string | null;
  userBased: boolean;
  dupGroup: string | null;
  hostid: string | null;
  /** The first line's attributes; the ones that matter to the key are equal on every line. */
  attrs: Record<string, string>;
  /** FEATURE line first (if any), then INCREMENT lines in file order. */
  lines: PoolLine[];
}

/** A line left out of every pool, and why (for the debug log and status). */
export interface IgnoredLine {
  line: PoolLine;
  reason: string;
}

/**
 * A checkout as the pool evaluates it: what the user asked for (the version served by a pool
 * whose version is at least it) and what the server knows of the asker and drew for the lease.
 */
export interface PoolCheckout extends CheckoutRequest {
  ip: string;
  /** LM_PROJECT, when the client sends one (options PROJECT rules). */
  project?: string | null;
  clientId: string;
  /** Identifiers are inputs (the driver owns randomness). */
  leaseId: string;
  resumeToken: string;
  /** Server (host) granting the lease, shown by lmstat. */
  server: string;
}

export interface Lease {
  leaseId: string;
  poolKey: string;
  feature: string;
  vendor: string;
  /** Version the client asked for. */
  version: string;
  user: string;
  host: string;
  display: string;
  ip: string;
  project: string | null;
  count: number;
  grantedAt: number;
  resumeToken: string;
  clientId: string;
  server: string;
  /** lmstat/lmremove handle, unique among current leases. */
  handle: number;
  /** Seconds the seat stays taken after checkin (LINGER), fixed at grant time. */
  lingerSeconds: number;
  /**
   * Set once checked in while lingering: the seat is free at this time. Monotonic time in a
   * PoolSet; wall-clock time in the store's lease table (for people), which a restore replaces.
   */
  lingerUntilMs: number | null;
}

export interface PoolUsage {
  pool: Pool;
  /** Seats of the lines in force now; null when uncounted. */
  issued: number | null;
  inUse: number;
  /** Why nothing of this pool can be checked out now (expired, bad signature...), else null. */
  notServed: { code: DenialCode; reason: string } | null;
  leases: Lease[];
}
