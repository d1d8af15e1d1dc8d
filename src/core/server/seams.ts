import type { ServerRole } from '../../shared/status';
import type { LeaseOp } from '../pool/leaseOp';
import type { Lease } from '../pool/types';

/**
 * The two seams through which the triad (src/core/quorum + its driver) plugs into the license
 * server without the licensing logic knowing who is master.
 */

/** Every change to the set of held seats (declared with its schema in the pool: peers send them). */
export type { LeaseOp };

/**
 * Where ops become durable. `commit` resolves once the op survives a crash: stored in SQLite on a
 * single server; on a triad, persisted by a peer too. The client hears "granted" only after it.
 * A rejection means the op did not happen (e.g. the master lost its quorum) and the request fails.
 */
export interface LeaseLog {
  commit(op: LeaseOp): Promise<void>;
  /**
   * True when a commit waits for other members (a triad): this member's own lease table is then
   * the replicated one, not necessarily the seats it serves. Either way the log writes an op's
   * report-log row where it applies the op (appliedLeaseOps.ts), so the row is durable with it.
   */
  readonly replicated: boolean;
  /**
   * The committed seats: read at start, and again when this member becomes the master in a new
   * term (it then serves exactly the state it adopted from its quorum, all of it committed).
   */
  recover(): Lease[];
}

/** Where a standby sends clients. */
export interface MasterAddress {
  host: string;
  port: number;
}

/** Am I serving, and if not, who is? A single server always answers "yes, me". */
export interface MasterGate {
  role(): ServerRole;
  /** The master to redirect clients to when this member is not serving; null when nobody is. */
  master(): MasterAddress | null;
  /** Called when the gate's answer changes: status listeners hear about it, and a new master reloads its seats. */
  onChange(listener: () => void): () => void;
  /** Longest time, in whole ms, without a serving master after the master fails (0: a single server has no failover). */
  failoverMs(): number;
  /**
   * Which mastership this member holds or last held (a triad's epoch; a single server's is 0).
   * Within one term the master's log only grows by its own appends, so its seats stay valid when
   * serving stops and resumes; a new term may have adopted other entries.
   */
  term(): number;
}

export function singleServerGate(): MasterGate {
  return { role: () => 'master', master: () => null, onChange: () => () => {}, failoverMs: () => 0, term: () => 0 };
}
