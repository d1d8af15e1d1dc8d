import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { faults } from '../test/support/faultProxy';
import { cliBundle, cpuSeconds, statusOf } from './benchProcesses';
import { ChaosCluster, HIDDEN_HOSTS, MEMBER_INDEXES, ProxyNetwork, type Member } from './chaos/cluster';
import { connectAll, fullAndHalfLoad } from './loadClient';
import { figures } from './throughput';

/**
 * The triad bench with the members `linkDelayMs` apart (each peer link goes through a fault
 * proxy that holds every chunk that long, each way): three buildings or sites. Clients talk to
 * the master directly. A longer round trip keeps more appends in flight between the master and
 * its standbys, which is what pipelining (src/core/quorum/README.md) is for.
 */
export async function benchTriadWanThroughput(opts: { clients?: number; durationMs?: number; linkDelayMs?: number } = {}): Promise<Record<string, number>> {
  const clientCount = opts.clients ?? 1000;
  const durationMs = opts.durationMs ?? 5_000;
  const linkDelayMs = opts.linkDelayMs ?? 5;
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-wan-bench-'));
  const network = await ProxyNetwork.create(Math.random);
  const cluster = new ChaosCluster({
    workDir: dir,
    program: { kind: 'serve', cliPath: cliBundle },
    network,
    seats: clientCount,
    feature: 'Bench',
    clientHeartbeatMs: 30_000,
  });
  const hiddenPort = network.listenAddresses[0].port;
  try {
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) network.setPeerLink(a, b, faults.delay(linkDelayMs));
    await cluster.start();
    const master = await waitForAnyMaster(hiddenPort);
    const clients = await connectAll(hiddenPort, clientCount, HIDDEN_HOSTS[master]);
    const cpu = () => MEMBER_INDEXES.reduce<number>((sum, m) => sum + cpuSeconds(cluster.members[m].child!.pid!), 0);
    const { full, half } = await fullAndHalfLoad(clients, durationMs, cpu);
    for (const c of clients) c.close();
    return { clients: clientCount, durationMs, linkDelayMs, ...figures('full', full), ...figures('half', half) };
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitForAnyMaster(port: number, timeoutMs = 30_000): Promise<Member> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const roles = await Promise.all(HIDDEN_HOSTS.map((host) => statusOf(host, port).then((status) => status?.role)));
    const master = roles.indexOf('master');
    if (master >= 0) return master as Member;
    await sleep(200);
  }
  throw new Error(`the triad elected no master within ${timeoutMs / 1000} s`);
}
