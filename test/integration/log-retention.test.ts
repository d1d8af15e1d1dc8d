import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Backend, BackendOptions } from '../../src/core/backend';
import { sendAdminRequest } from '../../src/core/client/connectionAdmin';
import { openStore, type Store } from '../../src/core/store';
import { debugLogLinePattern } from '../../src/shared/debugLogText';
import type { LogsOverview } from '../../src/shared/logRetention';
import { connectAll, runPairs } from '../../bench/loadClient';
import { eventuallyValue } from '../support/eventually';
import { makeTempDir } from '../support/tempDir';
import { startSingleServer } from '../support/singleServer';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';

/** Retention of the debug and report logs on a running server: limits, archives, lmswitch under load. */

const DAY = 86_400_000;

function archives(folder: string, log: 'debug' | 'report'): string[] {
  return readdirSync(folder)
    .filter((name) => name.startsWith(`${log}-log_`))
    .sort()
    .map((name) => path.join(folder, name));
}

const unzip = (file: string) => gunzipSync(readFileSync(file)).toString('utf8');

/** CSV rows of report archives, header checked and dropped. */
function reportArchiveRows(files: string[]): string[][] {
  return files.flatMap((file) => {
    const lines = unzip(file).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('time,event,feature,version,user,host,display,lease_id,count,server,reason');
    return lines.slice(1).map((line) => line.split(','));
  });
}

