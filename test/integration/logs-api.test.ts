import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { checkout } from '../../src/core/client/checkout';
import { openAdminApp, type AdminApp } from '../../src/host/adminApp';
import { defaultRetentionSettings } from '../../src/shared/logRetention';
import { buildUserUsage } from '../../src/shared/userUsage';
import { eventuallyValue } from '../support/eventually';
import { freePort } from '../support/freePort';
import { makeTempDir } from '../support/tempDir';

/** The admin contract's logs.* methods (the Settings screen), through the app every host runs. */

describe('logs.get / logs.configure / logs.rotate', () => {
  const temp = makeTempDir();
  let app: AdminApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    app = await openAdminApp({ dataDir: path.join(temp.dir, 'app'), port, bind: '127.0.0.1', demoServerHost: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    temp.remove();
  });

  const audited = (action: string) => app.store.audit.recent(50).filter((entry) => entry.action === action);

  it('shows the defaults, the logs and the disk of the running server', async () => {
    const result = await eventuallyValue(
      () => app.api.invoke('logs.get', {}),
      (r) => r.ok && r.value.disk !== null,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({
      settings: defaultRetentionSettings,
      running: true,
      archiveFolder: path.join(temp.dir, 'app', 'archive'),
      disk: { folder: path.join(temp.dir, 'app') },
    });
    expect(result.value.debugLog.rows).toBeGreaterThan(0);
  });

  it('saves changed settings, audits them, and refuses a wrong combination saying why', async () => {
    const saved = await app.api.invoke('logs.configure', { reportLog: { maxAgeDays: 400 } });
    expect(saved).toMatchObject({ ok: true, value: { settings: { reportLog: { maxAgeDays: 400, maxMegabytes: 1024 } } } });
    expect(audited('log retention')[0]).toMatchObject({ who: 'admin app', detail: expect.stringContaining('report log 400 days / 1024 MB') });
    const wrong = await app.api.invoke('logs.configure', { disk: { warnBelowMegabytes: 10 } });
    expect(wrong).toEqual({
      ok: false,
      error: {
        code: 'bad-request',
        message:
          'The settings were not saved: disk.warnBelowMegabytes: The warning threshold must not be below the threshold at which new licenses are refused ' +
          '(the warning comes first).',
      },
    });
    const unknown = await app.api.invoke('logs.configure', { debugLog: { keepForever: true } } as never);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('rotates the report log on request (audited as lmswitch), and usage then says from when it holds activity, still counting the seat out', async () => {
    const seat = await checkout([{ host: '127.0.0.1', port }], { feature: 'demo_modeler', version: '1.0', count: 1, user: 'ann', host: 'ws', display: ':0' });
    if (seat.kind !== 'granted') throw new Error(JSON.stringify(seat));
    await eventuallyValue(
      () => app.store.reportLog.query({ event: 'OUT' }).length,
      (n) => n === 1,
    );
    const rotated = await app.api.invoke('logs.rotate', { log: 'report' });
    if (!rotated.ok) throw new Error(rotated.error.message);
    expect(rotated.value.message).toMatch(/^report log switched: 1 rows \(.*\) written to .*report-log_\d{8}-\d{6}_\d{8}-\d{6}\.csv\.gz$/);
    expect(rotated.value.overview.archives.count).toBe(1);
    expect(audited('lmswitch')[0]).toMatchObject({ who: 'admin app', fromAddress: 'local', detail: 'report log' });

    // the OUT row is the newest row: archived, and kept as the anchor of the ids; the checkin comes after it
    await seat.license.checkin();
    const second = await checkout([{ host: '127.0.0.1', port }], { feature: 'demo_modeler', version: '1.0', count: 1, user: 'bob', host: 'ws', display: ':0' });
    if (second.kind !== 'granted') throw new Error(JSON.stringify(second));
    await eventuallyValue(
      () => app.store.reportLog.query({ event: 'OUT' }).length,
      (n) => n === 2,
    );
    await app.api.invoke('logs.rotate', { log: 'report' });
    const now = Date.now();
    const usage = await app.api.invoke('usage.get', { sinceMs: now - 3_600_000, untilMs: now + 1000, points: 10 });
    if (!usage.ok) throw new Error(usage.error.message);
    expect(usage.value.keptSinceMs).toBe(app.store.retention.state('report').rotatedThroughMs);
    expect(usage.value.keptSinceMs).not.toBeNull();
    // bob's seat was checked out before the second rotation and is still out: counted
    expect(usage.value.points.at(-1)!.inUse.demo_modeler).toBe(1);
    await second.license.checkin();
  });

  it('the per-user report of what is kept is the same after a rotation: seats held across it count, with their users', async () => {
    const seat = (user: string) =>
      checkout([{ host: '127.0.0.1', port }], { feature: 'demo_modeler', version: '1.0', count: 1, user, host: 'ws', display: ':0' });
    const granted = async (user: string) => {
      const result = await seat(user);
      if (result.kind !== 'granted') throw new Error(JSON.stringify(result));
      return result.license;
    };
    const rowsSoFar = () => app.store.reportLog.query({ limit: 100_000 });
    const rowCount = async (n: number) => eventuallyValue(() => rowsSoFar().length, (rows) => rows >= n);
    const start = rowsSoFar().length;
    const ann = await granted('ann'); // checked in after the rotation
    const cy = await granted('cy'); // still out at the end
    const bob = await granted('bob');
    await bob.checkin();
    await rowCount(start + 4);
    const before = rowsSoFar();
    const rotated = await app.api.invoke('logs.rotate', { log: 'report' });
    if (!rotated.ok) throw new Error(rotated.error.message);
    const rotatedThroughMs = app.store.retention.state('report').rotatedThroughMs!;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await ann.checkin();
    const dee = await granted('dee');
    await dee.checkin();
    await rowCount(1 + 3);

    const all = new Map([...before, ...rowsSoFar()].map((row) => [row.id, row]));
    const events = [...all.values()]
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ time: r.timeMs, event: r.event, feature: r.feature, user: r.user, host: r.host, count: r.count, reason: r.reason, leaseId: r.leaseId }));
    const range = { sinceMs: rotatedThroughMs + 1, untilMs: Date.now() + 1_000 };
    const usage = await app.api.invoke('usage.get', { ...range, points: 10 });
    if (!usage.ok) throw new Error(usage.error.message);
    const expected = buildUserUsage(events, range);
    for (const held of ['ann', 'cy']) expect(expected.find((u) => u.user === held)?.heldMs).toBeGreaterThan(0);
    expect(usage.value.users).toEqual(expected);
    await cy.checkin();
  });

  it('while the server is stopped: settings can be changed, rotation is refused with the reason', async () => {
    await app.api.invoke('server.stop', {});
    const stopped = await app.api.invoke('logs.get', {});
    expect(stopped).toMatchObject({ ok: true, value: { running: false, disk: null, rotations: [] } });
    expect(await app.api.invoke('logs.configure', { debugLog: { maxMegabytes: 200 } })).toMatchObject({
      ok: true,
      value: { settings: { debugLog: { maxMegabytes: 200 } } },
    });
    expect(await app.api.invoke('logs.rotate', { log: 'debug' })).toEqual({
      ok: false,
      error: { code: 'not-running', message: 'The license server is stopped: start it to rotate its logs (the rows stay in the database meanwhile).' },
    });
  });
});
