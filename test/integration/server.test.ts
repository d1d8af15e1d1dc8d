import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkout, type CheckoutRequest, type HeldLicense } from '../../src/core/client/checkout';
import { queryStatus, sendAdminRequest } from '../../src/core/client/connectionAdmin';
import { ServerConnection } from '../../src/core/client/connection';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad, stopChild } from '../support/triadProcess';
import { freePort } from '../support/freePort';
import { startTestServer, type TestServer } from '../support/testServer';

/** Acceptance tests of issue 3 over loopback, against a real `triad serve` child process. */

const request = (user: string, feature = 'ClearCase'): CheckoutRequest => ({
  feature,
  version: '1.0',
  count: 1,
  user,
  host: 'ws-test',
  display: ':0',
});

async function inUse(server: TestServer, feature: string): Promise<number> {
  const outcome = await queryStatus([server.address]);
  if (outcome.kind !== 'status') throw new Error(outcome.errors.join('; '));
  return outcome.status.features.filter((f) => f.name === feature).reduce((sum, f) => sum + f.inUse, 0);
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('triad serve (single server)', () => {
  const temp = makeTempDir();
  let server: TestServer;
  const held: HeldLicense[] = [];

  beforeAll(async () => {
    server = await startTestServer(
      temp.dir,
      {
        features: [
          { name: 'ClearCase', count: 5 },
          { name: 'Solo', count: 1 },
          { name: 'Growing', count: 2 },
        ],
      },
      ['--client-heartbeat', '500'],
    );
  });

  afterEach(async () => {
    await Promise.all(held.splice(0).map((license) => license.checkin()));
  });

  afterAll(async () => {
    await server.stop();
    temp.remove();
  });

  it('20 clients race for 5 seats: exactly 5 granted, 15 denied with the reason', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => checkout([server.address], request(`user${i}`))));
    const granted = results.filter((r) => r.kind === 'granted');
    const denied = results.filter((r) => r.kind === 'denied');
    for (const r of granted) if (r.kind === 'granted') held.push(r.license);
    expect(granted).toHaveLength(5);
    expect(denied).toHaveLength(15);
    for (const r of denied) if (r.kind === 'denied') expect(r.reason).toBe('Licensed number of users already reached. (-4,342)');
    expect(await inUse(server, 'ClearCase')).toBe(5);
    const log = readFileSync(path.join(temp.dir, 'debug.log'), 'utf8');
    expect(log).toMatch(/^\d{1,2}:\d\d:\d\d \(ibmratl\) OUT: "ClearCase" user\d+@ws-test$/m);
    expect(log).toMatch(/^\d{1,2}:\d\d:\d\d \(ibmratl\) DENIED: "ClearCase" user\d+@ws-test {2}\(Licensed number of users already reached\. \(-4,342\)\)$/m);
  });

  it('triad checkout exits 0 when granted, 1 when denied, 2 when no server answers', async () => {
    const granted = await spawnTriad(['checkout', 'ClearCase', '-c', server.spec]);
    expect(await granted.exited).toBe(0);
    expect(granted.stdout.join('\n')).toMatch(/^GRANTED: "ClearCase" v1\.0, 1 license, lease \S+ \(handle \d+\) from \d+@127\.0\.0\.1/m);
    const denied = await spawnTriad(['checkout', 'NoSuchThing', '-c', server.spec]);
    expect(await denied.exited).toBe(1);
    expect(denied.stdout.join('\n')).toContain('No such feature exists. (-5,222)');
    const closed = await spawnTriad(['checkout', 'ClearCase', '-c', `1@127.0.0.1`]);
    expect(await closed.exited).toBe(2);
  });

  it('reclaims the seat of a client killed with SIGKILL after its timeout', async () => {
    const client = await spawnTriad(['checkout', 'Solo', '-c', server.spec, '--hold', '600', '--user', 'victim']);
    await client.waitForLine(/^GRANTED: "Solo"/);
    const blocked = await checkout([server.address], request('next', 'Solo'));
    expect(blocked.kind).toBe('denied');
    client.child.kill('SIGKILL');
    await client.exited;
    // heartbeat 500 ms => reclaimed after 1.5 s of silence; the sweep runs every 250 ms
    await eventually(async () => (await inUse(server, 'Solo')) === 0, 5_000);
    const after = await checkout([server.address], request('next', 'Solo'));
    expect(after.kind).toBe('granted');
    if (after.kind === 'granted') held.push(after.license);
    const log = readFileSync(path.join(temp.dir, 'debug.log'), 'utf8');
    expect(log).toContain('IN: "Solo" victim@');
  });

  it('keeps the seat of a live client that heartbeats longer than the timeout', async () => {
    const result = await checkout([server.address], request('steady', 'Solo'));
    expect(result.kind).toBe('granted');
    if (result.kind !== 'granted') return;
    held.push(result.license);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // well past the 1.5 s timeout
    expect(await inUse(server, 'Solo')).toBe(1);
    expect((await checkout([server.address], request('other', 'Solo'))).kind).toBe('denied');
  });

  it('a reconnect with the resume token keeps the same seat instead of taking a second one', async () => {
    const first = await ServerConnection.open(server.address);
    const granted = await first.request({ type: 'checkout', ...request('roamer', 'Solo') });
    expect(granted.type).toBe('granted');
    if (granted.type !== 'granted') return;
    first.close();
    const second = await ServerConnection.open(server.address);
    const again = await second.request({ type: 'checkout', ...request('roamer', 'Solo'), resumeToken: granted.resumeToken });
    expect(again).toMatchObject({ type: 'granted', leaseId: granted.leaseId, resumed: true });
    expect(await inUse(server, 'Solo')).toBe(1);
    await second.request({ type: 'checkin', leaseId: granted.leaseId });
    second.close();
    expect(await inUse(server, 'Solo')).toBe(0);
  });

  it('lmreread with a larger count lets waiting clients in, keeping current leases', async () => {
    for (const user of ['a', 'b']) {
      const r = await checkout([server.address], request(user, 'Growing'));
      expect(r.kind).toBe('granted');
      if (r.kind === 'granted') held.push(r.license);
    }
    expect((await checkout([server.address], request('waiting', 'Growing'))).kind).toBe('denied');
    server.license.rewrite({
      servers: [{ host: '127.0.0.1', hostid: '0a1b2c3d4e5f' }],
      features: [
        { name: 'ClearCase', count: 5 },
        { name: 'Solo', count: 1 },
        { name: 'Growing', count: 4 },
      ],
    });
    const reread = await spawnTriad(['lmreread', '-c', server.spec, '--data', server.dataDir]);
    expect(await reread.exited).toBe(0);
    expect(await inUse(server, 'Growing')).toBe(2);
    const waiting = await checkout([server.address], request('waiting', 'Growing'));
    expect(waiting.kind).toBe('granted');
    if (waiting.kind === 'granted') held.push(waiting.license);
    expect(await inUse(server, 'Growing')).toBe(3);
  });

  it('lmremove takes the seat back at once and tells the holder', async () => {
    const result = await checkout([server.address], request('stuck', 'Solo'));
    if (result.kind !== 'granted') throw new Error('expected a grant');
    const lost = new Promise<string>((resolve) => result.license.on('lost', resolve));
    const lmremove = await spawnTriad(['lmremove', '-c', server.spec, '--data', server.dataDir, 'Solo', 'stuck', 'ws-test', ':0']);
    expect(await lmremove.exited).toBe(0);
    expect(await lost).toContain('lmremove');
    expect(await inUse(server, 'Solo')).toBe(0);
    const again = await spawnTriad(['lmremove', '-c', server.spec, '--data', server.dataDir, 'Solo', 'stuck', 'ws-test', ':0']);
    expect(await again.exited).toBe(1);
    expect(again.stderr.join('\n')).toContain('no license of "Solo" is held by stuck');
  });

  it('lmdown without the token is refused, logged, and the server keeps serving', async () => {
    const lmdown = await spawnTriad(['lmdown', '-q', '-c', server.spec], { TRIAD_ADMIN_TOKEN: '' , HOME: temp.dir, XDG_DATA_HOME: temp.dir });
    expect(await lmdown.exited).toBe(1);
    expect(lmdown.stderr.join('\n')).toContain('needs the server');
    const wrong = await sendAdminRequest([server.address], { type: 'lmdown', token: 'not-the-token' });
    expect(wrong).toMatchObject({ kind: 'answered', reply: { type: 'refused' } });
    const still = await checkout([server.address], request('after-lmdown'));
    expect(still.kind).toBe('granted');
    if (still.kind === 'granted') held.push(still.license);
    const log = readFileSync(path.join(temp.dir, 'debug.log'), 'utf8');
    expect(log).toMatch(/\(lmgrd\) lmdown request from .* refused: no admin token/);
    expect(log).toMatch(/\(lmgrd\) lmdown request from .* refused: wrong admin token/);
  });
});

