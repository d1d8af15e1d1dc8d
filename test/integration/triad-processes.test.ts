import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryStatus } from '../../src/core/client/searchAttempts';
import type { ServerStatus } from '../../src/shared/status';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';

// Three real `triad serve` processes on 127.0.0.1, .2 and .3, all on one port, from one license file.
const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const port = 31_000 + Math.floor(Math.random() * 2_000);
const temp = makeTempDir('triad-procs-');
const children: TriadChild[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c, 2_000)));
  temp.remove();
});

const license = writeSignedLicense(temp.dir, {
  servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })),
  features: [{ name: 'cad', count: 12, keyword: 'FEATURE' }],
});

async function serve(host: string): Promise<TriadChild> {
  const child = await spawnTriad([
    'serve', '-c', license.licensePath, '--as', host, '--hostid', TEST_HOSTID,
    '--data', path.join(temp.dir, `data-${host}`), '--trust', license.publicKeyPath,
  ]);
  children.push(child);
  await child.waitForLine(/ready on/);
  return child;
}

async function status(host: string): Promise<ServerStatus | null> {
  const answer = await queryStatus({ host, port }, { connectTimeoutMs: 500, requestTimeoutMs: 1_000 });
  return 'status' in answer ? answer.status : null;
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

describe('a triad of three triad serve processes', () => {
  it('primary started first is master; after SIGKILL of the master the secondary serves the same seats within 5 s', async () => {
    const primary = await serve(hosts[0]);
    await serve(hosts[1]);
    await serve(hosts[2]);
    await waitFor(async () => (await status(hosts[0]))?.role === 'master', 15_000);
    expect((await status(hosts[1]))?.role).toBe('standby');
    expect((await status(hosts[2]))?.master).toBe(hosts[0]);

    const spec = hosts.map((h) => `${port}@${h}`).join(',');
    const holders = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const holder = await spawnTriad(['checkout', 'cad', '-c', spec, '--user', `user${i}`, '--hold', '60']);
        children.push(holder);
        await holder.waitForLine(/GRANTED/, 20_000);
        return holder;
      }),
    );
    expect((await status(hosts[0]))?.features[0].inUse).toBe(10);

    primary.child.kill('SIGKILL');
    const killedAt = Date.now();
    const takeover = await waitFor(async () => {
      const s = await status(hosts[1]);
      return s?.role === 'master' ? s : null;
    }, 10_000);
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(5_000);
    expect(takeover.features[0].inUse).toBe(10);
    expect(takeover.features[0].users.map((u) => u.user).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `user${i}`).sort());

    // the holders are still holding: nobody exited and nobody was granted a second time
    await new Promise((r) => setTimeout(r, 1_500));
    for (const holder of holders) {
      expect(holder.child.exitCode).toBeNull();
      expect(holder.stdout.filter((line) => line.includes('GRANTED'))).toHaveLength(1);
    }
    expect((await status(hosts[1]))?.features[0].inUse).toBe(10);

    // the old primary, restarted, rejoins as a standby: the existing master stays master
    await serve(hosts[0]);
    await waitFor(async () => (await status(hosts[0]))?.role === 'standby', 15_000);
    expect((await status(hosts[0]))?.master).toBe(hosts[1]);
    expect((await status(hosts[1]))?.role).toBe('master');
  });

  it('with primary and secondary down, the tertiary alone serves nothing', async () => {
    for (const host of hosts.slice(0, 2)) {
      for (const c of children.filter((c) => c.child.spawnargs.includes(host))) c.child.kill('SIGKILL');
    }
    const alone = await waitFor(async () => {
      const s = await status(hosts[2]);
      return s && s.role !== 'master' && s.role !== 'standby' ? s : null;
    }, 10_000);
    expect(alone.role).toBe('no-quorum');
    const denied = await spawnTriad(['checkout', 'cad', '-c', `${port}@${hosts[2]}`]);
    children.push(denied);
    expect(await denied.exited).not.toBe(0);
  });
});
