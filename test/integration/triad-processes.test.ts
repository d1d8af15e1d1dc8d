import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkout, type CheckoutRequest, type HeldLicense } from '../../src/core/client/checkout';
import { queryStatus } from '../../src/core/client/searchAttempts';
import type { ServerStatus } from '../../src/shared/status';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { freePort } from '../support/freePort';
import { shareClusterSecret } from '../support/clusterSecret';

// Three real `triad serve` processes on 127.0.0.1, .2 and .3, all on one port, from one license file.
const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const temp = makeTempDir('triad-procs-');
const children: TriadChild[] = [];
const held: HeldLicense[] = [];
afterAll(async () => {
  for (const license of held) await license.checkin().catch(() => {});
  await Promise.all(children.map((c) => stopChild(c, 2_000)));
  temp.remove();
});

const plainPort = await freePort();
const pimPort = await freePort();

/** A triad license on its own port; `primaryIsMaster` puts PRIMARY_IS_MASTER on the first line. */
function triad(name: string, port: number, primaryIsMaster = false) {
  const license = writeSignedLicense(path.join(temp.dir, name), {
    servers: hosts.map((host, rank) => ({ host, hostid: TEST_HOSTID, port, extra: rank === 0 && primaryIsMaster ? 'PRIMARY_IS_MASTER' : undefined })),
    features: [{ name: 'cad', count: 60, keyword: 'FEATURE' }],
  });
  const dataDir = (host: string) => path.join(temp.dir, name, `data-${host}`);
  shareClusterSecret(hosts.map(dataDir));
  const serve = async (host: string): Promise<TriadChild> => {
    const child = await spawnTriad([
      'serve', '-c', license.licensePath, '--as', host, '--hostid', TEST_HOSTID,
      '--data', dataDir(host), '--trust', license.publicKeyPath,
      // clients heartbeat every second, so a client stuck on the dead master would lose its seat within the test
      '--client-heartbeat', '1000',
    ]);
    children.push(child);
    await child.waitForLine(/ready on/);
    return child;
  };
  const status = async (host: string): Promise<ServerStatus | null> => {
    const answer = await queryStatus({ host, port }, { connectTimeoutMs: 500, requestTimeoutMs: 1_000 });
    return 'status' in answer ? answer.status : null;
  };
  const role = async (host: string) => (await status(host))?.role;
  const inUse = async (host: string) => (await status(host))?.features[0].inUse;
  return { port, dataDir, serve, status, role, inUse, spec: hosts.map((h) => `${port}@${h}`).join(',') };
}

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Library clients (real sockets, resume tokens) that record every resume and loss. */
async function holdSeats(port: number, users: string[]) {
  const servers = hosts.map((host) => ({ host, port }));
  const events = { resumed: 0, lost: [] as string[] };
  for (const user of users) {
    const request: CheckoutRequest = { feature: 'cad', version: '1.0', count: 1, user, host: 'ws', display: ':0' };
    const result = await checkout(servers, request);
    if (result.kind !== 'granted') throw new Error(`${user} was not granted: ${JSON.stringify(result)}`);
    held.push(result.license);
    result.license.on('resumed', () => (events.resumed += 1));
    result.license.on('lost', (reason) => events.lost.push(`${user}: ${reason}`));
  }
  return events;
}

