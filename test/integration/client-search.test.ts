import { execFile } from 'node:child_process';
import path from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeldLicense } from '../../src/core/client/checkout';
import { LicenseSearch } from '../../src/core/client/search';
import { checkoutAttempt } from '../../src/core/client/searchAttempts';
import { createLicenseSearch } from '../../src/core/client/searchTargets';
import { cliBundle } from '../support/cliBundle';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';
import { freePort } from '../support/freePort';

/**
 * Issue 5 acceptance on loopback: two independent single servers (A: 1 seat, B: 2 seats of the
 * same feature) searched in order, plus `triad lmstat` and `triad client`. The triad cases are in
 * client-search-triad.test.ts.
 */

const run = promisify(execFile);
const temp = makeTempDir('triad-client-search-');
const servers: TriadChild[] = [];
const held: HeldLicense[] = [];
let portA = 0;
let portB = 0;
let deadPort = 0;

/** A port nobody listens on: bound, read, released. */
async function startServer(name: string, port: number, seats: number): Promise<void> {
  const dir = path.join(temp.dir, name);
  mkdirSync(dir);
  const license = writeSignedLicense(dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID, port }], features: [{ name: 'DOORS', count: seats }] });
  const child = await spawnTriad([
    'serve',
    '-c',
    license.licensePath,
    '--data',
    path.join(dir, 'data'),
    '--hostid',
    TEST_HOSTID,
    '--trust',
    license.publicKeyPath,
  ]);
  servers.push(child);
  await child.waitForLine(/ready on/);
}

const request = (user: string) => ({ feature: 'DOORS', version: '1.0', count: 1, user, host: 'ws', display: 'console' });
const options = { connectTimeoutMs: 3000, agent: 'client-search test' };

async function checkoutVia(search: LicenseSearch, user: string) {
  const outcome = await search.run(checkoutAttempt(request(user), options));
  if (outcome.kind === 'granted') held.push(outcome.value);
  return outcome;
}

