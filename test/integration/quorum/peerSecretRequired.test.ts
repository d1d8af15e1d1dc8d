import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/core/backend';
import { encodeFrame } from '../../../src/core/protocol';
import { createTriad } from '../../../src/core/server/triad/createTriad';
import { openStore } from '../../../src/core/store';
import { clusterSecretFile } from '../../../src/core/store/secrets';
import { shareClusterSecret } from '../../support/clusterSecret';
import { freePort } from '../../support/freePort';
import { TEST_HOSTID, writeSignedLicense } from '../../support/signedLicense';
import { makeTempDir } from '../../support/tempDir';

/**
 * Issue 20, hole 2: peers were trusted by address when no cluster secret was imported, so any
 * process on a member's machine (its connections carry that machine's address) could send a
 * peer hello and `shutdown` and stop the triad, unaudited. A triad member now never runs
 * without a secret (it makes one at first start and says how to give it to the other two), and
 * what a peer asks of a member (lmdown, lmreread, a distributed license) is audited with its
 * source.
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const temp = makeTempDir('triad-need-secret-');
const running: Backend[] = [];
afterAll(async () => {
  await Promise.all(running.map((backend) => backend.stop('test finished')));
  temp.remove();
});

async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function member(dir: string, licensePath: string, publicKeyPath: string, rank: number, notices: string[] = []): Promise<Backend> {
  const backend = await createBackend({
    licensePath,
    trustFiles: [publicKeyPath],
    dataDir: path.join(dir, `data-${rank}`),
    hostid: TEST_HOSTID,
    as: hosts[rank],
    triad: createTriad,
    notice: (text) => notices.push(text),
  });
  running.push(backend);
  return backend;
}

/** A local process pretending to be the primary: its connection comes from the primary's address. */
function forgedShutdown(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.3', port, localAddress: '127.0.0.1' }, () => {
      socket.write(encodeFrame({ type: 'hello', version: 1, role: 'peer', agent: 'intruder' }));
      socket.write(encodeFrame({ type: 'hello', rank: 0, licenseHash: 'x', serverOrder: [], epoch: 0, auth: '' }));
      socket.write(encodeFrame({ type: 'shutdown', epoch: 0, auth: '' }));
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    setTimeout(() => socket.destroy(), 1_500);
  });
}

describe('a triad needs its cluster secret', () => {
  it('a member without one makes one, says how to share it, and a local process cannot stop it with a forged peer shutdown', async () => {
    const dir = path.join(temp.dir, 'forged');
    const port = await freePort();
    const license = writeSignedLicense(dir, { servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })), features: [{ name: 'Guarded', count: 2 }] });
    const notices: string[] = [];
    const tertiary = await member(dir, license.licensePath, license.publicKeyPath, 2, notices);
    const secretPath = path.join(dir, 'data-2', clusterSecretFile);
    expect(existsSync(secretPath)).toBe(true);
    expect(notices.join('\n')).toContain(secretPath);
    expect(notices.join('\n')).toMatch(/triad cluster-secret --import/);

    let stopped: string | null = null;
    void tertiary.stopped.then((reason) => (stopped = reason));
    await forgedShutdown(tertiary.address.port);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stopped).toBeNull();
    expect(tertiary.store.debugLog.query({}).map((line) => line.message)).toContainEqual(
      expect.stringMatching(/Refused redundant server connection with 127\.0\.0\.1:\d+: it did not start with the cluster-secret handshake/),
    );
  }, 30_000);

  it("a peer's lmdown and lmreread are audited on the members that carry them out, naming the member that asked", async () => {
    const dir = path.join(temp.dir, 'audited');
    const port = await freePort();
    const license = writeSignedLicense(dir, { servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })), features: [{ name: 'Audited', count: 2 }] });
    shareClusterSecret([0, 1, 2].map((rank) => path.join(dir, `data-${rank}`)));
    const members = [];
    for (const rank of [0, 1, 2]) members.push(await member(dir, license.licensePath, license.publicKeyPath, rank));
    const [primary, secondary, tertiary] = members as [Backend, Backend, Backend];
    await eventually(() => primary.status().role === 'master' && primary.status().members.every((m) => m.up), 10_000);

    expect(await primary.admin({ type: 'lmreread' })).toMatchObject({ ok: true });
    await eventually(() => tertiary.store.audit.recent(10).some((row) => row.action === 'lmreread'), 5_000);
    expect(tertiary.store.audit.recent(10).find((row) => row.action === 'lmreread')).toMatchObject({
      who: 'redundant server 127.0.0.1',
      fromAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });

    const rekeyed = { servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })), features: [{ name: 'Audited', count: 3 }] };
    license.rewrite(rekeyed);
    await primary.distributeLicense([{ fileName: 'license.lic', text: readFileSync(license.licensePath, 'utf8') }], 'license.lic');
    await eventually(() => tertiary.store.audit.recent(10).some((row) => row.action === 'license install'), 5_000);
    expect(tertiary.store.audit.recent(10).find((row) => row.action === 'license install')).toMatchObject({ who: 'redundant server 127.0.0.1' });
    expect(primary.store.audit.recent(10).some((row) => row.action === 'license install')).toBe(false);

    expect(await primary.admin({ type: 'lmdown' })).toMatchObject({ ok: true });
    expect(await tertiary.stopped).toBe('lmdown from redundant server 127.0.0.1');
    await secondary.stopped;
    const rows = openStore(path.join(dir, 'data-1')).audit.recent(10);
    expect(rows.find((row) => row.action === 'lmdown')).toMatchObject({ who: 'redundant server 127.0.0.1', fromAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  }, 60_000);
});