describe('a triad of three triad serve processes', () => {
  const t = triad('plain', plainPort);

  it('primary started first is master; SIGKILL of the master while 50 clients hold seats: the secondary serves the same seats within 5 s', async () => {
    const primary = await t.serve(hosts[0]);
    await t.serve(hosts[1]);
    await t.serve(hosts[2]);
    await waitFor(async () => (await t.role(hosts[0])) === 'master', 15_000);
    expect(await t.role(hosts[1])).toBe('standby');
    expect((await t.status(hosts[2]))?.master).toBe(hosts[0]);

    // 10 `triad checkout --hold` processes and 40 clients of the client library
    const holders = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const holder = await spawnTriad(['checkout', 'cad', '-c', t.spec, '--user', `proc${i}`, '--hold', '120']);
        children.push(holder);
        await holder.waitForLine(/GRANTED/, 20_000);
        return holder;
      }),
    );
    const library = await holdSeats(t.port, Array.from({ length: 40 }, (_, i) => `lib${i}`));
    const users = [...Array.from({ length: 10 }, (_, i) => `proc${i}`), ...Array.from({ length: 40 }, (_, i) => `lib${i}`)].sort();
    expect(await t.inUse(hosts[0])).toBe(50);

    primary.child.kill('SIGKILL');
    const killedAt = Date.now();
    const takeover = await waitFor(async () => {
      const s = await t.status(hosts[1]);
      return s?.role === 'master' ? s : null;
    }, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(takeover.features[0].inUse).toBe(50);
    expect(takeover.features[0].users.map((u) => u.user).sort()).toEqual(users);

    // every client moved its seat to the new master with its resume token: none lost, none granted twice
    await waitFor(async () => library.resumed === 40 && holders.every((h) => h.stdout.some((l) => l.startsWith('RESUMED'))), 15_000);
    expect(library.lost).toEqual([]);
    // a while later the seats are still held and every client kept its single grant
    await new Promise((r) => setTimeout(r, 4_000));
    for (const holder of holders) {
      expect(holder.child.exitCode).toBeNull();
      expect(holder.stdout.filter((line) => line.includes('GRANTED'))).toHaveLength(1);
      expect(holder.stdout.filter((line) => line.startsWith('LOST'))).toEqual([]);
    }
    expect(library.lost).toEqual([]);
    expect(await t.inUse(hosts[1])).toBe(50);

    // the old primary, restarted, rejoins as a standby: the existing master stays master
    await t.serve(hosts[0]);
    // (in the quorum as soon as its links are up; it names the master once the master's first heartbeat arrives)
    await waitFor(async () => {
      const status = await t.status(hosts[0]);
      return status?.role === 'standby' && status.master === hosts[1];
    }, 15_000);
    expect(await t.role(hosts[1])).toBe('master');
  }, 120_000);

  it('with primary and secondary down, the tertiary alone serves nothing', async () => {
    for (const host of hosts.slice(0, 2)) {
      for (const c of children.filter((c) => c.child.spawnargs.includes(host) && c.child.spawnargs.includes('serve'))) c.child.kill('SIGKILL');
    }
    const alone = await waitFor(async () => {
      const s = await t.status(hosts[2]);
      return s && s.role !== 'master' && s.role !== 'standby' ? s : null;
    }, 10_000);
    expect(alone.role).toBe('no-quorum');
    const denied = await spawnTriad(['checkout', 'cad', '-c', `${t.port}@${hosts[2]}`]);
    children.push(denied);
    expect(await denied.exited).not.toBe(0);
  }, 30_000);
});

describe('a triad with PRIMARY_IS_MASTER', () => {
  const t = triad('pim', pimPort, true);

  it('secondary and tertiary started first make the secondary master; the primary takes over with the seats once it joins', async () => {
    await t.serve(hosts[1]);
    await t.serve(hosts[2]);
    await waitFor(async () => (await t.role(hosts[1])) === 'master', 15_000);
    expect(await t.role(hosts[2])).toBe('standby');
    const clients = await holdSeats(t.port, ['ann', 'bob', 'cy', 'dee', 'eve']);
    expect(await t.inUse(hosts[1])).toBe(5);

    await t.serve(hosts[0]);
    const primary = await waitFor(async () => {
      const s = await t.status(hosts[0]);
      return s?.role === 'master' ? s : null;
    }, 15_000);
    expect(primary.features[0].inUse).toBe(5);
    expect(await t.role(hosts[1])).toBe('standby');
    // the clients follow the master to the primary and keep their seats
    await waitFor(async () => clients.resumed === 5, 15_000);
    expect(clients.lost).toEqual([]);
    expect(await t.inUse(hosts[0])).toBe(5);
  }, 90_000);

  it('lmdown sent to the tertiary shuts down all three', async () => {
    const members = children.filter((c) => c.child.spawnargs.includes('serve') && c.child.spawnargs.some((a) => a.includes(`${path.sep}pim${path.sep}`)));
    expect(members).toHaveLength(3);
    const lmdown = await spawnTriad(['lmdown', '-q', '--force', '-c', `${t.port}@${hosts[2]}`, '--data', t.dataDir(hosts[2])]);
    children.push(lmdown);
    expect(await lmdown.exited, lmdown.stderr.join("\n")).toBe(0);
    const exits = await Promise.race([
      Promise.all(members.map((m) => m.exited)),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
    ]);
    expect(exits).toEqual([0, 0, 0]);
  }, 30_000);
});