describe('triad serve shutdown', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  it('loses no acknowledged seat when the server is killed with SIGKILL', async () => {
    const dir = path.join(temp.dir, 'kill9');
    const server = await startTestServer(dir, { features: [{ name: 'Durable', count: 50 }] });
    const grants = await Promise.all(Array.from({ length: 30 }, (_, i) => checkout([server.address], request(`d${i}`, 'Durable'))));
    expect(grants.every((g) => g.kind === 'granted')).toBe(true);
    server.triad.child.kill('SIGKILL');
    await server.triad.exited;
    const restarted = await startTestServer(dir, { features: [{ name: 'Durable', count: 50 }] });
    try {
      expect(await inUse(restarted, 'Durable')).toBe(30);
    } finally {
      for (const g of grants) if (g.kind === 'granted') await g.license.checkin();
      await restarted.stop();
    }
  });

  it('lmdown acts only on the -c server, refuses options it does not have, and needs -q without a terminal', async () => {
    const server = await startTestServer(temp.dir, { features: [{ name: 'Bystander', count: 1 }] });
    try {
      const idle = await freePort();
      // LM_LICENSE_FILE names the live server; -c names a dead one: lmutil's -c overrides the environment
      const elsewhere = await spawnTriad(['lmdown', '-q', '-c', `${idle}@127.0.0.1`, '--data', server.dataDir], { LM_LICENSE_FILE: server.spec });
      expect(await elsewhere.exited).toBe(1);
      expect(elsewhere.stderr.join('\n')).toContain(`${idle}@127.0.0.1`);
      // lmutil's `-vendor NAME` (not -v, version, exit 0): a vendor this server does not serve is refused
      const vendor = await spawnTriad(['lmdown', '-q', '-c', server.spec, '--data', server.dataDir, '-vendor', 'telelogic']);
      expect(await vendor.exited).toBe(1);
      expect(vendor.stderr.join('\n')).toContain('serves no vendor daemon "telelogic"');
      const unattended = await spawnTriad(['lmdown', '-c', server.spec, '--data', server.dataDir]);
      expect(await unattended.exited).toBe(2);
      expect(unattended.stderr.join('\n')).toContain('pass -q');
      expect((await checkout([server.address], { ...request('still-served'), feature: 'Bystander' })).kind).toBe('granted');
    } finally {
      await server.stop();
    }
  });

  it('lmdown with the token tells clients, keeps leases in the store and exits 0', async () => {
    const server = await startTestServer(temp.dir, { features: [{ name: 'ClearCase', count: 3 }] }, ['--client-heartbeat', '500']);
    try {
      const holder = await ServerConnection.open(server.address);
      const granted = await holder.request({ type: 'checkout', ...request('keeper') });
      expect(granted.type).toBe('granted');
      const notices: string[] = [];
      holder.onNotice((n) => notices.push(n.type));
      const lmdown = await spawnTriad(['lmdown', '-q', '-force', '-c', server.spec, '--data', server.dataDir]);
      expect(await lmdown.exited).toBe(0);
      expect(await server.triad.exited).toBe(0);
      expect(notices).toContain('shutdown');
      const log = readFileSync(path.join(temp.dir, 'debug.log'), 'utf8');
      expect(log).toContain('(lmgrd) SERVER shutdown requested');

      // the seat survives the restart: the client resumes it, nobody else gets it
      const restarted = await startTestServer(temp.dir, { features: [{ name: 'ClearCase', count: 3 }] }, ['--client-heartbeat', '500']);
      try {
        expect(await inUse(restarted, 'ClearCase')).toBe(1);
      } finally {
        expect(await restarted.stop()).toBe(0);
      }
    } finally {
      await stopChild(server.triad);
    }
  });
});
