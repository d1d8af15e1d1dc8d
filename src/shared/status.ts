/**
 * What a license server says about itself: the one status snapshot that the wire protocol
 * carries, `triad lmstat` formats (text and --json) and the admin UI shows. Plain data only.
 */
import type { DiskStatus } from './logRetention';

export type MemberRank = 'primary' | 'secondary' | 'tertiary' | 'single';

/** This server's part right now. `standby` redirects clients; `no-quorum` serves nobody. */
export type ServerRole = 'master' | 'standby' | 'no-quorum' | 'stopped';

export interface MemberStatus {
  /** Host as written on the SERVER line. */
  host: string;
  hostid: string;
  port: number | null;
  rank: MemberRank;
  /** Running and talking to the server that produced this snapshot (always true for `self`). */
  up: boolean;
  master: boolean;
  /** The member that produced this snapshot. */
  self: boolean;
  /** Last peer heartbeat round trip; null for self or when never measured. */
  heartbeatRttMs: number | null;
  /** Milliseconds since the last heartbeat from this peer; null for self or never heard. */
  heartbeatAgeMs: number | null;
  /** Share of heartbeats lost over the recent window, 0..100; null when unknown. */
  heartbeatLossPercent: number | null;
  /** Why the member is not part of the quorum (license mismatch, unreachable...), for display. */
  problem: string | null;
  /**
   * A triad member that joined as a learner (a new machine, an empty or replaced data folder):
   * it catches up from the master and votes once it holds the committed log. Absent on a single server.
   */
  learner?: boolean;
}

export interface VendorStatus {
  name: string;
  up: boolean;
  /** Daemon version as lmstat prints it, e.g. `v1.0.0`. */
  version: string;
  /** Why the vendor is not serving, when `up` is false. */
  problem: string | null;
}

export type PoolKind = 'floating' | 'uncounted' | 'nodelocked' | 'user-based';

/**
 * One holder's seats. No lease id or resume token: status is open to every client, and only the
 * connection that holds a seat may act on it; the handle names the seat (lmremove -h).
 */
export interface UserStatus {
  user: string;
  host: string;
  display: string;
  /** Version the client asked for, e.g. `1.0`. */
  version: string;
  /** Server host and port that granted the seat, and its handle: unique among the seats held now (lmremove -h). */
  server: string;
  port: number;
  handle: number;
  /** Epoch milliseconds. */
  startedAt: number;
  count: number;
  /** Seats held past checkin because of LINGER: seconds total and seconds left, else null. */
  linger: { total: number; remaining: number } | null;
}

/** A RESERVE rule of the options file, as lmstat shows it. */
export interface ReservationStatus {
  /** Seats it still holds back: nobody it covers holds them yet (lmstat counts them as in use). */
  count: number;
  /** USER, HOST, DISPLAY, GROUP, HOST_GROUP, INTERNET. */
  type: string;
  name: string;
}

/** One pool: lines that add up (FEATURE plus its INCREMENTs) and are served together. */
export interface FeatureStatus {
  name: string;
  vendor: string;
  version: string;
  /** Expiry as the license file writes it (`31-dec-2026`, `permanent`, `1-jan-0`). */
  expiry: string;
  /** Seats licensed; null for uncounted. */
  issued: number | null;
  /** Seats checked out (not counting `reservations`, which lmstat adds to its "in use"). */
  inUse: number;
  kind: PoolKind;
  /** Host id an uncounted/nodelocked line is locked to, for the lmstat pool line. */
  lockedTo: string | null;
  vendorString: string | null;
  /** False when the pool is not served (bad signature, wrong host id, expired...). */
  served: boolean;
  notServedReason: string | null;
  users: UserStatus[];
  reservations: ReservationStatus[];
}

/** A problem in a file the server reads, at FILE:LINE:COL, with how to fix it. */
export interface FileProblem {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  message: string;
  hint: string;
}

export interface ServerStatus {
  /** Epoch milliseconds when the snapshot was taken. */
  takenAt: number;
  /** Server version, e.g. `v1.0.0`. */
  version: string;
  /** SERVER-line host of the member that answered. */
  host: string;
  port: number;
  /** License file paths on that host (lmstat's `License file(s) on host:` line). */
  licenseFiles: string[];
  mode: 'single' | 'triad' | 'uncounted';
  role: ServerRole;
  /** Host of the current master, when one is known. */
  master: string | null;
  quorum: boolean;
  /** SERVER lines in file order, with their live state. */
  members: MemberStatus[];
  vendors: VendorStatus[];
  features: FeatureStatus[];
  /** Things an administrator should look at (slow peer links, license mismatch, a cluster secret the other members lack...). */
  warnings: string[];
  /**
   * The options files' problems (issue 15). The server starts without the lines it cannot read
   * and without an options file it cannot find, so an error here means access differs from what
   * the administrator wrote (an ignored EXCLUDE excludes nobody): show errors prominently.
   */
  optionsProblems: FileProblem[];
  /**
   * Why this server gives out no licenses, in one sentence for a banner (no quorum: who is out
   * of reach; stopped: what becomes of the seats held); absent or null while it serves, or while
   * a master serves for it (standby).
   */
  notServing?: string | null;
  /**
   * Set when this server is not the master: the seats shown are the master's, as replicated to
   * this member (`master` null when no master is known, e.g. the last seats before quorum was lost).
   */
  seatsFrom?: { master: string | null } | null;
  /** Free space for the server's data folder, and whether it refuses new licenses for want of it. */
  disk?: DiskStatus;
}
