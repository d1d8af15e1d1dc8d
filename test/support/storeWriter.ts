/**
 * Child process for test/integration/store/store-durability.test.ts: writes through the real store
 * module until killed. Each iteration commits a lease and its OUT report-log row in one
 * transaction, then prints the report-log id: a printed id is an acknowledged write.
 * Usage: node storeWriter.mjs DATA_DIR
 */
import { openStore } from '../../src/core/store';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: storeWriter DATA_DIR\n');
  process.exit(2);
}
const store = openStore(dataDir);
for (let n = 0; ; n += 1) {
  const leaseId = `${process.pid}-${n}`;
  const id = store.transaction(() => {
    store.leases.put({
      leaseId,
      poolKey: 'pool',
      feature: 'f',
      vendor: 'v',
      version: '1.0',
      user: 'u',
      host: 'h',
      display: 'd',
      ip: '127.0.0.1',
      project: null,
      count: 1,
      grantedAt: Date.now(),
      resumeToken: `rt-${leaseId}`,
      clientId: 'writer',
      server: 'srv',
      handle: n + 1,
      lingerSeconds: 0,
      lingerUntilMs: null,
    });
    return store.reportLog.append({
      timeMs: Date.now(),
      event: 'OUT',
      feature: 'f',
      version: '1.0',
      user: 'u',
      host: 'h',
      display: 'd',
      leaseId,
      count: 1,
      server: 'srv',
      reason: null,
    });
  });
  // Printed only after the commit returned; the parent counts only ids it actually received.
  process.stdout.write(`${id} ${leaseId}\n`);
}
