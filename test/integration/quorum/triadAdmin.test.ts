import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenseFileIn } from '../../../src/core/admin/adminApi';
import { parseVendorKeyFile } from '../../../src/core/license';
import { openStore } from '../../../src/core/store';
import type { MethodArgs, MethodName, MethodResult } from '../../../src/shared/contract';
import { openAdminApp, type AdminApp } from '../../../src/host/adminApp';
import { TEST_HOSTID, writeSignedLicense, type TestLicense } from '../../support/signedLicense';
import { makeTempDir } from '../../support/tempDir';
import { freePort } from '../../support/freePort';
import { shareClusterSecret } from '../../support/clusterSecret';

/**
 * Three admin apps (the same code the desktop app and the headless host run), one per triad
 * member, each with its own data folder and license file:
 * - a re-key imported on the master reaches all three over the peer links and they switch
 *   together, so the quorum never breaks (the seed's third troubleshooting case);
 * - a file imported on one member only keeps that member out of the quorum, and says why;
 * - a standby's Debug log screen reads the master's log over the peer link.
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const port = await freePort();
const license = (count: number, extraFeatures = 0): TestLicense => ({
  servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })),
  features: [{ name: 'Redundant', count }, ...Array.from({ length: extraFeatures }, (_, i) => ({ name: `extra_${i}`, count: 1 }))],
});

async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const temp = makeTempDir('triad-admin-');
const publisher = writeSignedLicense(path.join(temp.dir, 'publisher'), license(2));
const apps: AdminApp[] = [];

/** A member's data folder as an earlier import left it: the license file and the vendor's key. */
function provision(rank: number): string {
  const dataDir = path.join(temp.dir, `member${rank}`);
  const store = openStore(dataDir);
  const text = readFileSync(publisher.licensePath, 'utf8');
  const key = parseVendorKeyFile(readFileSync(publisher.publicKeyPath, 'utf8'));
  if (!key.ok) throw new Error(key.message);
  store.trustedKeys.add({ vendor: key.vendor, publicKey: key.pem, addedAt: 0 });
  store.licenseFiles.import({ path: licenseFileIn(dataDir), text, importedAt: 0 });
  store.close();
  return dataDir;
}

async function call<M extends MethodName>(rank: number, method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
  const result = await apps[rank].api.invoke(method, args);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The log as `log.query` answers once it holds `message` (or after 5 s): lines land in the next group commit. */
async function logWith(rank: number, args: MethodArgs<'log.query'>, message: string): Promise<MethodResult<'log.query'>> {
  let log = await call(rank, 'log.query', args);
  for (let tries = 0; tries < 100 && !log.lines.some((line) => line.message === message); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    log = await call(rank, 'log.query', args);
  }
  return log;
}

const issued = (rank: number) => apps[rank].status().features.find((feature) => feature.name === 'Redundant')?.issued;

beforeAll(async () => {
  shareClusterSecret([0, 1, 2].map((rank) => path.join(temp.dir, `member${rank}`)));
  for (const rank of [0, 1, 2]) apps.push(await openAdminApp({ dataDir: provision(rank), as: hosts[rank], hostid: TEST_HOSTID }));
  await eventually(() => apps[0].status().role === 'master' && apps[2].status().members.every((m) => m.up), 10_000);
}, 30_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  temp.remove();
});

