import fc from 'fast-check';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BatchedWriter } from '../../../src/core/server/batchedWriter';
import { LogRetention } from '../../../src/core/server/logs/logRetention';
import type { ReportEvent, Store } from '../../../src/core/store';
import { defaultRetentionSettings, type RetentionSettings } from '../../../src/shared/logRetention';
import { buildUsageReport, usageEventOf } from '../../../src/shared/usage';
import { fuzzSettings } from '../../support/fuzzSettings';
import { useTempStores } from '../store/tempStore';

const temp = useTempStores();
const DAY = 86_400_000;

function retentionOn(store: Store, settings: Partial<RetentionSettings> = {}, now = () => Date.now()) {
  store.retention.saveSettings({ ...defaultRetentionSettings, ...settings });
  const lines: string[] = [];
  const retention = new LogRetention({
    store,
    writer: new BatchedWriter(store),
    dataDir: store.dataDir,
    now,
    debug: (line) => lines.push(line),
    checkIntervalMs: 20,
  });
  return { retention, lines, folder: join(store.dataDir, 'archive') };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const debugLines = (store: Store, count: number, timeMs: number) =>
  store.transaction(() => {
    for (let i = 0; i < count; i++) store.debugLog.append({ timeMs: timeMs + i, daemon: 'lmgrd', message: `line ${i}` });
  });


describe('LogRetention', () => {
  it('property: usage (by feature and by user) from the rows kept plus the seats carried equals usage from all rows, wherever the log rotated', async () => {
    // checkouts and their checkins (or reclaims) in time order, with denials between
    const history = fc
      .array(
        fc.record({
          feature: fc.constantFrom('A', 'B', 'C'),
          count: fc.integer({ min: 1, max: 3 }),
          hold: fc.integer({ min: 1, max: 40 }),
          denied: fc.boolean(),
          end: fc.constantFrom<ReportEvent>('IN', 'RECLAIM', 'REMOVE'),
        }),
        {
          minLength: 1,
          maxLength: 60,
        },
      )
      .map((seats) => {
        const events: { timeMs: number; event: ReportEvent; feature: string; count: number; lease: string }[] = [];
        seats.forEach((seat, i) => {
          events.push({ timeMs: i * 10, event: seat.denied ? 'DENIED' : 'OUT', feature: seat.feature, count: seat.count, lease: `L${i}` });
          if (!seat.denied) events.push({ timeMs: i * 10 + seat.hold * 3, event: seat.end, feature: seat.feature, count: seat.count, lease: `L${i}` });
        });
        return events.sort((a, b) => a.timeMs - b.timeMs);
      });
    await fc.assert(
      fc.asyncProperty(history, fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 3 }), async (events, cuts) => {
        const store = temp.open();
        const { retention } = retentionOn(store);
        const append = (e: (typeof events)[number]) =>
          store.reportLog.append({
            timeMs: e.timeMs,
            event: e.event,
            feature: e.feature,
            version: '1.0',
            user: e.lease,
            host: 'ws',
            display: ':0',
            leaseId: e.lease,
            count: e.count,
            server: 's',
            reason: e.event === 'DENIED' ? 'no' : null,
          });
        const rotateAt = new Set(cuts.map((cut) => cut % events.length));
        for (const [i, event] of events.entries()) {
          append(event);
          if (rotateAt.has(i) && i > 0) await retention.rotateNow('report');
        }
        await retention.stop();
        const all = events.map((e) => usageEventOf({ ...e, user: e.lease, host: 'ws', reason: e.event === 'DENIED' ? 'no' : null, leaseId: e.lease }));
        const kept = store.reportLog.query({ limit: 100_000 }).map(usageEventOf);
        const state = store.retention.state('report');
        const range = { sinceMs: Math.max(0, (state.rotatedThroughMs ?? 0) + 1), untilMs: 2_000, points: 50 };
        const whole = buildUsageReport(all, range);
        const fromKept = buildUsageReport(kept, range, new Map(), {
          seatsOut: new Map(Object.entries(state.carriedSeats)),
          leasesOut: state.carriedLeases,
          rotatedThroughMs: state.rotatedThroughMs,
        });
        expect(fromKept.points).toEqual(whole.points);
        expect(fromKept.users).toEqual(whole.users);
        expect(fromKept.peaks.filter((p) => p.peak > 0)).toEqual(whole.peaks.filter((p) => p.peak > 0));
        expect(fromKept.keptSinceMs).toBe(state.rotatedThroughMs);
      }),
      fuzzSettings({ seed: 2102, numRuns: 25 }),
    );
  }, 120_000);

  it("touches only the two logs: a triad member's quorum log, vote and lease table stay as they were", async () => {
    const store = temp.open();
    const lease = (i: number) => ({
      leaseId: `L${i}`,
      poolKey: 'p',
      feature: 'f',
      vendor: 'v',
      version: '1.0',
      user: 'u',
      host: 'h',
      display: ':0',
      ip: '127.0.0.1',
      project: null,
      count: 1,
      grantedAt: i,
      resumeToken: `r${i}`,
      clientId: 'c',
      server: 's',
      handle: i,
      lingerSeconds: 0,
      lingerUntilMs: null,
    });
    store.transaction(() => {
      store.quorum.append(Array.from({ length: 500 }, (_, i) => ({ epoch: 3, idx: i + 1, op: { kind: 'grant', n: i } })));
      store.quorum.vote(3, 'primary');
      store.quorum.setCommitIndex(480);
      for (let i = 0; i < 50; i++) store.leases.put(lease(i));
    });
    const before = { state: store.quorum.state(), log: store.quorum.readFrom(1, 1000), leases: store.leases.list() };
    debugLines(store, 2000, Date.now() - 10 * DAY);
    const { retention } = retentionOn(store, { debugLog: { maxAgeDays: 1, maxMegabytes: 0 } });
    retention.start();
    await until(() => store.debugLog.retention.ends()!.first.id === 2000);
    await retention.rotateNow('report').catch(() => undefined);
    await retention.stop();
    expect({ state: store.quorum.state(), log: store.quorum.readFrom(1, 1000), leases: store.leases.list() }).toEqual(before);
  });

  it('deletes rows already archived without archiving them again (a crash between the archive and the delete)', async () => {
    const store = temp.open();
    debugLines(store, 100, Date.now());
    store.retention.saveState('debug', { archivedThroughId: 60, rotatedThroughMs: null, carriedSeats: {}, carriedLeases: {} });
    const { retention, folder } = retentionOn(store);
    retention.start();
    await until(() => store.debugLog.retention.ends()!.first.id === 61);
    await retention.stop();
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
  });

  it('removes archives an interrupted pass left half-written', async () => {
    const store = temp.open();
    const { retention, folder } = retentionOn(store);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '.debug-log_123_456.partial'), 'half');
    writeFileSync(join(folder, 'keep-me.txt'), 'not ours');
    retention.start();
    await until(() => !existsSync(join(folder, '.debug-log_123_456.partial')));
    await retention.stop();
    expect(readdirSync(folder)).toEqual(['keep-me.txt']);
  });

  it('deletes the oldest archives beyond their limit, and never the newest', async () => {
    const store = temp.open();
    const { retention, folder, lines } = retentionOn(store, { archive: { enabled: true, folder: null, maxMegabytes: 1 } });
    mkdirSync(folder, { recursive: true });
    const big = Buffer.alloc(700 * 1024);
    writeFileSync(join(folder, 'debug-log_20200101-000000_20200102-000000.log.gz'), big);
    writeFileSync(join(folder, 'report-log_20200103-000000_20200104-000000.csv.gz'), big);
    writeFileSync(join(folder, 'debug-log_20200105-000000_20200106-000000.log.gz'), big);
    retention.start();
    await until(() => readdirSync(folder).length === 1);
    await retention.stop();
    expect(readdirSync(folder)).toEqual(['debug-log_20200105-000000_20200106-000000.log.gz']);
    expect(lines.filter((line) => line.startsWith('Deleted the archive'))).toHaveLength(2);
  });

  it('with archives off, drops what is over the limits, writes no file, and refuses a manual rotation', async () => {
    const store = temp.open();
    debugLines(store, 50, Date.now() - 10 * DAY);
    debugLines(store, 5, Date.now());
    const { retention, folder, lines } = retentionOn(store, {
      archive: { enabled: false, folder: null, maxMegabytes: 0 },
      debugLog: { maxAgeDays: 1, maxMegabytes: 0 },
    });
    retention.start();
    await until(() => store.debugLog.retention.ends()!.first.id === 51);
    await expect(retention.rotateNow('debug')).rejects.toThrow(
      'Archives are off, so rotating the debug log would only delete it: turn archives on in Settings',
    );
    await retention.stop();
    expect(existsSync(folder)).toBe(false);
    expect(lines.some((line) => /^Rotated 50 rows of the debug log \(.*, older than the age limit\) \(archives are off: dropped\)$/.test(line))).toBe(true);
  });

  it('rotates report-log rows older than its age limit into CSV, carrying a seat still out, and leaves the debug log alone', async () => {
    const store = temp.open();
    const old = Date.now() - 10 * DAY;
    const row = { feature: 'A', version: '1.0', host: 'ws', display: ':0', count: 1, server: 's', reason: null };
    store.transaction(() => {
      store.reportLog.append({ ...row, timeMs: old, event: 'OUT', user: 'ann', leaseId: 'L1' });
      store.reportLog.append({ ...row, timeMs: old + 1, event: 'OUT', user: 'bob', leaseId: 'L2' });
      store.reportLog.append({ ...row, timeMs: old + 2, event: 'IN', user: 'ann', leaseId: 'L1' });
      store.reportLog.append({ ...row, timeMs: Date.now(), event: 'OUT', user: 'cy', leaseId: 'L3' });
    });
    debugLines(store, 5, old);
    const { retention, folder } = retentionOn(store, { reportLog: { maxAgeDays: 7, maxMegabytes: 0 }, debugLog: { maxAgeDays: 0, maxMegabytes: 0 } });
    retention.start();
    await until(() => store.reportLog.query({ limit: 10 }).length === 1);
    await retention.stop();
    expect(store.reportLog.query({ limit: 10 })).toMatchObject([{ user: 'cy' }]);
    expect(store.retention.state('report')).toMatchObject({ rotatedThroughMs: old + 2, carriedSeats: { A: 1 }, carriedLeases: { L2: { user: 'bob' } } });
    const [file] = readdirSync(folder);
    expect(file).toMatch(/^report-log_\d{8}-\d{6}_\d{8}-\d{6}\.csv\.gz$/);
    expect(gunzipSync(readFileSync(join(folder, file!))).toString('utf8').trimEnd().split('\n')).toHaveLength(4);
    expect(store.debugLog.query({ limit: 10 })).toHaveLength(5);
  });

  it('rotates on request into one file, keeping only the newest row (already archived), and says when there is nothing new', async () => {
    const store = temp.open();
    debugLines(store, 30, Date.now());
    const { retention } = retentionOn(store);
    const rotation = await retention.rotateNow('debug');
    expect(rotation).toMatchObject({ log: 'debug', rows: 30, reason: 'manual' });
    const text = gunzipSync(readFileSync(rotation.file!)).toString('utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(31);
    expect(store.debugLog.retention.ends()).toMatchObject({ first: { id: 30 }, last: { id: 30 } });
    await expect(retention.rotateNow('debug')).rejects.toThrow('The debug log has nothing new to rotate since the last archive.');
    await retention.stop();
  });

  it('writes archives for the server user only, like the database they come from: also in a folder outside the data folder', async () => {
    if (process.platform === 'win32') return;
    const store = temp.open();
    debugLines(store, 5, Date.now());
    const outside = join(temp.newDir(), 'triad-archives');
    const { retention } = retentionOn(store, { archive: { enabled: true, folder: outside, maxMegabytes: 0 } });
    const rotation = await retention.rotateNow('debug');
    await retention.stop();
    expect(statSync(rotation.file!).mode & 0o777).toBe(0o600);
    expect(statSync(outside).mode & 0o777).toBe(0o700);
  });

  it('keeps the rows and says why when the archive folder cannot be written', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere: nothing to see
    const store = temp.open();
    const locked = join(store.dataDir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    debugLines(store, 20, Date.now() - 10 * DAY);
    debugLines(store, 1, Date.now());
    const { retention, lines } = retentionOn(store, {
      archive: { enabled: true, folder: locked, maxMegabytes: 0 },
      debugLog: { maxAgeDays: 1, maxMegabytes: 0 },
    });
    retention.start();
    await until(() => lines.some((line) => line.startsWith('Log rotation failed')));
    await retention.stop();
    expect((await retention.overview(null)).problem).toMatch(/^Log rotation failed: .*EACCES.* The rows stay in the database until it succeeds\.$/);
    expect(store.debugLog.retention.ends()!.first.id).toBe(1);
  });
});
