import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchLicense, cpuSeconds, openFileLimit, rssBytes, spawnWorker, startServer, type BenchChild } from './benchProcesses';
import { round } from './loadClient';

/**
 * Concurrent clients: one `triad serve` process holds `clients` connected clients, each with a
 * seat and heartbeating at the normal interval (30 s). Reports the time to connect them all, the
 * server's resident memory per client, and its CPU while idle (only heartbeats arrive).
 * Server and client processes run with the open-file limit raised (prlimit) to what the clients
 * need. Where the hard limit cannot be raised (no CAP_SYS_RESOURCE, e.g. in a container), the
 * bench holds as many clients as that limit allows and says so (`clients` < `clientsWanted`).
 * Clients come from 127.0.0.2.. so no source address runs out of ephemeral ports.
 */

export interface ClientsOptions {
  clients?: number;
  /** Client processes (each holds clients / workers connections). */
  workers?: number;
  /** How long idle CPU is measured. */
  idleMs?: number;
}

/** Connections per source address: well below the ~28,000 ephemeral ports of 32768-60999. */
const PER_ADDRESS = 5_000;
/** Descriptors the server needs besides its clients (database, WAL, stdio, listener, ...). */
const SPARE_FDS = 200;

export async function benchClients(opts: ClientsOptions = {}): Promise<Record<string, number>> {
  const clientsWanted = opts.clients ?? 50_000;
  const fds = openFileLimit(clientsWanted + SPARE_FDS);
  const clientCount = Math.min(clientsWanted, fds.limit - SPARE_FDS);
  const workerCount = Math.max(opts.workers ?? 2, Math.ceil(clientCount / (fds.limit - SPARE_FDS)));
  const idleMs = opts.idleMs ?? 10_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-bench-'));
  const children: BenchChild[] = [];
  try {
    const license = benchLicense(dir, clientCount, ['127.0.0.1']);
    const { server, port } = await startServer(license, {
      dataDir: path.join(dir, 'data'),
      maxConnections: clientCount + 100,
      spawn: { nofile: fds.limit },
    });
    children.push(server);
    const pid = server.child.pid!;
    await sleep(500);
    const rssBefore = rssBytes(pid);

    const started = performance.now();
    const addresses = Math.max(1, Math.ceil(clientCount / PER_ADDRESS));
    const share = Math.ceil(clientCount / workerCount);
    const workers = Array.from({ length: workerCount }, (_, w) => {
      const first = w * share;
      const count = Math.max(0, Math.min(share, clientCount - first));
      const worker = spawnWorker('swarm', ['--port', String(port), '--first', String(first), '--count', String(count), '--addresses', String(addresses)], {
        nofile: fds.limit,
      });
      children.push(worker);
      return worker;
    });
    const reports = await Promise.all(workers.map((w) => w.line(/^holding \d+ failed \d+/, 240_000)));
    const connectMs = performance.now() - started;
    const held = reports.reduce((sum, line) => sum + Number(/^holding (\d+)/.exec(line)![1]), 0);
    const failed = reports.reduce((sum, line) => sum + Number(/failed (\d+)/.exec(line)![1]), 0);

    // settle (the last grants' log rows, GC), then measure memory and idle CPU
    await sleep(2_000);
    const rssAfter = rssBytes(pid);
    const cpuStart = cpuSeconds(pid);
    const idleStart = performance.now();
    await sleep(idleMs);
    const idleCpu = (cpuSeconds(pid) - cpuStart) / ((performance.now() - idleStart) / 1000);

    return {
      clientsWanted,
      clients: clientCount,
      held,
      failed,
      connectSeconds: round(connectMs / 1000, 1),
      connectsPerSecond: Math.round((held / connectMs) * 1000),
      serverRssMB: round(rssAfter / 2 ** 20, 1),
      rssPerClientKB: round((rssAfter - rssBefore) / Math.max(1, held) / 1024, 2),
      idleCpuPercent: round(idleCpu * 100, 1),
      /** RSS the server would need for `clientsWanted`, at the measured cost per client. */
      projectedRssMBAtWanted: round((rssBefore + ((rssAfter - rssBefore) / Math.max(1, held)) * clientsWanted) / 2 ** 20, 1),
      fdLimit: fds.limit,
      fdHardLimit: fds.hard,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
