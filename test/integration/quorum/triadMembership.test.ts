import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { licenseFileIn } from '../../../src/core/adminApi';
import { importOutcome } from '../../../src/core/adminLicenses';
import { BackendError, createBackend } from '../../../src/core/backend';
import { checkout, type HeldLicense } from '../../../src/core/client/checkout';
import { parseLicenseText } from '../../../src/core/license';
import { createTriad } from '../../../src/core/server/triad/createTriad';
import { recordedMembers, replaceServer, resetQuorum } from '../../../src/core/server/triad/triadMembership';
import { openStore } from '../../../src/core/store';
import type { MethodArgs, MethodName } from '../../../src/shared/contract';
import type { ServerStatus } from '../../../src/shared/status';
import { openAdminApp, type AdminApp } from '../../../src/host/adminApp';
import { freePort } from '../../support/freePort';
import { licenseText, TEST_HOSTID, writeSignedLicense } from '../../support/signedLicense';
import { makeTempDir } from '../../support/tempDir';
import { invokeOk, provisionAdminDataDir } from '../../support/adminDataDir';

/**
 * Issue 14, findings 5 and 6, on whole servers: a license file that changes which servers there
 * are (single to triad, a triad this machine is not in) is served only by stopping and forming
 * again, never as a false master; a triad's members are its machines, recorded when it first
 * runs, so a file that reorders or replaces SERVER lines is refused unless the administrator
 * migrates on purpose. Both tests failed before the fix (the import made a lone MASTER that
 * served a second full pool; the reordered file was accepted).
 */

const temp = makeTempDir('triad-membership-');
const apps: AdminApp[] = [];
const held: HeldLicense[] = [];
afterAll(async () => {
  for (const license of held) await license.checkin().catch(() => {});
  await Promise.all(apps.map((app) => app.close()));
  temp.remove();
});

const singlePort = await freePort();
const triadPort = await freePort();
const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const seats = 4;
const features = [{ name: 'Redundant', count: seats }];
const publisher = writeSignedLicense(path.join(temp.dir, 'publisher'), { servers: [{ host: hosts[0], hostid: TEST_HOSTID, port: singlePort }], features });
const singleText = readFileSync(publisher.licensePath, 'utf8');
/** A triad file signed by the same publisher, for these SERVER-line hosts. */
function triadText(servers: string[], ports = servers.map(() => triadPort)): string {
  publisher.rewrite({ servers: servers.map((host, i) => ({ host, hostid: TEST_HOSTID, port: ports[i]! })), features });
  return readFileSync(publisher.licensePath, 'utf8');
}
const CLUSTER_SECRET = 'c5'.repeat(32);
const request = (user: string) => ({ feature: 'Redundant', version: '1.0', count: 1, user, host: 'ws', display: ':0' });

/** A data folder as an earlier import left it: `licenseText` as the current file, the publisher trusted. */
const provision = (name: string, text: string) =>
  provisionAdminDataDir(path.join(temp.dir, name), { text, publicKeyPath: publisher.publicKeyPath, clusterSecret: CLUSTER_SECRET });
const call = <M extends MethodName>(app: AdminApp, method: M, args: MethodArgs<M>) => invokeOk(app.api, method, args);

async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a license file that changes the servers, imported at run time', () => {
  it('turns a single server into a triad member that waits for its peers instead of a lone master, and one triad serves the licensed seats', async () => {
    const triad = triadText(hosts);
    const single = await openAdminApp({ dataDir: provision('single', singleText), as: hosts[0], hostid: TEST_HOSTID });
    apps.push(single);
    expect(single.status()).toMatchObject({ mode: 'single', role: 'master', port: singlePort });

    const result = await call(single, 'license.import', { fileName: 'triad.lic', text: triad });
    expect(result.imported).toBe(true);
    expect(result.outcome?.state).toBe('waiting-for-peers');
    // stopped, formed again on the SERVER line's port, and not serving alone
    expect(single.status()).toMatchObject({ mode: 'triad', role: 'no-quorum', master: null, quorum: false, port: triadPort });
    const alone = await checkout([{ host: hosts[0], port: triadPort }], request('early'));
    expect(alone.kind).not.toBe('granted');

    for (const rank of [1, 2]) apps.push(await openAdminApp({ dataDir: provision(`member${rank}`, triad), as: hosts[rank], hostid: TEST_HOSTID }));
    await eventually(() => apps.filter((app) => app.status().role === 'master').length === 1 && apps.every((app) => app.status().quorum), 15_000);
    const members = hosts.map((host) => ({ host, port: triadPort }));
    const outcomes = [];
    for (let i = 0; i < seats + 2; i++) {
      const outcome = await checkout(members, request(`user${i}`));
      if (outcome.kind === 'granted') held.push(outcome.license);
      outcomes.push(outcome.kind);
    }
    expect(outcomes.filter((kind) => kind === 'granted')).toHaveLength(seats);
    expect(apps.filter((app) => app.status().role === 'master')).toHaveLength(1);
    for (const license of held.splice(0)) await license.checkin();
  });

  it('refuses a triad file that names none of this machine\'s hosts, and serves the previous file again', async () => {
    const member = apps[0];
    const before = member.status().role;
    const result = await member.api.invoke('license.import', { fileName: 'elsewhere.lic', text: triadText(['127.0.0.4', '127.0.0.5', '127.0.0.6']) });
    // refused by the check before anything is written: the server keeps serving the file it has
    expect(result).toMatchObject({ ok: true, value: { imported: false } });
    const errors = result.ok && !result.value.imported ? result.value.report.errors.map((error) => error.message) : [];
    expect(errors).toEqual([expect.stringMatching(/^none of the three SERVER lines \(127\.0\.0\.4, 127\.0\.0\.5, 127\.0\.0\.6\) is this machine/)]);
    await eventually(() => member.status().role === before || member.status().role === 'standby' || member.status().role === 'master', 10_000);
    expect(member.status()).toMatchObject({ mode: 'triad', port: triadPort });
    expect(readFileSync(licenseFileIn(path.join(temp.dir, 'single')), 'utf8')).not.toContain('127.0.0.4');
  });
});

