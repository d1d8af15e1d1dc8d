import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';
import { shareClusterSecret } from '../support/clusterSecret';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { selfSignedCertificate } from '../support/selfSignedCertificate';
import { makeTempDir } from '../support/tempDir';
import { freePort } from '../support/freePort';

/**
 * Issue 20, TLS in a triad: each member may have its own self-signed certificate, so a client
 * pins all three (`--tls-fingerprint A,B,C`); `client verify` honours TRIAD_TLS_CA; a plaintext
 * client meeting a TLS server, or a TLS client meeting a plaintext one, is told what to do in
 * words instead of OpenSSL's internals.
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const temp = makeTempDir('triad-tls3-');
const file = (name: string) => path.join(temp.dir, name);
const children: TriadChild[] = [];
const fingerprints: string[] = [];
let port = 0;
let plainPort = 0;

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = await spawnTriad(args, env);
  children.push(child);
  return { code: await child.exited, out: child.stdout.join('\n'), err: child.stderr.join('\n') };
}

beforeAll(async () => {
  // one self-signed certificate per member, as an administrator without a CA makes them
  for (const [rank, host] of hosts.entries()) fingerprints.push(selfSignedCertificate(temp.dir, `m${rank}`, host, host));
  port = await freePort();
  const license = writeSignedLicense(file('triad'), {
    servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })),
    features: [{ name: 'Pinned', count: 3 }],
  });
  const data = hosts.map((_, rank) => file(`data-${rank}`));
  shareClusterSecret(data);
  for (const [rank, host] of hosts.entries()) {
    const child = await spawnTriad([
      'serve', '-c', license.licensePath, '--as', host, '--hostid', TEST_HOSTID, '--trust', license.publicKeyPath, '--data', data[rank]!,
      '--tls-cert', file(`m${rank}.crt`), '--tls-key', file(`m${rank}.key`),
    ]);
    children.push(child);
    await child.waitForLine(/ready on/);
  }
  const single = writeSignedLicense(file('plain'), { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Plain', count: 1 }] });
  const plain = await spawnTriad([
    'serve',
    '-c',
    single.licensePath,
    '--hostid',
    TEST_HOSTID,
    '--trust',
    single.publicKeyPath,
    '--data',
    file('plain-data'),
    '--port',
    '0',
  ]);
  children.push(plain);
  plainPort = Number(/ready on (\d+)@/.exec(await plain.waitForLine(/ready on/))![1]);
}, 60_000);

afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child, 2_000)));
  temp.remove();
});

describe('TLS with three members', () => {
  it('a client pins all three certificates with one list; any member it meets (and the master it is sent to) passes', async () => {
    const pins = fingerprints.join(',');
    // asked the tertiary first: it sends the client to the master, whose certificate is another
    let granted = { code: 1 as number | string, out: '', err: '' };
    for (let attempt = 0; attempt < 40 && granted.code !== 0; attempt++) {
      granted = await run(['checkout', 'Pinned', '-c', `${port}@127.0.0.3`, '--tls-fingerprint', pins]);
      if (granted.code !== 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(granted.code, granted.err + granted.out).toBe(0);
    expect(granted.out).toMatch(new RegExp(`GRANTED: "Pinned" .* from ${port}@127\\.0\\.0\\.1`));
    // one member's pin alone does not let the client talk to the others
    const onePin = await run(['checkout', 'Pinned', '-c', `${port}@127.0.0.3`, '--tls-fingerprint', fingerprints[2]!]);
    expect(onePin.code).not.toBe(0);
    expect(onePin.err).toMatch(/is not (one of )?the pinned/);
  }, 60_000);

  it('client verify honours TRIAD_TLS_FINGERPRINT and TRIAD_TLS_CA', async () => {
    const data = file('client-data');
    expect((await run(['client', '--data', data, 'add', 'secure', hosts.map((h) => `${port}@${h}`).join(',')])).code).toBe(0);
    const verified = await run(['client', '--data', data, 'verify'], { TRIAD_TLS_FINGERPRINT: fingerprints.join(',') });
    expect(verified.code, verified.out + verified.err).toBe(0);
    expect(verified.out).toMatch(/reachable, triad master 127\.0\.0\.1/);
    const plainData = file('client-plain');
    await run(['client', '--data', plainData, 'add', 'plain', `${plainPort}@127.0.0.1`]);
    const viaCa = await run(['client', '--data', plainData, 'verify'], { TRIAD_TLS_CA: file('m0.crt') });
    expect(viaCa.out).toMatch(/does not speak TLS/);
  }, 60_000);

  it('a plaintext client meeting a TLS server is told it speaks TLS and shown its fingerprint to check', async () => {
    const plain = await run(['lmstat', '-c', `${port}@127.0.0.1`]);
    expect(plain.code).toBe(1);
    expect(plain.out).toContain(`${port}@127.0.0.1 speaks TLS`);
    expect(plain.out).toContain(fingerprints[0]!.replace(/^sha256 Fingerprint=/i, ''));
    expect(plain.out).toMatch(/--tls-fingerprint/);
  }, 30_000);

  it('a TLS client meeting a plaintext server is told so, without OpenSSL internals', async () => {
    const tlsClient = await run(['checkout', 'Plain', '-c', `${plainPort}@127.0.0.1`, '--tls-fingerprint', fingerprints[0]!]);
    expect(tlsClient.code).toBe(2);
    expect(tlsClient.err).toContain(`${plainPort}@127.0.0.1 does not speak TLS`);
    expect(tlsClient.err).not.toMatch(/ssl3_get_record|SSL routines|\.c:\d+/);
  }, 30_000);
});