describe('administering a triad from its members', () => {
  it("a standby's Debug log shows the master's log, read over the peer link", async () => {
    const local = await call(1, 'log.query', { limit: 500 });
    expect(local.masterKeepsLog).toEqual({ master: hosts[0] });
    const established = `Redundant server quorum established. Master is ${hosts[0]}`;
    const master = await logWith(1, { source: 'master', limit: 500 }, established);
    expect(master.lines.map((line) => line.message)).toContain(established);
    expect(master.lines.every((line, i) => i === 0 || line.id > master.lines[i - 1].id)).toBe(true);
    // the newest lines: a limit keeps the end of the log, not its start
    // (the master keeps logging meanwhile, so: the two newest at the time, next to each other)
    const lastTwo = (await call(1, 'log.query', { source: 'master', limit: 2 })).lines.map((line) => line.id);
    const after = (await call(1, 'log.query', { source: 'master', limit: 500 })).lines.map((line) => line.id);
    expect(lastTwo).toHaveLength(2);
    expect(lastTwo[1]!).toBeGreaterThanOrEqual(master.lines.at(-1)!.id);
    expect(after.indexOf(lastTwo[1]!) - after.indexOf(lastTwo[0]!)).toBe(1);
    const exported = await call(1, 'log.export', { source: 'master' });
    expect(exported.lineCount).toBeGreaterThanOrEqual(master.lines.length);
    expect(exported.text).toMatch(/\(lmgrd\) Redundant server quorum established\. Master is 127\.0\.0\.1/);
    // the screen's filters apply to the export too
    const filtered = await call(1, 'log.export', { source: 'master', text: 'QUORUM ESTABLISHED' });
    expect(filtered.lineCount).toBeGreaterThanOrEqual(1);
    expect(filtered.lineCount).toBeLessThan(exported.lineCount);
    for (const line of filtered.text.trimEnd().split('\n')) expect(line).toMatch(/TIMESTAMP|quorum established/i);
  });

  it('switches all three members to a file imported on the master, keeping the quorum', async () => {
    expect([0, 1, 2].map(issued)).toEqual([2, 2, 2]);
    // a real re-key can be large: more than one 64 KiB frame must cross the peer links
    publisher.rewrite(license(5, 400));
    const rekey = readFileSync(publisher.licensePath, 'utf8');
    expect(rekey.length).toBeGreaterThan(64 * 1024);
    // only the master starts a switch; a standby says where to import
    await expect(call(1, 'license.import', { fileName: 'rekey.lic', text: rekey, distribute: true })).rejects.toThrow(
      /standby: import the file on the master, 127\.0\.0\.1/,
    );
    const result = await call(0, 'license.import', { fileName: 'rekey.lic', text: rekey, distribute: true });
    expect(result).toMatchObject({ imported: true, distributed: true });

    await eventually(() => [0, 1, 2].every((rank) => issued(rank) === 5), 10_000);
    for (const rank of [0, 1, 2]) {
      const dataDir = path.join(temp.dir, `member${rank}`);
      expect(readFileSync(licenseFileIn(dataDir), 'utf8')).toBe(rekey);
      expect((await call(rank, 'license.current', {}))?.text).toBe(rekey);
    }
    // the same file everywhere: one master, all links up, no mismatch warnings
    const master = apps[0].status();
    expect(master.role).toBe('master');
    expect(master.members.map((member) => member.up)).toEqual([true, true, true]);
    expect(apps.flatMap((app) => app.status().warnings).filter((w) => /differs|same license file/i.test(w))).toEqual([]);
    const installed = 'Installed license file rekey.lic distributed to all three redundant servers';
    expect((await logWith(0, { limit: 1000 }, installed)).lines.map((line) => line.message)).toContain(installed);
  }, 30_000);

  it('a file imported on one member only keeps that member out of the quorum, and says why', async () => {
    publisher.rewrite(license(9));
    const odd = readFileSync(publisher.licensePath, 'utf8');
    expect(await call(2, 'license.import', { fileName: 'odd.lic', text: odd })).toMatchObject({ imported: true, distributed: false });
    // wait for the mismatch itself: a loaded machine can show a slow-link warning about the same member first
    const mismatch = () => apps[0].status().warnings.find((w) => w.includes(hosts[2]) && /Import the same license file on all three servers/.test(w));
    await eventually(() => mismatch() !== undefined, 10_000);
    expect(apps[0].status().role).toBe('master');
  }, 30_000);
});