describe('the members of a triad are its machines', () => {
  it('refuses to distribute a file that moves a member to another host or port, and says how to migrate', async () => {
    await eventually(() => apps.some((app) => app.status().role === 'master'), 15_000);
    const master = apps.find((app) => app.status().role === 'master')!;
    const moved = hosts.findIndex((host) => host !== master.status().host);
    const elsewhere = hosts.map((host, i) => (i === moved ? '127.0.0.9' : host));
    const ports = hosts.map((_, i) => (i === moved ? triadPort + 1 : triadPort));
    for (const text of [triadText(elsewhere), triadText(hosts, ports)]) {
      const result = await master.api.invoke('license.import', { fileName: 'moved.lic', text, distribute: true });
      // another host is refused by the import's check (which names the member it replaces), another port when distributed
      const refusal = !result.ok
        ? result.error.message
        : result.value.imported
          ? `accepted: ${JSON.stringify(result.value).slice(0, 400)}`
          : result.value.report.errors.map((e) => `${e.message} (hint: ${e.hint})`).join('; ');
      expect(refusal).toMatch(/never moved, reordered or replaced.*replace-server.*quorum-reset/s);
    }
    expect(apps.map((app) => app.status().port)).toEqual(hosts.map(() => triadPort));
    expect(readFileSync(licenseFileIn(path.join(temp.dir, 'member1')), 'utf8')).not.toMatch(/127\.0\.0\.9|\b${triadPort + 1}\b/);
  });

  it('refuses to start with a file that reorders the SERVER lines, and says how to migrate', async () => {
    const dataDir = path.join(temp.dir, 'member2');
    const app = apps.pop()!;
    await app.close();
    const licensePath = path.join(temp.dir, 'reordered.lic');
    writeFileSync(licensePath, triadText([hosts[0], hosts[2], hosts[1]]));
    const start = createBackend({ licensePath, trustFiles: [publisher.publicKeyPath], dataDir, as: hosts[2], hostid: TEST_HOSTID, triad: createTriad });
    await expect(start).rejects.toThrow(BackendError);
    await expect(start).rejects.toThrow(/formed with .*replace-server.*quorum-reset/s);
  });

  it('replace-server accepts one SERVER line naming a new machine and nothing else; quorum-reset forgets the triad', () => {
    const store = openStore(path.join(temp.dir, 'member1'));
    const file = (servers: string[]) =>
      parseLicenseText(licenseText({ servers: servers.map((host) => ({ host, hostid: TEST_HOSTID, port: triadPort })), features: [] }), 'new.lic').file;
    const recorded = recordedMembers(store);
    expect(recorded).toHaveLength(3);
    expect(replaceServer(store, file([hosts[1], hosts[0], hosts[2]]), 0)).toMatchObject({ ok: false, message: expect.stringMatching(/reorders/) });
    expect(replaceServer(store, file(['127.0.0.7', '127.0.0.8', hosts[2]]), 0)).toMatchObject({ ok: false });
    expect(replaceServer(store, file(['127.0.0.7', hosts[1], hosts[2]]), 0)).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^SERVER line 1 \(primary\): 127\.0\.0\.1 \(host id \w+\) -> 127\.0\.0\.7 \(host id \w+\): /),
    });
    expect(recordedMembers(store)?.[0]).toBe(`127.0.0.7/${TEST_HOSTID}`);
    resetQuorum(store);
    expect(recordedMembers(store)).toBeNull();
    expect(store.quorum.state()).toEqual({ epoch: 0, votedFor: null, commitIndex: 0, triadId: null, learner: false });
    expect(store.quorum.last()).toBeNull();
    store.close();
  });
});

describe('what an import says it did', () => {
  const status = (overrides: Partial<ServerStatus>): ServerStatus => ({
    takenAt: 0,
    version: 'v1',
    host: 'lic1',
    port: 27000,
    licenseFiles: [],
    mode: 'single',
    role: 'master',
    master: 'lic1',
    quorum: true,
    members: [],
    vendors: [],
    features: [],
    warnings: [],
    optionsProblems: [],
    ...overrides,
  });
  const feature = (served: boolean, notServedReason: string | null) =>
    ({
      name: 'f',
      vendor: 'v',
      version: '1.0',
      expiry: 'permanent',
      issued: 1,
      inUse: 0,
      kind: 'floating',
      lockedTo: null,
      vendorString: null,
      served,
      notServedReason,
      users: [],
      reservations: [],
    }) as ServerStatus['features'][number];

  it('names what is served, or why nothing is, instead of claiming it serves the file', () => {
    expect(importOutcome('a.lic', status({ features: [feature(true, null)] }))).toEqual({
      state: 'served',
      message: 'Imported a.lic. The server now serves 1 feature: f.',
    });
    expect(importOutcome('a.lic', status({ features: [feature(false, 'Invalid license signature; no trusted key for v.')] }))).toMatchObject({
      state: 'nothing-served',
      message: expect.stringContaining('no trusted key for v'),
    });
    expect(importOutcome('a.lic', status({ mode: 'triad', role: 'standby', master: 'lic2' })).state).toBe('standby');
    expect(importOutcome('a.lic', status({ mode: 'triad', role: 'no-quorum', master: null })).state).toBe('waiting-for-peers');
  });
});

