import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/core/backend';
import { checkout } from '../../src/core/client/checkout';
import { openStore, type Store } from '../../src/core/store';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { makeTempDir } from '../support/tempDir';

/**
 * Issue 18: a single server's grant and its OUT row are one write of one group commit, so the
 * grant waits for one fsync (the triad's count is test/sim/fsyncsPerGrant.test.ts).
 */

/** The store with every fsync it is asked for counted: a synchronous commit, or a sync of the log. */
function countingSyncs(store: Store): { store: Store; syncs: () => number } {
  let syncs = 0;
  let depth = 0;
  const counted: Store = {
    ...store,
    transaction: (fn) => {
      if (depth === 0) syncs += 1;
      depth += 1;
      try {
        return store.transaction(fn);
      } finally {
        depth -= 1;
      }
    },
    transactionUnsynced: (fn) => {
      depth += 1;
      try {
        return store.transactionUnsynced(fn);
      } finally {
        depth -= 1;
      }
    },
    syncLog: () => {
      syncs += 1;
      return store.syncLog();
    },
    syncLogNow: () => {
      syncs += 1;
      store.syncLogNow();
    },
  };
  return { store: counted, syncs: () => syncs };
}

describe('fsyncs per single-server grant', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  it('is one group commit for the lease and its OUT row', async () => {
    const files = { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Counted', count: 2 }] };
    const license = writeSignedLicense(temp.dir, files, 'one.lic');
    const dataDir = path.join(temp.dir, 'data');
    const raw = openStore(dataDir);
    const { store, syncs } = countingSyncs(raw);
    const backend = await createBackend({
      dataDir,
      store,
      hostid: TEST_HOSTID,
      port: 0,
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
    });
    try {
      // start-up's writes settle first
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = syncs();
      const request = { feature: 'Counted', version: '1.0', count: 1, user: 'ann', host: 'ws', display: ':0' };
      const granted = await checkout([{ host: '127.0.0.1', port: backend.address.port }], request);
      expect(granted.kind).toBe('granted');
      expect(syncs() - before).toBe(1);
      expect(raw.reportLog.query({ event: 'OUT' }).map((row) => row.user)).toEqual(['ann']);
      if (granted.kind === 'granted') await granted.license.checkin();
    } finally {
      await backend.stop('test finished');
      raw.close();
    }
  });
});
