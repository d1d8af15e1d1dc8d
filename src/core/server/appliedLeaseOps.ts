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

const RELEASE_EVENTS = { checkin: 'IN', reclaim: 'RECLAIM', remove: 'REMOVE' } as const;
const RELEASE_REASONS = { checkin: null, reclaim: 'no heartbeat within the timeout', remove: 'lmremove' } as const;

/**
 * Applies `op` and records its row. The row names the master that accepted the op, whose wall
 * clock stamped its time (the grant's server, a release's `by`), so every member writes the same
 * row; `recorder`, the member writing it, stands in for a release logged without `by`. Nothing is
 * recorded for a lingering seat's end (its IN row was written at its checkin) or a release of a
 * seat this store does not hold. True when a row was written.
 */
export function applyAndRecord(store: Store, op: LeaseOp, recorder: string): boolean {
  let recorded = true;
  if (op.kind === 'grant') {
    const { feature, version, user, host, display, leaseId, count, server, grantedAt } = op.lease;
    store.reportLog.append({ timeMs: grantedAt, event: 'OUT', feature, version, user, host, display, leaseId, count, server, reason: null });
  } else {
    recorded = store.reportLog.appendRelease(op.leaseId, {
      timeMs: op.atMs,
      event: RELEASE_EVENTS[op.kind],
      server: op.by ?? recorder,
      reason: RELEASE_REASONS[op.kind],
    });
  }
  applyToStore(store, op);
  return recorded;
}

/** The report event `op` records. */
export const reportEventOf = (op: LeaseOp): ReportRow['event'] => (op.kind === 'grant' ? 'OUT' : RELEASE_EVENTS[op.kind]);

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
