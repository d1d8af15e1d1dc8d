import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../src/core/backend';
import { checkout } from '../../src/core/client/checkout';
import { createTriad } from '../../src/core/server/triad/createTriad';
import { shareClusterSecret } from '../support/clusterSecret';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';
import { freePort } from '../support/freePort';

/**
 * TLS on the license port (off by default): `triad serve --tls-cert/--tls-key`, clients that pin
 * the certificate's fingerprint or trust its CA, a plaintext or wrongly pinned client refused with
 * a clear message while the server keeps serving, and a triad whose members dial each other over
 * TLS. Certificates are made with the openssl command line for each run.
 */

const temp = makeTempDir('triad-tls-');
const file = (name: string) => path.join(temp.dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: temp.dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const children: TriadChild[] = [];
const backends: Backend[] = [];
let fingerprint = '';

beforeAll(() => {
  // a cluster CA, a member certificate for the three loopback "machines", and a stranger's self-signed one
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Triad test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=triad member');
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '2', '-subj', '/CN=rogue');
  fingerprint = openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', 'server.crt').trim();
});

afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child, 2_000)));
  await Promise.all(backends.map((backend) => backend.stop('test finished')));
  temp.remove();
});

async function run(args: string[]) {
  const child = await spawnTriad(args);
  children.push(child);
  return { code: await child.exited, out: child.stdout.join('\n'), err: child.stderr.join('\n') };
}

describe('TLS on the license port', () => {
  it('serves pinned and CA-trusting clients; refuses plaintext and wrong pins clearly, and keeps serving', async () => {
    const license = writeSignedLicense(path.join(temp.dir, 'single'), {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [{ name: 'Secure', count: 5 }],
    });
    const server = await spawnTriad([
      'serve', '-c', license.licensePath, '--hostid', TEST_HOSTID, '--trust', license.publicKeyPath, '--data', file('single-data'),
      '--port', '0', '--tls-cert', file('server.crt'), '--tls-key', file('server.key'),
    ]);
    children.push(server);
    const port = /ready on (\d+)@/.exec(await server.waitForLine(/ready on/))![1];
    const at = `${port}@127.0.0.1`;

    const pinned = await run(['checkout', 'Secure', '-c', at, '--tls-fingerprint', fingerprint]);
    expect(pinned.code, pinned.err).toBe(0);
    expect(pinned.out).toMatch(/GRANTED/);
    const viaCa = await run(['checkout', 'Secure', '-c', at, '--tls-ca', file('ca.crt')]);
    expect(viaCa.code, viaCa.err).toBe(0);

    const plain = await run(['checkout', 'Secure', '-c', at]);
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/speaks TLS: pass --tls-ca .* or pin it with --tls-fingerprint/);
    const rogueFingerprint = openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', 'rogue.crt').trim();
    const wrongPin = await run(['checkout', 'Secure', '-c', at, '--tls-fingerprint', rogueFingerprint]);
    expect(wrongPin.code).toBe(2);
    expect(wrongPin.err).toMatch(/is not the pinned one; refusing to talk to it/);
    const wrongCa = await run(['checkout', 'Secure', '-c', at, '--tls-ca', file('rogue.crt')]);
    expect(wrongCa.code).toBe(2);

    // still serving, and lmstat speaks TLS too
    const status = await run(['lmstat', '-a', '-c', at, '--tls-fingerprint', fingerprint]);
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/Users of Secure:/);
  }, 60_000);

  it('connections still in their TLS handshake count towards the limit and are cut at the hello timeout', async () => {
    const license = writeSignedLicense(path.join(temp.dir, 'limits'), {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [{ name: 'Secure', count: 1 }],
    });
    const tls = { cert: readFileSync(file('server.crt'), 'utf8'), key: readFileSync(file('server.key'), 'utf8') };
    const backend = await createBackend({
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      dataDir: file('limits-data'),
      hostid: TEST_HOSTID,
      port: 0,
      tls,
      limits: { maxConnections: 3, helloTimeoutMs: 300 },
    });
    const logged: string[] = [];
    backend.events.on('log', (line) => logged.push(line.message));
    // twenty sockets that connect and never start the handshake
    const silent = Array.from({ length: 20 }, () => {
      const socket = net.connect({ host: '127.0.0.1', port: backend.address.port });
      socket.on('error', () => {});
      return socket;
    });
    const closedAt = await Promise.all(silent.map((socket) => new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())))));
    const started = Math.min(...closedAt) - 1;
    // the three admitted ones are cut at the hello timeout, not after Node's default 120 s
    expect(Math.max(...closedAt) - started).toBeLessThan(5_000);
    const deadline = Date.now() + 2_000;
    while (!logged.some((line) => line.includes('3 connections already open')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logged.filter((line) => line.includes('3 connections already open'))).toHaveLength(1);
    expect(logged.some((line) => /TLS handshake with .* failed/.test(line))).toBe(true);
    const granted = await checkout(
      [{ host: '127.0.0.1', port: backend.address.port }],
      { feature: 'Secure', version: '1.0', count: 1, user: 'tess', host: 'ws', display: ':0' },
      { tls: { ca: readFileSync(file('ca.crt'), 'utf8') } },
    );
    expect(granted.kind).toBe('granted');
    if (granted.kind === 'granted') await granted.license.checkin();
    await backend.stop('test finished');
  }, 30_000);

  it('a triad whose members dial each other over TLS, verified by the cluster CA, forms a quorum and serves', async () => {
    const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    const port = await freePort();
    const license = writeSignedLicense(path.join(temp.dir, 'triad'), {
      servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })),
      features: [{ name: 'Secure', count: 2 }],
    });
    const tls = { cert: readFileSync(file('server.crt'), 'utf8'), key: readFileSync(file('server.key'), 'utf8'), ca: readFileSync(file('ca.crt'), 'utf8') };
    shareClusterSecret(hosts.map((_, rank) => file(`triad-${rank}`)));
    for (const [rank, host] of hosts.entries()) {
      backends.push(
        await createBackend({
          licensePath: license.licensePath,
          trustFiles: [license.publicKeyPath],
          dataDir: file(`triad-${rank}`),
          hostid: TEST_HOSTID,
          as: host,
          tls,
          triad: createTriad,
        }),
      );
    }
    const deadline = Date.now() + 10_000;
    while (!(backends[0].status().role === 'master' && backends[0].status().members.every((m) => m.up)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(backends[0].status().members.map((m) => m.up)).toEqual([true, true, true]);
    const granted = await checkout(
      hosts.map((host) => ({ host, port })).reverse(),
      { feature: 'Secure', version: '1.0', count: 1, user: 'tess', host: 'ws', display: ':0' },
      { tls: { ca: tls.ca } },
    );
    expect(granted.kind).toBe('granted');
    if (granted.kind === 'granted') await granted.license.checkin();
  }, 30_000);
});
