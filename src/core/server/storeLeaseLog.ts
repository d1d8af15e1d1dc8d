import type { Store } from '../store';
import { applyAndRecord } from './appliedLeaseOps';
import type { BatchedWriter } from './batchedWriter';
import type { LeaseLog, LeaseOp } from './seams';

/**
 * The single server's LeaseLog: an op is durable once its row is committed to SQLite and the WAL
 * fsynced after it (then it survives kill -9 and power loss). Commits go through the group-commit
 * writer, one transaction per event-loop turn, fsynced off the event loop (LogSync); the op's
 * report-log row is written in the same write, so a grant waits for one group commit.
 */
export function storeLeaseLog(store: Store, writer: BatchedWriter, server: string): LeaseLog {
  return {
    commit: (op: LeaseOp) => writer.commit(() => void applyAndRecord(store, op, server)),
    replicated: false,
    recover: () => store.leases.list(),
  };
}