async function triad(args: string[], env: NodeJS.ProcessEnv = {}) {
  const bundle = await cliBundle();
  try {
    const { stdout, stderr } = await run(process.execPath, [bundle, ...args], { env: { ...process.env, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  [portA, portB, deadPort] = await Promise.all([freePort(), freePort(), freePort()]);
  await Promise.all([startServer('a', portA, 1), startServer('b', portB, 2)]);
});

afterAll(async () => {
  await Promise.all(held.map((license) => license.checkin()));
  await Promise.all(servers.map((child) => stopChild(child)));
  temp.remove();
});

describe('client search over two independent servers', () => {
  it('the first entry down: a seat comes from the second', async () => {
    const { search, problems } = createLicenseSearch({ commandLine: `${deadPort}@127.0.0.1:${portA}@127.0.0.1`, env: {}, platform: 'unix' });
    expect(problems).toEqual([]);
    const outcome = await checkoutVia(search, 'first-down');
    expect(outcome).toMatchObject({ kind: 'granted', server: { port: portA } });
    expect(outcome.steps.map((s) => [s.address.port, s.outcome])).toEqual([
      [deadPort, 'unreachable'],
      [portA, 'granted'],
    ]);
  });

  it('the first server out of seats: a seat comes from the next, and independent servers never share seats', async () => {
    // A's only seat is held by the previous test.
    const { search } = createLicenseSearch({ env: { LM_LICENSE_FILE: `${portA}@127.0.0.1;${portB}@127.0.0.1` }, platform: 'unix' });
    const second = await checkoutVia(search, 'spill-1');
    expect(second).toMatchObject({ kind: 'granted', server: { port: portB } });
    expect(second.steps[0]).toMatchObject({ outcome: 'denied', detail: expect.stringMatching(/Licensed number of users already reached/) });
    expect(await checkoutVia(search, 'spill-2')).toMatchObject({ kind: 'granted', server: { port: portB } });
    const none = await checkoutVia(new LicenseSearch(search.targets), 'spill-3');
    expect(none).toMatchObject({ kind: 'denied', server: { port: portB } });
  });

  it('the vendor variable is searched before LM_LICENSE_FILE', async () => {
    const { search } = createLicenseSearch({
      vendor: 'ibmratl',
      env: { IBMRATL_LICENSE_FILE: `${deadPort}@127.0.0.1`, LM_LICENSE_FILE: `${portB}@127.0.0.1` },
      platform: 'unix',
    });
    expect(search.targets.map((t) => t.source)).toEqual(['IBMRATL_LICENSE_FILE', 'LM_LICENSE_FILE']);
  });

  it('triad checkout --vendor searches <VENDOR>_LICENSE_FILE before LM_LICENSE_FILE', async () => {
    // B's seats are all held by now: reaching B gives a denial (exit 1), the dead port alone gives exit 2
    const env = { IBMRATL_LICENSE_FILE: `${portB}@127.0.0.1`, LM_LICENSE_FILE: `${deadPort}@127.0.0.1` };
    const withVendor = await triad(['checkout', 'DOORS', '--vendor', 'ibmratl', '--connect-timeout', '1000'], env);
    expect(withVendor.code).toBe(1);
    expect(withVendor.stdout).toMatch(new RegExp(`DENIED: "DOORS" from ${portB}@127\\.0\\.0\\.1`));
    const withoutVendor = await triad(['checkout', 'DOORS', '--connect-timeout', '1000'], env);
    expect(withoutVendor.code).toBe(2);
  });

  it('triad lmstat -a prints the FlexLM layout for a live server and the error line for a dead one', async () => {
    const live = await triad(['lmstat', '-c', `${portA}@127.0.0.1`, '-a']);
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(new RegExp(`^License server status: ${portA}@127\\.0\\.0\\.1$`, 'm'));
    expect(live.stdout).toMatch(/^127\.0\.0\.1: license server UP \(MASTER\) v[\d.]+$/m);
    expect(live.stdout).toMatch(/^Users of DOORS: {2}\(Total of 1 license issued; {2}Total of 1 license in use\)$/m);
    expect(live.stdout).toMatch(
      new RegExp(`^    first-down ws console \\(v1\\.0\\) \\(127\\.0\\.0\\.1/${portA} \\d+\\), start \\w{3} \\d+/\\d+ \\d+:\\d\\d$`, 'm'),
    );
    const dead = await triad(['lmstat', '-c', `${deadPort}@127.0.0.1`]);
    expect(dead.code).toBe(1);
    expect(dead.stdout).toMatch(/^lmutil - Copyright .*\nFlexible License Manager status on .*\n\nError getting status: Cannot connect to license server system\. \(-15,570:111 "Connection refused"\)\n$/);
  });

  it('without -c, checkout and lmstat also search ~/.flexlmrc and the stored client configuration', async () => {
    const rcHome = path.join(temp.dir, 'rc-home');
    mkdirSync(rcHome);
    writeFileSync(path.join(rcHome, '.flexlmrc'), `LM_LICENSE_FILE=${portA}@127.0.0.1\n`);
    const viaRc = await triad(['lmstat', '-a'], { HOME: rcHome, LM_LICENSE_FILE: '' });
    expect(viaRc.code).toBe(0);
    expect(viaRc.stdout).toMatch(new RegExp(`^License server status: ${portA}@127\\.0\\.0\\.1$`, 'm'));

    // the configuration `triad client` (and the desktop app) keep in the per-user data folder
    const env = { HOME: path.join(temp.dir, 'no-rc-home'), XDG_DATA_HOME: path.join(temp.dir, 'xdg'), LM_LICENSE_FILE: '' };
    mkdirSync(env.HOME);
    expect((await triad(['client', 'import', `${portB}@127.0.0.1`], env)).code).toBe(0);
    expect((await triad(['client', 'use', 'on'], env)).code).toBe(0);
    // B's seats are all held: a denial from B (exit 1) shows the stored entry was searched
    const stored = await triad(['checkout', 'DOORS', '--connect-timeout', '1000'], env);
    expect(stored.code).toBe(1);
    expect(stored.stdout).toMatch(new RegExp(`DENIED: "DOORS" from ${portB}@127\\.0\\.0\\.1`));
  });

  it('triad client: import, use on, export to ~/.flexlmrc, verify each entry', async () => {
    const home = path.join(temp.dir, 'home');
    mkdirSync(home);
    const data = ['client', '--data', path.join(temp.dir, 'client-data')];
    const env = { HOME: home };
    expect((await triad([...data, 'import', `${portA}@127.0.0.1:${deadPort}@127.0.0.1`], env)).code).toBe(0);
    expect((await triad([...data, 'use', 'on'], env)).code).toBe(0);
    const exported = await triad([...data, 'export', '--flexlmrc'], env);
    expect(exported.stdout).toBe(`${portA}@127.0.0.1:${deadPort}@127.0.0.1\n`);
    expect(readFileSync(path.join(home, '.flexlmrc'), 'utf8')).toBe(`LM_LICENSE_FILE=${portA}@127.0.0.1:${deadPort}@127.0.0.1\n`);
    const verify = await triad([...data, 'verify', '--timeout', '2'], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(new RegExp(`^1\\. 127\\.0\\.0\\.1 \\(${portA}@127\\.0\\.0\\.1\\): reachable`, 'm'));
    expect(verify.stdout).toMatch(/^ {5}DOORS v1\.0: 1 issued, 1 in use$/m);
    expect(verify.stdout).toMatch(new RegExp(`^2\\. 127\\.0\\.0\\.1 \\(2\\) \\(${deadPort}@127\\.0\\.0\\.1\\): not reachable: .*Connection refused`, 'm'));
  });
});

