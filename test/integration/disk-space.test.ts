import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createBackend, type Backend } from '../../src/core/backend';
import { checkout } from '../../src/core/client/checkout';
import { ServerConnection } from '../../src/core/client/connection';
import { formatOpenMetrics } from '../../src/core/metrics';
import type { ServerMessage } from '../../src/core/protocol';
import type { DiskProbe } from '../../src/core/server/logs/diskMonitor';
import { openStore, type Store } from '../../src/core/store';
import { eventuallyValue } from '../support/eventually';
import { makeTempDir } from '../support/tempDir';
import { parseOpenMetrics } from '../support/openMetricsParser';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';

/**
 * Free-space warnings and the refusal of new licenses on a short disk, with an injected
 * free-space probe (the real one is fs.statfs of the data folder).
 */

const MB = 1024 * 1024;

describe('disk space', () => {
  const temp = makeTempDir();
  const license = writeSignedLicense(temp.dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Roomy', count: 5 }] });
  let free = 10_000 * MB;
  const probed: string[] = [];
  const probe: DiskProbe = async (folder) => {
    probed.push(folder);
    return { freeBytes: free, totalBytes: 20_000 * MB };
  };
  // the database as a full disk leaves it: every group commit fails with SQLite's SQLITE_FULL
  const store = openStore(path.join(temp.dir, 'data'));
  let diskFull = false;
  const fillableStore: Store = {
    ...store,
    transactionUnsynced: (fn) => {
      if (diskFull) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return store.transactionUnsynced(fn);
    },
  };
  let backend: Backend;
  const held: Seat[] = [];
  afterAll(async () => {
    diskFull = false;
    for (const seat of held) await seat.checkin().catch(() => undefined);
    for (const seat of held) seat.close();
    await backend?.stop('test finished');
    store.close();
    temp.remove();
  });

  const request = (user: string) => ({ feature: 'Roomy', version: '1.0', count: 1, user, host: 'ws', display: ':0' });
  const server = () => [{ host: '127.0.0.1', port: backend.address.port }];
  const metric = (name: string) => parseOpenMetrics(formatOpenMetrics(backend.metrics())).get(name)?.samples;
  const logged = (text: string) => backend.store.debugLog.query({ text }).map((row) => row.message);
  const state = () => backend.status().disk?.state;
  /** The probe reports `megabytes` free from now on; the server measures again at once. */
  const setFree = async (megabytes: number) => {
    free = megabytes * MB;
    backend.retentionChanged();
    await eventuallyValue(
      () => backend.status().disk?.freeBytes,
      (bytes) => bytes === free,
    );
  };

  it('measures the data folder, and says nothing while space is plentiful', async () => {
    backend = await createBackend({
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      dataDir: path.join(temp.dir, 'data'),
      store: fillableStore,
      hostid: TEST_HOSTID,
      port: 0,
      diskProbe: probe,
      diskCheckIntervalMs: 60_000,
      retention: { disk: { warnBelowMegabytes: 500, refuseGrantsBelowMegabytes: 50 } },
    });
    await eventuallyValue(
      () => backend.status().disk,
      (disk) => disk !== undefined,
    );
    expect(probed[0]).toBe(path.join(temp.dir, 'data'));
    expect(backend.status().disk).toMatchObject({
      state: 'ok',
      message: null,
      freeBytes: 10_000 * MB,
      warnBelowBytes: 500 * MB,
      refuseGrantsBelowBytes: 50 * MB,
    });
    expect(metric('triad_disk_free_bytes')).toEqual([{ name: 'triad_disk_free_bytes', labels: {}, value: 10_000 * MB }]);
    expect(metric('triad_disk_low')![0]!.value).toBe(0);
    expect(metric('triad_disk_refusing_grants')![0]!.value).toBe(0);
  });

  it('warns below the warning threshold (debug log, status, metrics) and still grants', async () => {
    await setFree(300);
    expect(state()).toBe('low');
    expect(backend.status().disk!.message).toMatch(/^Disk space low: 30\d MB free for .*data \(warning below 500 MB; new licenses are refused below 50 MB\)/);
    expect(metric('triad_disk_low')![0]!.value).toBe(1);
    expect(metric('triad_disk_refusing_grants')![0]!.value).toBe(0);
    await eventuallyValue(
      () => logged('Disk space low'),
      (lines) => lines.length === 1,
    );
    held.push(await takeSeat('alice'));
  });

  it('refuses new licenses below the refuse threshold with a denial that says why, while held seats go on', async () => {
    const [alice] = held;
    await setFree(20);
    expect(state()).toBe('refusing');
    const refused = await checkout(server(), request('bob'));
    expect(refused).toMatchObject({ kind: 'denied', code: -23 });
    if (refused.kind !== 'denied') throw new Error('expected a denial');
    expect(refused.reason).toMatch(
      /^License server temporarily busy; no new licenses: the server's disk is nearly full \(2\d MB free, below the 50 MB it keeps for check-ins\); seats already out keep working; .* \(-23,913\)$/,
    );
    expect(metric('triad_disk_refusing_grants')![0]!.value).toBe(1);
    expect(metric('triad_denials')!.find((s) => s.labels.reason === 'DISK_FULL')!.value).toBe(1);
    await eventuallyValue(
      () => logged('Disk nearly full'),
      (lines) => lines.length === 1,
    );
    // a refusal for want of space writes no report row (a flood of them would eat the space kept)
    expect(backend.store.reportLog.query({ event: 'DENIED' })).toEqual([]);
    // the held seat keeps working and can be returned
    expect(await alice!.heartbeat()).toMatchObject({ type: 'heartbeatAck', unknown: [] });
    expect(await alice!.checkin()).toMatchObject({ type: 'checkedIn' });
    alice!.close();
    held.length = 0;
    expect(backend.status().features[0]!.inUse).toBe(0);
  });

  it('grants again once there is room, and says so', async () => {
    await setFree(10_000);
    expect(state()).toBe('ok');
    await eventuallyValue(
      () => logged('back above the warning threshold: new licenses are granted again'),
      (lines) => lines.length === 1,
    );
    held.push(await takeSeat('carol'));
  });

  it('refuses new licenses after a write failed for want of space, until a check finds room; heartbeats and check-ins go on', async () => {
    const [carol] = held;
    diskFull = true;
    const refused = await checkout(server(), request('dave'));
    expect(state()).toBe('full');
    expect(refused).toMatchObject({ kind: 'denied', code: -23 });
    if (refused.kind === 'denied') expect(refused.reason).toMatch(/no new licenses: the server's disk is full, so a grant cannot be recorded durably/);
    expect(backend.status().disk!.message).toMatch(/^The database could not be written for want of disk space \(database or disk is full; /);
    expect(backend.status().features[0]!.inUse).toBe(1);
    // refused at once from now on: no write is tried
    expect(await checkout(server(), request('erin'))).toMatchObject({ kind: 'denied', code: -23 });
    expect(await carol!.heartbeat()).toMatchObject({ type: 'heartbeatAck', unknown: [] });
    // the check-in is answered; its release cannot be written, so the seat frees at its timeout
    expect(await carol!.checkin()).toMatchObject({ type: 'checkedIn' });
    carol!.close();
    held.length = 0;
    expect(backend.status().features[0]!.inUse).toBe(1);

    diskFull = false;
    await setFree(9_000);
    expect(state()).toBe('ok');
    held.push(await takeSeat('dave'));
  });

  /** A client holding a seat on its own connection (only the holder may heartbeat or check it in). */
  interface Seat {
    heartbeat(): Promise<ServerMessage>;
    checkin(): Promise<ServerMessage>;
    close(): void;
  }

  async function takeSeat(user: string): Promise<Seat> {
    const connection = await ServerConnection.open(server()[0]!, {});
    const granted = await connection.request({ type: 'checkout', ...request(user) });
    if (granted.type !== 'granted') throw new Error(`no seat for ${user}: ${JSON.stringify(granted)}`);
    return {
      heartbeat: () => connection.request({ type: 'heartbeat', leaseIds: [granted.leaseId] }),
      checkin: () => connection.request({ type: 'checkin', leaseId: granted.leaseId }),
      close: () => connection.close(),
    };
  }
});
