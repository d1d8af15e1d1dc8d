import type { LicenseSetFile } from '../licenseFiles/licenseFolder';
import type { LicenseFile } from '../license';
import type { AuditEntry, DebugLogEntry, DebugLogQuery, Store } from '../store';
import type { ServerStatus } from '../../shared/status';
import type { BatchedWriter } from './batchedWriter';
import type { LicenseSetup } from '../licenseFiles/licenseSetup';
import type { Clock } from './runtime';
import type { LeaseLog, MasterGate } from './seams';

/**
 * The seam between the composition root (backend.ts) and the triad (triad/createTriad.ts): what the
 * backend hands a triad member, and what the member gives back. Defined below both, so neither
 * imports the other.
 */

export interface TriadContext {
  setup: LicenseSetup;
  store: Store;
  /** Group commit into the store (a stand-in triad can keep its log through it). */
  writer: BatchedWriter;
  port: number;
  debug: (daemon: string, message: string) => void;
  clock: Clock;
  /** A peer's lmdown: stop this member (clients told, leases kept). */
  requestShutdown: (reason: string) => void;
  /** A peer's lmreread: reread this member's files (not passed on again). */
  reread: () => { ok: boolean; message: string };
  /** Set when the license port speaks TLS: peers are dialled with TLS, verified against `ca` if given. */
  peerTls: { ca?: string } | null;
  /** License files distributed over the triad: serve exactly these from now on (written, then reread). */
  installLicense: (files: LicenseSetFile[]) => { ok: boolean; message: string };
  /** Something the administrator must act on (BackendOptions.notice), also in the debug log. */
  notice: (text: string) => void;
  /** A row for the audit table (what another member asked of this one). */
  audit: (row: Omit<AuditEntry, 'id'>) => void;
}

export interface TriadParts {
  gate: MasterGate;
  log: LeaseLog;
  peerHook: PeerHook;
  /** Called when the server stops (close peer links, stop timers). */
  stop(): Promise<void>;
  /** Adds peer health, quorum and warnings to each status snapshot. */
  decorateStatus?: (status: ServerStatus) => ServerStatus;
  /** A local lmdown/lmreread was accepted: ask the other two members to do the same. */
  broadcastAdmin?: (type: 'lmdown' | 'lmreread') => void;
  /** This member now serves `file` (started or reread): peers compare its identity from now on. */
  licenseLoaded?: (file: LicenseFile) => void;
  /** Master only: switches all three members to these license files together (`label`: what the admin imported, for the log). */
  distributeLicense?: (files: LicenseSetFile[], label: string) => Promise<void>;
  /** A standby reads the master's debug log over the peer link. */
  masterLog?: (query: MasterLogQuery) => Promise<MasterLogPage>;
}

/** A peer connection handed to the triad after its hello; messages are raw JSON values. */
export interface PeerLink {
  readonly remoteAddress: string;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onClose(listener: () => void): void;
  close(): void;
  /**
   * Lifts the 64 KiB frame limit on this link (up to MAX_REPLY_FRAME_BYTES) once the triad has
   * accepted the member: log suffixes and distributed license files can be larger.
   */
  allowLargeFrames(): void;
}
export type PeerHook = (link: PeerLink) => void;

/** What a standby asks of the master's debug log (the peer message's query, triad/peerLogQuery.ts). */
export interface MasterLogQuery extends DebugLogQuery {
  limit: number;
}
export interface MasterLogPage {
  lines: DebugLogEntry[];
  /** False when the page was cut to fit a frame: ask again after the last line. */
  complete: boolean;
}
