import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchLicense, cpuSeconds, rssBytes, startServer, waitForMaster, type BenchChild } from './benchProcesses';
import { freePort } from '../test/support/freePort';
import { shareClusterSecret } from '../test/support/clusterSecret';
import { connectAll, fullAndHalfLoad } from './loadClient';
import { figures } from './throughput';

/**
 * Checkout+checkin pairs per second and latency against the master of a triad of three
 * `triad serve` processes on 127.0.0.1, .2 and .3: every grant and checkin is replicated and
 * acknowledged by a standby before the client hears the answer. Full load and half load.
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

export async function benchTriadThroughput(opts: { clients?: number; durationMs?: number } = {}): Promise<Record<string, number>> {
  const clientCount = opts.clients ?? 1000;
  const durationMs = opts.durationMs ?? 5_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-bench-'));
  const members: BenchChild[] = [];
  try {
    const port = await freePort();
    const license = benchLicense(dir, clientCount, hosts, port);
    shareClusterSecret(hosts.map((host) => path.join(dir, `data-${host}`)));
    // primary first, so the primary becomes the master
    for (const host of hosts) {
      const { server } = await startServer(license, { dataDir: path.join(dir, `data-${host}`), as: host, port, maxConnections: clientCount + 10 });
      members.push(server);
    }
    await waitForMaster(hosts, port);
    const clients = await connectAll(port, clientCount, hosts[0]);
    // CPU of all three members: each grant and checkin costs work on the master and both standbys
    const { full, half } = await fullAndHalfLoad(clients, durationMs, () => members.reduce((sum, m) => sum + cpuSeconds(m.child.pid!), 0));
    for (const c of clients) c.close();
    // every pair adds two entries to the replicated log; only the newest stay in memory
    const masterRssMB = Math.round(rssBytes(members[0].child.pid!) / (1024 * 1024));
    return { clients: clientCount, durationMs, ...figures('full', full), ...figures('half', half), masterRssMB };
  } finally {
    await Promise.all(members.map((m) => m.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
