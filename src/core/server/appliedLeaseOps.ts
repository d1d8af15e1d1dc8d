import type { Lease } from '../pool/types';
import type { ReportLogEntry, Store } from '../store';
import type { LeaseOp } from './seams';

/**
 * What a lease op does to a member's store once it is committed: the lease table changes and its
 * report-log row (OUT, IN, RECLAIM, REMOVE) is written, in the caller's one transaction. The row
 * is worked out from the op and the table alone, so every member that applies the op records the
 * same event, and a restart that rolled back an unsynced apply records it again as it re-applies
 * it, never twice (the apply and its row commit or vanish together). Readers of several members'
 * logs go by lease id.
 */

export type ReportRow = Omit<ReportLogEntry, 'id'>;

const EVENTS = { grant: 'OUT', checkin: 'IN', reclaim: 'RECLAIM', remove: 'REMOVE' } as const;
const REASONS = { grant: null, checkin: null, reclaim: 'no heartbeat within the timeout', remove: 'lmremove' } as const;

/** A recorded op: the seat it is about and the row written for it. */
export interface RecordedOp {
  lease: Lease;
  row: ReportRow;
}

/**
 * Applies `op` and records its row as `recorder` (the member writing it; a grant names the master
 * that made it). Null when there is nothing to record: a lingering seat's end (its IN row was
 * written at its checkin), a release of a seat this store does not hold.
 */
export function applyAndRecord(store: Store, op: LeaseOp, recorder: string): RecordedOp | null {
  const recorded = recordOf(store, op, recorder);
  if (recorded) store.reportLog.append(recorded.row);
  applyToStore(store, op);
  return recorded;
}

/** The row for `op`, read before it is applied. */
function recordOf(store: Store, op: LeaseOp, recorder: string): RecordedOp | null {
  const lease = op.kind === 'grant' ? op.lease : store.leases.get(op.leaseId);
  if (!lease || (op.kind !== 'grant' && lease.lingerUntilMs !== null)) return null;
  const { feature, version, user, host, display, leaseId, count } = lease;
  const timeMs = op.kind === 'grant' ? lease.grantedAt : op.atMs;
  const server = op.kind === 'grant' ? lease.server : recorder;
  return { lease, row: { timeMs, event: EVENTS[op.kind], feature, version, user, host, display, leaseId, count, server, reason: REASONS[op.kind] } };
}

/** How each op changes the lease table (a restart replays committed ops this way, without rows). */
export function applyToStore(store: Store, op: LeaseOp): void {
  switch (op.kind) {
    case 'grant':
      store.leases.put(op.lease);
      return;
    case 'checkin':
      // LINGER keeps the seat after checkin; the row stays until the linger ends
      store.leases.checkin(op.leaseId, op.atMs);
      return;
    case 'reclaim':
    case 'remove':
      store.leases.delete(op.leaseId);
      return;
  }
}
