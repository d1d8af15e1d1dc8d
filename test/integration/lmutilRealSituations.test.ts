import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/core/backend';
import { checkout, type HeldLicense } from '../../src/core/client/checkout';
import type { FeatureStatus } from '../../src/shared/status';
import { cliBundle } from '../support/cliBundle';
import { freePort } from '../support/freePort';
import { readLmstatText } from '../support/lmstatReader';
import { exporterLmstat } from '../support/lmstatParsers/flexlmExporter';
import { omnivectorParse } from '../support/lmstatParsers/omnivector';
import { phpLicenseUsage, phpServerStatus } from '../support/lmstatParsers/phpLicenseWatcher';
import { TEST_HOSTID, writeSignedLicense, type TestFeature } from '../support/signedLicense';
import { makeTempDir } from '../support/tempDir';
import { startSingleServer } from '../support/singleServer';

/**
 * Issue 15 acceptance, end to end: a real `lmstat -a` of the corpus (test/fixtures/real/lmstat)
 * is rebuilt on a live `triad` server (its features, reservations and checkouts), and the
 * third-party parsers read `lmutil lmstat -a -c NAME` for every name of that server (address,
 * localhost, host name, quoted, a two-entry list, the license file) like the real output. The
 * server's host name and port are this machine's; they replace the recorded ones in the real
 * text. Start times and the status date are now, not the recorded ones (the formatter-level
 * comparison in test/unit/lmstat/realCorpus.test.ts holds them equal), so they are compared as
 * present or absent here.
 */

const run = promisify(execFile);
const temp = makeTempDir('triad-lmutil-real-');
const running: Backend[] = [];
const held: HeldLicense[] = [];
afterAll(async () => {
  await Promise.all(held.map((seat) => seat.checkin().catch(() => undefined)));
  await Promise.all(running.map((backend) => backend.stop('test finished')));
  temp.remove();
});

const corpus = path.join(import.meta.dirname, '../fixtures/real/lmstat');

async function lmutil(args: string[]): Promise<string> {
  const bundle = await cliBundle('lmutil');
  const { stdout } = await run(process.execPath, [bundle, ...args], { env: { ...process.env, LM_LICENSE_FILE: '', TZ: 'UTC' } });
  return stdout;
}

/** The license lines for a feature's pools: each at least its users' seats, the first the rest. */
function licenseLines(pools: FeatureStatus[]): TestFeature[] {
  const taken = pools.map((pool) => Math.max(1, pool.users.reduce((sum, user) => sum + user.count, 0)));
  const issued = pools[0].issued;
  return pools.map((pool, index) => ({
    name: pool.name,
    version: pool.version,
    count: issued === null ? 'uncounted' : index === 0 ? issued - taken.slice(1).reduce((a, b) => a + b, 0) : taken[index],
  }));
}

/** This machine's host name with the loopback address it resolves to; `localhost` where it resolves elsewhere. */
async function loopbackServer(): Promise<{ host: string; address: string }> {
  const { address } = await lookup(hostname(), { family: 4 }).catch(() => ({ address: '' }));
  return address.startsWith('127.') ? { host: hostname(), address } : { host: 'localhost', address: '127.0.0.1' };
}

/** Starts a server in the situation `name` records, under this machine's name; returns the real text renamed. */
async function rebuild(name: string, server: { host: string; address: string }): Promise<{ realText: string; port: number; licensePath: string }> {
  const recorded = readFileSync(path.join(corpus, name), 'utf8');
  const { reports } = readLmstatText(recorded);
  const [member] = reports[0].members;
  const status = reports[0].probes.map((probe) => ('status' in probe ? probe.status : null)).find((s) => s !== null)!;
  const { host } = server;
  const port = await freePort(server.address);
  const realText = recorded
    .replaceAll(new RegExp(`\\b${member.host}\\b`, 'g'), host)
    .replaceAll(`${member.port}@`, `${port}@`)
    .replaceAll(`/${member.port} `, `/${port} `)
    .replaceAll(`/${member.port})`, `/${port})`);
  const byName = new Map<string, FeatureStatus[]>();
  for (const pool of status.features) byName.set(pool.name, [...(byName.get(pool.name) ?? []), pool]);
  const reservations = status.features.flatMap((pool) => pool.reservations.map((reservation) => ({ ...reservation, feature: pool.name })));
  const dir = path.join(temp.dir, name);
  const license = writeSignedLicense(dir, {
    vendor: status.vendors[0].name,
    servers: [{ host, hostid: TEST_HOSTID, port }],
    features: [...byName.values()].flatMap(licenseLines),
    // a group of nobody holds the seats back, as the recorded reservation did
    options: reservations.map((r) => `${r.type === 'GROUP' ? `GROUP ${r.name} nobody\n` : ''}RESERVE ${r.count} ${r.feature} ${r.type} ${r.name}\n`).join(''),
  });
  running.push(await startSingleServer(license, path.join(dir, 'data'), { port, bind: server.address }));
  for (const pool of status.features) {
    for (const user of pool.users) {
      const { version, count, display } = user;
      const result = await checkout([{ host: server.address, port }], { feature: pool.name, version, count, user: user.user, host: user.host, display });
      if (result.kind !== 'granted') throw new Error(`${pool.name} for ${user.user}: ${JSON.stringify(result)}`);
      held.push(result.license);
    }
  }
  return { realText, port, licensePath: license.licensePath };
}

/** What differs by when the output was taken or by the product's own version, made equal. */
function timeless(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, field: unknown) => {
    if (['since', 'date', 'time'].includes(key)) return typeof field === 'string' && field !== '' ? 'some time' : field;
    if (/version$/i.test(key) && typeof field === 'string' && /^v\d+\.\d+\.\d+/.test(field)) return 'product version';
    return field;
  });
}

const perFeature = (text: string) => text.split(/^(?=Users of )/m).slice(1).map((feature) => omnivectorParse(feature));

/**
 * The single-server outputs of the corpus whose layout every parser reads whole (of the others,
 * the parsers read less of the real text; see realCorpus.test.ts): a MATLAB server with many
 * pools, 60 seats out and reservations nobody holds.
 */
const situations = ['exporter-app6-matlab-reservations.txt'];

describe.each(situations)('lmutil lmstat -a -c NAME of the situation in %s', (name) => {
  it('reads in the three parsers like the real output, for every name of the server', async () => {
    const server = await loopbackServer();
    const { realText, port, licensePath } = await rebuild(name, server);
    const { host } = server;
    const fromReal = exporterLmstat(realText);
    // the situation has what is compared: users and reservations
    expect(Object.keys(fromReal.users).length).toBeGreaterThan(0);
    expect(Object.keys(fromReal.reservations).length).toBeGreaterThan(0);
    const names = [`${port}@${host}`, `${port}@localhost`, `${port}@127.0.0.1`, `"${port}@${host}"`, `${port}@${host},${port}@localhost`, licensePath];
    for (const spec of names) {
      const ours = await lmutil(['lmstat', '-a', '-c', spec]);
      expect(timeless(exporterLmstat(ours)), spec).toEqual(timeless(fromReal));
      expect(timeless(perFeature(ours)), spec).toEqual(timeless(perFeature(realText)));
      expect(timeless(phpServerStatus(ours)), spec).toEqual(timeless(phpServerStatus(realText)));
      expect(timeless(phpLicenseUsage(ours)), spec).toEqual(timeless(phpLicenseUsage(realText)));
    }
  }, 120_000);
});
