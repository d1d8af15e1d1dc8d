import type { Store } from '../store';
import type { BatchedWriter } from './batchedWriter';
import type { LeaseLog, LeaseOp } from './seams';

/**
 * The single server's LeaseLog: an op is durable once its row is committed to SQLite and the WAL
 * fsynced after it (then it survives kill -9 and power loss). Commits go through the group-commit
 * writer, one transaction per event-loop turn, fsynced off the event loop (LogSync).
 */
export function storeLeaseLog(store: Store, writer: BatchedWriter): LeaseLog {
  return {
    commit: (op: LeaseOp) => writer.commit(() => applyToStore(store, op)),
    replicated: false,
    recover: () => store.leases.list(),
  };
}

/** How each op changes the lease table; a triad follower applies replicated ops the same way. */
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