describe('log retention', () => {
  const temp = makeTempDir();
  const license = writeSignedLicense(temp.dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Bench', count: 200 }] });
  const running: Backend[] = [];
  const stores: Store[] = [];
  afterAll(async () => {
    await Promise.all(running.map((b) => b.stop('test finished')));
    for (const store of stores) store.close();
    temp.remove();
  });

  /** A server on a data folder of its own, whose store the test can fill first. */
  function prepare(name: string): { dataDir: string; store: Store } {
    const dataDir = path.join(temp.dir, name);
    const store = openStore(dataDir);
    stores.push(store);
    return { dataDir, store };
  }

  async function start(dataDir: string, store: Store, options: Partial<BackendOptions> = {}): Promise<Backend> {
    const backend = await startSingleServer(license, dataDir, { store, clientHeartbeatIntervalMs: 500, retentionCheckIntervalMs: 100, ...options });
    running.push(backend);
    return backend;
  }

  it('moves debug-log lines older than the age limit into a FlexLM-text archive and out of the database', async () => {
    const { dataDir, store } = prepare('age');
    const old = Date.now() - 40 * DAY;
    store.transaction(() => {
      for (let i = 0; i < 3000; i++) store.debugLog.append({ timeMs: old + i * 1000, daemon: 'ibmratl', message: `OUT: "Kept" user${i}@ws` });
    });
    const backend = await start(dataDir, store, { retention: { debugLog: { maxAgeDays: 30 } } });
    const overview = await eventuallyValue(
      () => backend.logs(),
      (o) => o.rotations.some((r) => r.log === 'debug'),
      20_000,
    );
    const rotation = overview.rotations.find((r) => r.log === 'debug')!;
    expect(rotation).toMatchObject({ reason: 'age', rows: 3000, fromMs: old, toMs: old + 2999 * 1000 });
    expect(store.debugLog.query({ untilMs: Date.now() - 30 * DAY })).toEqual([]);
    expect(overview.debugLog.rotatedThroughMs).toBe(old + 2999 * 1000);

    const [file] = archives(path.join(dataDir, 'archive'), 'debug');
    expect(rotation.file).toBe(file);
    expect(path.basename(file!)).toMatch(/^debug-log_\d{8}-\d{6}_\d{8}-\d{6}\.log\.gz$/);
    const lines = unzip(file!).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d{1,2}:\d{2}:\d{2} \(lmgrd\) TIMESTAMP \d{1,2}\/\d{1,2}\/\d{4}$/);
    expect(lines.every((line) => debugLogLinePattern.test(line))).toBe(true);
    expect(lines.filter((line) => !line.includes('TIMESTAMP'))).toHaveLength(3000);
    expect(lines.at(-1)).toMatch(/\(ibmratl\) OUT: "Kept" user2999@ws$/);
    // the server says so in its own debug log
    await eventuallyValue(
      () => store.debugLog.query({ text: 'Rotated 3000 rows of the debug log' }),
      (rows) => rows.length === 1,
    );
  });

  it('keeps the report log under its size limit, archives the rest as CSV, and carries the seats still out', async () => {
    const { dataDir, store } = prepare('size');
    const start0 = Date.now() - 60_000;
    const base = { feature: 'Kept', version: '1.0', host: 'ws', display: ':0', count: 1, server: 'srv', reason: null };
    store.transaction(() => {
      // two seats checked out first and never in: still out after their rows are rotated
      for (const user of ['early1', 'early2']) store.reportLog.append({ ...base, timeMs: start0, event: 'OUT', user, leaseId: `lease-${user}` });
      for (let i = 0; i < 16_000; i++) {
        store.reportLog.append({ ...base, timeMs: start0 + i, event: 'OUT', user: `u${i}`, leaseId: `lease-${i}` });
        store.reportLog.append({ ...base, timeMs: start0 + i, event: 'IN', user: `u${i}`, leaseId: `lease-${i}` });
      }
    });
    const before = store.reportLog.retention.bytesPerRow() * 32_002;
    expect(before).toBeGreaterThan(2 * 1024 * 1024);
    const backend = await start(dataDir, store, { retention: { reportLog: { maxMegabytes: 1 } } });
    const overview = await eventuallyValue(
      () => backend.logs(),
      (o) => o.rotations.some((r) => r.log === 'report'),
      20_000,
    );
    expect(overview.reportLog.estimatedBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(overview.reportLog.estimatedBytes).toBeGreaterThan(0.8 * 1024 * 1024);
    const rotation = overview.rotations.find((r) => r.log === 'report')!;
    expect(rotation.reason).toBe('size');
    const rows = reportArchiveRows(archives(path.join(dataDir, 'archive'), 'report'));
    expect(rows).toHaveLength(rotation.rows);
    expect(rows.length + overview.reportLog.rows).toBe(32_002);
    expect(rows[0]).toEqual([new Date(start0).toISOString(), 'OUT', 'Kept', '1.0', 'early1', 'ws', ':0', 'lease-early1', '1', 'srv', '']);
    expect(store.retention.state('report').carriedSeats).toEqual({ Kept: 2 + (rows.length % 2 === 1 ? 1 : 0) });
  });

  it('rotates both logs under load (limits and lmswitch/lmswitchr) without a failed request, a lost row or a row archived twice', async () => {
    const { dataDir, store } = prepare('load');
    // both logs start just under their limit, so the load pushes them over it
    const now = Date.now();
    const base = { feature: 'Bench', version: '1.0', host: 'ws', display: ':0', count: 1, server: 'srv', reason: null };
    store.transaction(() => {
      for (let i = 0; i < 8_000; i++) {
        store.debugLog.append({ timeMs: now, daemon: 'ibmratl', message: `OUT: "Bench" earlier${i}@ws, a line long enough to fill the log sooner` });
        store.reportLog.append({
          ...base,
          timeMs: now,
          event: 'DENIED',
          user: `earlier${i}`,
          leaseId: null,
          reason: 'Licensed number of users already reached. (-4,342)',
        });
      }
    });
    const backend = await start(dataDir, store, { retention: { debugLog: { maxMegabytes: 1 }, reportLog: { maxMegabytes: 1 } } });
    const clients = await connectAll(backend.address.port, 20);
    const token = readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
    const address = { host: '127.0.0.1', port: backend.address.port };
    let switching = true;
    const switches = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const log of ['debug', 'report'] as const) {
          // on a slow machine the load may not have added a row since the last switch yet
          const table = log === 'debug' ? store.debugLog.retention : store.reportLog.retention;
          await eventuallyValue(() => table.ends()!.last.id > store.retention.state(log).archivedThroughId, (fresh) => fresh);
          const outcome = await sendAdminRequest([address], { type: 'lmswitch', log, token }, { agent: 'retention test' });
          expect(outcome).toMatchObject({ kind: 'answered', reply: { type: 'done' } });
        }
      }
    })().finally(() => (switching = false));
    // the load goes on while the switches do (on a slow machine they take longer)
    const load = { latencies: [] as number[], failures: 0 };
    while ((switching || load.latencies.length < 2_000) && !clients.some((client) => client.closed)) {
      const round = await runPairs(clients, 1_000);
      load.latencies.push(...round.latencies);
      load.failures += round.failures;
    }
    await switches;
    for (const client of clients) client.close();
    expect(load.failures).toBe(0);
    expect(load.latencies.length).toBeGreaterThan(2_000);

    const overview: LogsOverview = await eventuallyValue(
      () => backend.logs(),
      (o) => o.reportLog.estimatedBytes <= 1024 * 1024 && o.rotations.filter((r) => r.reason === 'manual').length === 6,
      20_000,
    );
    expect(overview.rotations.some((r) => r.reason === 'size')).toBe(true);
    // every grant is in exactly one place: an archive, or the table
    const folder = path.join(dataDir, 'archive');
    const archived = reportArchiveRows(archives(folder, 'report'))
      .filter((row) => row[1] === 'OUT')
      .map((row) => row[7]);
    const kept = store.reportLog.query({ event: 'OUT', limit: 1_000_000 }).map((row) => row.leaseId);
    const all = [...archived, ...kept];
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(load.latencies.length);
    for (const file of archives(folder, 'debug'))
      expect(
        unzip(file)
          .trimEnd()
          .split('\n')
          .every((line) => debugLogLinePattern.test(line)),
      ).toBe(true);
    expect(overview.longestStepMs).toBeGreaterThan(0);
    console.log(
      `retention under load: ${load.latencies.length} pairs, ${overview.rotations.length} rotations, longest retention step ${overview.longestStepMs} ms`,
    );
  });
});
