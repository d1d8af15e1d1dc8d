import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout, type HeldLicense } from '../../src/core/client/checkout';
import { cliBundle } from '../support/cliBundle';
import { startTestServer, type TestServer } from '../support/testServer';
import { makeTempDir } from '../support/tempDir';
import { exporterLmstat, exporterLmstatVersion } from '../support/lmstatParsers/flexlmExporter';

/**
 * Issue 15: the `lmutil` command, run as scripts and exporters run it, against a real
 * `triad serve` whose SERVER line says 127.0.0.1 while lmutil is told `localhost`.
 */

const run = promisify(execFile);
const temp = makeTempDir('triad-lmutil-');
let server: TestServer;
let held: HeldLicense;

async function lmutil(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const bundle = await cliBundle('lmutil');
  try {
    const { stdout, stderr } = await run(process.execPath, [bundle, ...args], { env: { ...process.env, LM_LICENSE_FILE: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  server = await startTestServer(temp.dir, { features: [{ name: 'DOORS', count: 2 }, { name: 'Rhapsody', count: 1 }] });
  const result = await checkout([server.address], { feature: 'DOORS', version: '1.0', count: 1, user: 'alice', host: 'ws01', display: '/dev/pts/3' });
  if (result.kind !== 'granted') throw new Error(`checkout failed: ${JSON.stringify(result)}`);
  held = result.license;
}, 60_000);

afterAll(async () => {
  await held?.checkin().catch(() => undefined);
  await server?.stop();
  temp.remove();
});

describe('lmutil', () => {
  it('lmstat -v and -v print the version lines exporters read first', async () => {
    const version = await lmutil(['lmstat', '-v']);
    expect(version.code).toBe(0);
    expect(exporterLmstatVersion(version.stdout)).toMatchObject({ version: 'v1.0.0', build: '0' });
    expect((await lmutil(['-v'])).stdout).toMatch(/^lmutil v1\.0\.0 build 0 \w+$/m);
  });

  it('lmstat -a -c PORT@localhost names the server as its SERVER line, and the exporter reads it', async () => {
    const status = await lmutil(['lmstat', '-a', '-c', `${server.port}@localhost`]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`License server status: ${server.port}@127.0.0.1\n`);
    const read = exporterLmstat(status.stdout);
    expect(read.servers['127']).toEqual({ fqdn: '127.0.0.1', port: String(server.port), status: true, master: true, version: 'v1.0.0' });
    expect(read.vendors).toEqual({ ibmratl: { status: true, version: 'v1.0.0' } });
    expect(read.features).toEqual({ DOORS: { issued: 2, used: 1 }, Rhapsody: { issued: 1, used: 0 } });
    expect(read.users.DOORS.alice).toEqual([{ version: '(v1.0)', since: expect.stringMatching(/^\w{3} \d+\/\d+ \d+:\d\d$/), num: 1 }]);
  });

  it('lmstat -A, -S VENDOR, -s and -f select as lmutil does', async () => {
    const spec = `${server.port}@localhost`;
    const usersOf = (text: string) => [...text.matchAll(/^Users of (\S+):/gm)].map((m) => m[1]);
    expect(usersOf((await lmutil(['lmstat', '-A', '-c', spec])).stdout)).toEqual(['DOORS']);
    expect(usersOf((await lmutil(['lmstat', '-S', 'ibmratl', '-c', spec])).stdout)).toEqual(['DOORS', 'Rhapsody']);
    expect(usersOf((await lmutil(['lmstat', '-f', 'Rhapsody', '-c', spec])).stdout)).toEqual(['Rhapsody']);
    const servers = await lmutil(['lmstat', '-s', '-c', spec]);
    expect(servers.stdout).toContain('127.0.0.1: license server UP (MASTER) v1.0.0\n');
    expect(servers.stdout).not.toContain('Vendor daemon status');
  });

  it('lmstat of a port nobody listens on prints lmutil\'s error after the banner, exit 1', async () => {
    const dead = await lmutil(['lmstat', '-a', '-c', '1@127.0.0.1', '-t', '1']);
    expect(dead.code).toBe(1);
    expect(dead.stdout).toMatch(/^lmutil - Copyright .*\nFlexible License Manager status on .*\n\nError getting status: Cannot connect to license server system\. \(-15,570:111 "Connection refused"\)\n$/);
  });

  it('lmhostid prints the banner, then the id; -n only the id', async () => {
    const full = await lmutil(['lmhostid', '-hostname']);
    expect(full.stdout).toMatch(/^lmutil - Copyright .*\nThe FlexNet host ID of this machine is "HOSTNAME=[^"]+"\n$/);
    expect((await lmutil(['lmhostid', '-n', '-hostname'])).stdout).toMatch(/^HOSTNAME=\S+\n$/);
  });

  it("lmver prints Triad's version; lmver FILE finds a FlexNet version string in a program", async () => {
    expect((await lmutil(['lmver'])).stdout).toMatch(/\nTriad License Server v1\.0\.0 build 0 \w+\n$/);
    const binary = path.join(temp.dir, 'lmgrd');
    writeFileSync(binary, Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from('FlexNet Licensing v11.16.2.0 build 242433 x64_lsb'), Buffer.from([0, 0])]));
    expect((await lmutil(['lmver', binary])).stdout).toMatch(/\nFlexNet Licensing v11\.16\.2\.0 build 242433 x64_lsb\n$/);
    const missing = await lmutil(['lmver', process.execPath]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no FlexNet version string/);
  });

  it('lmdiag tries a checkout of each license and says which can be checked out', async () => {
    const diag = await lmutil(['lmdiag', '-n', '-c', `${server.port}@localhost`, 'Rhapsody']);
    expect(diag.code, diag.stderr).toBe(0);
    expect(diag.stdout).toMatch(/"Rhapsody" v1\.0, vendor: ibmratl[^\n]*\n {2}License server: 127\.0\.0\.1\n[^\n]*\n\nThis license can be checked out\n/);
    const bad = await lmutil(['lmdiag', '-c', `${server.port}@localhost`, 'Rhapsody:KEY=1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/KEYWORD one of VERSION, EXPDATE, VENDOR_STRING, HOSTID/);
  });

  it('lmreread, lmremove and lmdown take lmutil\'s flags (-c, -q, -vendor, -all, -force)', async () => {
    const env = { TRIAD_ADMIN_TOKEN: server.adminToken };
    const spec = `${server.port}@localhost`;
    expect((await lmutil(['lmreread', '-c', spec, '-vendor', 'ibmratl'], env)).stdout).toMatch(/^lmutil - Copyright .*\nlmreread successful/);
    // -all: every entry of the path; a dead one is reported after the others were done
    const all = await lmutil(['lmreread', '-all', '-c', `1@127.0.0.1:${spec}`], env);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(new RegExp(`lmreread successful \\(${server.port}@localhost\\)`));
    expect(all.stderr).toMatch(/Cannot connect to license server/);
    const removed = await lmutil(['lmremove', '-c', spec, 'DOORS', 'alice', 'ws01', '/dev/pts/3'], env);
    expect(removed.code, removed.stderr).toBe(0);
    const wrongVendor = await lmutil(['lmdown', '-q', '-c', spec, '-vendor', 'telelogic'], env);
    expect(wrongVendor.code).toBe(1);
    expect(wrongVendor.stderr).toMatch(/serves no vendor daemon "telelogic" \(it serves: ibmratl\)/);
    const down = await lmutil(['lmdown', '-q', '-force', '-c', spec, '-vendor', 'ibmratl'], env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/Shutting down license server \d+@/);
    expect(await server.triad.exited).toBe(0);
  });
});
