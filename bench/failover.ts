import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkout, type CheckoutRequest, type HeldLicense } from '../src/core/client/checkout';
import { benchLicense, startServer, statusOf, waitForMaster, type BenchChild } from './benchProcesses';
import { freePort } from '../test/support/freePort';
import { shareClusterSecret } from '../test/support/clusterSecret';

/**
 * Failover under load: a triad of three `triad serve` processes, `clients` client-library
 * clients each holding a seat and heartbeating, then SIGKILL of the master. Measures the time
 * until the new master grants a new checkout, how long until every client has resumed its seat
 * there (resume token: the same seat, never a second one), and seats lost (0 expected).
 * FlexNet for comparison: failure detected after 79 s by default, and clients check out again.
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
/** A client heartbeats this often; the new master gives every seat a fresh 3-beat timeout. */
const CLIENT_HEARTBEAT_MS = 2_000;

export async function benchFailover(opts: { clients?: number } = {}): Promise<Record<string, number>> {
  const clientCount = opts.clients ?? 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-bench-failover-'));
  const members: BenchChild[] = [];
  const held: HeldLicense[] = [];
  try {
    const port = await freePort();
    // room for the probe's checkout on top of the held seats
    const license = benchLicense(dir, clientCount + 5, hosts, port);
    shareClusterSecret(hosts.map((host) => path.join(dir, `data-${host}`)));
    for (const host of hosts) {
      const { server } = await startServer(license, {
        dataDir: path.join(dir, `data-${host}`),
        as: host,
        port,
        maxConnections: clientCount + 100,
        clientHeartbeatMs: CLIENT_HEARTBEAT_MS,
      });
      members.push(server);
    }
    await waitForMaster(hosts, port);

    const servers = hosts.map((host) => ({ host, port }));
    let resumed = 0;
    let lost = 0;
    for (let i = 0; i < clientCount; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, clientCount - i) }, (_, j) => checkout(servers, seat(`user${i + j}`))),
      );
      for (const result of batch) {
        if (result.kind !== 'granted') throw new Error(`a client was not granted before the failover: ${JSON.stringify(result)}`);
        held.push(result.license);
        result.license.on('resumed', () => (resumed += 1));
        result.license.on('lost', () => (lost += 1));
      }
    }
    const before = (await statusOf(hosts[0], port))?.features[0]?.inUse ?? 0;

    members[0].child.kill('SIGKILL');
    const killedAt = performance.now();
    // a probe asks the other two for a new seat until the new master grants one
    let firstGrantMs = Number.NaN;
    while (performance.now() - killedAt < 60_000) {
      const probe = await checkout(servers.slice(1), seat('probe'), { connectTimeoutMs: 500 });
      if (probe.kind === 'granted') {
        firstGrantMs = performance.now() - killedAt;
        await probe.license.checkin();
        break;
      }
      await sleep(20);
    }
    while (resumed + lost < clientCount && performance.now() - killedAt < 60_000) await sleep(50);
    const allResumedMs = resumed === clientCount ? performance.now() - killedAt : Number.NaN;
    const after = (await statusOf(hosts[1], port))?.features[0]?.inUse ?? 0;
    return {
      clients: clientCount,
      seatsHeldBefore: before,
      timeToFirstGrantMs: Math.round(firstGrantMs),
      allClientsResumedMs: Math.round(allResumedMs),
      clientsResumed: resumed,
      seatsLost: Math.max(0, before - after) + lost,
    };
  } finally {
    for (const license of held) await license.checkin().catch(() => undefined);
    await Promise.all(members.map((m) => m.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function seat(user: string): CheckoutRequest {
  return { feature: 'Bench', version: '1.0', count: 1, user, host: 'bench', display: ':0' };
}
