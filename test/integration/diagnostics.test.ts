import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout } from '../../src/core/client/checkout';
import { licenseFolderIn } from '../../src/core/licenseFiles/licenseFolder';
import { loadOrCreateClusterSecret } from '../../src/core/store';
import { openAdminApp, type AdminApp } from '../../src/host/adminApp';
import { freePort } from '../support/freePort';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad } from '../support/triadProcess';

/**
 * Collect diagnostics: the admin UI's button and `triad diag` write one zip with the members'
 * status, the recent debug log, license and options files, versions and settings, and no secret.
 */

const temp = makeTempDir('diagnostics-');
const dataDir = path.join(temp.dir, 'data');
let app: AdminApp;
let port: number;
let secrets: string[];

function unzip(bytes: Uint8Array): Map<string, string> {
  return new Map(Object.entries(unzipSync(bytes)).map(([name, data]) => [name.replace(/^[^/]+\//, ''), strFromU8(data)]));
}

function expectNoSecret(files: Map<string, string>, raw: Uint8Array) {
  for (const secret of secrets) {
    expect(Buffer.from(raw).includes(Buffer.from(secret))).toBe(false);
    for (const [name, text] of files) expect(text.includes(secret), `${name} holds a secret`).toBe(false);
  }
}

beforeAll(async () => {
  port = await freePort();
  app = await openAdminApp({ dataDir, demoServerHost: '127.0.0.1', hostid: 'ANY', port, bind: '127.0.0.1' });
  writeFileSync(path.join(licenseFolderIn(dataDir), 'demo.opt'), 'MAX 2 demo_modeler USER ann\n');
  await app.api.invoke('server.reread', {});
  secrets = [app.adminToken, loadOrCreateClusterSecret(dataDir)];
  const held = await checkout([{ host: '127.0.0.1', port }], { feature: 'demo_modeler', version: '1.0', count: 1, user: 'ann', host: 'ws1', display: ':0' });
  expect(held.kind).toBe('granted');
  if (held.kind === 'granted') await held.license.checkin();
}, 30_000);

afterAll(async () => {
  await app?.close();
  temp.remove();
});

describe('Collect diagnostics', () => {
  it('one button: one zip saved on the server with status, lmstat, log, files, versions, settings, and no secret', async () => {
    const result = await app.api.invoke('diag.collect', {});
    if (!result.ok) throw new Error(result.error.message);
    const { path: saved, base64, fileName, entries } = result.value;
    expect(fileName).toMatch(/^triad-diag-127\.0\.0\.1-\d{8}-\d{6}\.zip$/);
    expect(path.dirname(saved)).toBe(path.join(dataDir, 'diagnostics'));
    const raw = readFileSync(saved);
    expect(Buffer.from(base64, 'base64').equals(raw)).toBe(true);
    // user and host names, like the database: for the server's user only
    if (process.platform !== 'win32') expect(statSync(saved).mode & 0o777).toBe(0o600);
    const files = unzip(raw);
    expect([...files.keys()].sort()).toEqual([...entries].sort());
    expect(JSON.parse(files.get('status/this-server.json')!).role).toBe('master');
    expect(JSON.parse(files.get(`status/${port}@127.0.0.1.json`)!).host).toBe('127.0.0.1');
    expect(files.get('lmstat-a.txt')).toContain('127.0.0.1: license server UP (MASTER)');
    expect(files.get('debug-log.txt')).toMatch(/\(demo\) OUT: "demo_modeler" ann@ws1/);
    expect(files.get('licenses/license.lic')).toContain('FEATURE demo_modeler demo 1.0');
    expect(files.get('options/demo.opt')).toBe('MAX 2 demo_modeler USER ann\n');
    expect(files.get('versions.txt')).toMatch(/^Triad License Server: v\d/m);
    expect(files.get('versions.txt')).toContain(`Node.js: ${process.version}`);
    expect(files.get('peers.txt')).toContain('this server');
    expect(JSON.parse(files.get('settings.json')!).trustedKeys).toEqual([{ vendor: 'demo', fingerprint: expect.any(String) }]);
    expect(files.get('README.txt')).toContain('Left out on purpose: the admin token');
    expectNoSecret(files, raw);
    // it copies user and host names and the license files out of the server: audited as an export
    const audited = app.store.audit.recent(5).find((row) => row.action === 'collect diagnostics');
    expect(audited).toMatchObject({ who: 'admin app', fromAddress: 'local', detail: saved });
  });

  it('`triad diag` writes the same archive from the command line', async () => {
    const out = path.join(temp.dir, 'cli.zip');
    const cli = await spawnTriad(['diag', '--data', dataDir, '-o', out]);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout.join('\n')).toMatch(/^Wrote .*cli\.zip \(\d+ KB, \d+ files\)/);
    expect(cli.stdout.join('\n')).toContain('Left out: the admin token');
    const raw = readFileSync(out);
    if (process.platform !== 'win32') expect(statSync(out).mode & 0o777).toBe(0o600);
    const files = unzip(raw);
    expect(files.get('lmstat-a.txt')).toContain('127.0.0.1: license server UP (MASTER)');
    expect(files.get('debug-log.txt')).toContain('OUT: "demo_modeler" ann@ws1');
    expect(files.has('licenses/license.lic')).toBe(true);
    expectNoSecret(files, raw);
  }, 30_000);
});
