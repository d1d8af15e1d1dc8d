import type { Lease } from '../../pool';
import type { ReportLogEntry, Store } from '../../store';
import type { LeaseOp } from '../seams';

/**
 * A lease op is committed once two members persisted it, even when the master that proposed it
 * died before it heard so; then no member recorded it, and the report log showed a checked-in seat
 * out for ever (chaos drill seed 202). The next master commits such ops with its first entry and
 * records them as it applies them, in the same transaction. A row the old master did write stays
 * in its own log as well: readers of several members' logs go by lease id.
 */
export interface InheritedOp {
  lease: Lease;
  row: Omit<ReportLogEntry, 'id'>;
}

const EVENTS = { grant: 'OUT', checkin: 'IN', reclaim: 'RECLAIM', remove: 'REMOVE' } as const;
const REASONS = { grant: null, checkin: null, reclaim: 'no heartbeat within the timeout', remove: 'lmremove' } as const;

/** The row for `op`, read before it is applied; null when there is nothing to record (a lingering seat's end). */
export function inheritedOp(store: Store, op: LeaseOp, server: string, timeMs: number): InheritedOp | null {
  const lease = op.kind === 'grant' ? op.lease : store.leases.get(op.leaseId);
  // a lingering seat was checked in already (its IN row is written); its removal is no event
  if (!lease || (op.kind !== 'grant' && lease.lingerUntilMs !== null)) return null;
  const { feature, version, user, host, display, leaseId, count } = lease;
  return { lease, row: { timeMs, event: EVENTS[op.kind], feature, version, user, host, display, leaseId, count, server, reason: REASONS[op.kind] } };
}
