import type { QuorumRole } from './inputs';
import type { PeerMessage } from './messages';
import type { DebugLine } from './narration';
import type { LicenseIdentity, LogEntry, PersistedHardState, Rank, ReplicatedOp } from './types';

/** Entries to write: delete the log from `truncateFrom` on (null keeps it), then append `entries`. */
export interface EntriesWrite {
  type: 'entries';
  truncateFrom: number | null;
  entries: LogEntry[];
}

/**
 * Replace the applied state (the lease table) with `leases`, as of `index`: delete the log up to
 * `index` (and after it too unless `keepLogAfter`), and record the snapshot point and
 * `lastSwitch` with it. Index 0 with no leases starts this member over (its log belonged to
 * another triad).
 */
export interface SnapshotWrite {
  type: 'snapshot';
  index: number;
  epoch: number;
  lastSwitch: LogEntry | null;
  leases: unknown[];
  keepLogAfter: boolean;
}

export type LogWrite = EntriesWrite | SnapshotWrite;

/**
 * A committed op for the lease table. After a restart every committed op past the log base is
 * replayed, so the driver rebuilds its table from these. `requestId` is set on the master that
 * accepted it.
 */
export interface CommittedOp {
  index: number;
  op: ReplicatedOp;
  requestId: string | null;
}

/** A client op's fate: committed (`failure` null), or it did not happen or is unknown (retry at the master). */
export interface ClientAnswer {
  requestId: string;
  failure: string | null;
}

/**
 * What one step decided (etcd raft's `Ready`). The driver performs it in this order, and a turn
 * of several steps phase by phase (all writes, then all sends, then the rest):
 *
 * 1. Persist, in one transaction: `logWrites` in order, then `hardState`, and the lease table
 *    (replaced by the last snapshot write, then `committed` applied). Votes, promises and
 *    acknowledgements must survive a crash before anyone relies on them (Raft's rule: persist
 *    before send), and the lease table on disk is always as of the commit index. The driver
 *    fsyncs the turn only when it wrote what a restart cannot rebuild (entries, a truncation, an
 *    epoch, a vote, the standing, a snapshot); a commit index and the ops applied under it are
 *    applied again from the log after a crash that lost them.
 * 2. Send `messages`: each may state what step 1 made durable.
 * 3. Apply and serve: `answers` to clients, `licenseInstalls`, `reread`, `debugLines`, the
 *    `role` and `serving` notifications, `shutdown` last. These act on committed, durable state
 *    and may take long or stop the process, so they wait until the peers have their messages.
 *
 * The driver still asks `canServe(now)` before every grant: `serving` is only a notification.
 */
export interface Ready {
  /** The whole hard state as of the step's last write to it; null when it did not change. */
  hardState: PersistedHardState | null;
  logWrites: LogWrite[];
  /** Ops committed after the step's last snapshot write (those before it are in the snapshot). */
  committed: CommittedOp[];
  messages: { to: Rank; message: PeerMessage }[];
  answers: ClientAnswer[];
  /** Distributed license files that reached this member: install `payload`; peers now compare `identity`. */
  licenseInstalls: { payload: unknown; identity: LicenseIdentity }[];
  /** lmreread on another member: reread here too. */
  reread: boolean;
  debugLines: DebugLine[];
  /** The role and master this member now has, when they changed. */
  role: { role: QuorumRole; masterRank: Rank | null } | null;
  /** Whether this member now serves clients, when it changed. */
  serving: boolean | null;
  /** lmdown here or on another member: this member stops. */
  shutdown: boolean;
}

export function emptyReady(): Ready {
  return {
    hardState: null,
    logWrites: [],
    committed: [],
    messages: [],
    answers: [],
    licenseInstalls: [],
    reread: false,
    debugLines: [],
    role: null,
    serving: null,
    shutdown: false,
  };
}

/** Whether the step decided nothing at all (most ticks). */
export function readyIsEmpty(ready: Ready): boolean {
  return (
    !readyWrites(ready) &&
    ready.messages.length === 0 &&
    ready.answers.length === 0 &&
    ready.licenseInstalls.length === 0 &&
    !ready.reread &&
    ready.debugLines.length === 0 &&
    ready.role === null &&
    ready.serving === null &&
    !ready.shutdown
  );
}

/** Whether step 1 has anything to write. */
export function readyWrites(ready: Ready): boolean {
  return ready.hardState !== null || ready.logWrites.length > 0 || ready.committed.length > 0;
}
