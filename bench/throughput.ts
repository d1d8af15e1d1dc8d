import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchLicense, cpuSeconds, startEchoServer, startServer, type BenchChild } from './benchProcesses';
import { connectAll, fullAndHalfLoad, measureLoad, round, type FrameClient, type LoadFigures } from './loadClient';

/**
 * Checkout+checkin pairs per second and pair latency (p50/p99) of one `triad serve` process,
 * at full load (every client as fast as answered) and at half that rate, and the very same
 * request loop against a plain TCP echo server in the same run. The ratio says how much of the
 * cost is ours (validation, pools, SQLite commits, logs) rather than the sockets'.
 */

export interface ThroughputOptions {
  clients?: number;
  /** Measured phase per load level and target, after every client is connected. */
  durationMs?: number;
}

export async function benchThroughput(opts: ThroughputOptions = {}): Promise<Record<string, number>> {
  const clientCount = opts.clients ?? 1000;
  const durationMs = opts.durationMs ?? 5_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-bench-'));
  try {
    const license = benchLicense(dir, clientCount, ['127.0.0.1']);
    const ours = await withClients(
      () => startServer(license, { dataDir: path.join(dir, 'data'), maxConnections: clientCount + 10 }),
      clientCount,
      (clients, server) => fullAndHalfLoad(clients, durationMs, () => cpuSeconds(server.child.pid!)),
    );
    // the echo server at full speed, and at the rate our half-load run offered: the latency the
    // sockets, the machine and this load generator add by themselves at that rate
    const echo = await withClients(startEchoServer, clientCount, async (clients, server) => {
      const cpu = () => cpuSeconds(server.child.pid!);
      const full = await measureLoad(clients, durationMs, { serverCpuSeconds: cpu });
      const atOurHalf = await measureLoad(clients, durationMs, { pairsPerSecond: ours.half.pairsPerSecond, serverCpuSeconds: cpu });
      return { full, atOurHalf };
    });
    return {
      clients: clientCount,
      durationMs,
      ...figures('full', ours.full),
      ...figures('half', ours.half),
      ...figures('echoFull', echo.full),
      ...figures('echoAtHalfRate', echo.atOurHalf),
      /** Our full-load throughput as a share of the bare-socket loop's (1 = as fast as an echo server). */
      throughputRatio: round(ours.full.pairsPerSecond / echo.full.pairsPerSecond, 3),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withClients<T>(
  start: () => Promise<{ server: BenchChild; port: number }>,
  clientCount: number,
  run: (clients: FrameClient[], server: BenchChild) => Promise<T>,
): Promise<T> {
  const { server, port } = await start();
  try {
    const clients = await connectAll(port, clientCount);
    const result = await run(clients, server);
    for (const c of clients) c.close();
    return result;
  } finally {
    await server.stop();
  }
}

/** `full` + figures -> fullPairsPerSecond, fullP50Ms, ... (flat, for the table and the JSON). */
export function figures(prefix: string, load: LoadFigures): Record<string, number> {
  return {
    [`${prefix}PairsPerSecond`]: load.pairsPerSecond,
    [`${prefix}P50Ms`]: load.p50Ms,
    [`${prefix}P99Ms`]: load.p99Ms,
    [`${prefix}Failures`]: load.failures,
    [`${prefix}ServerCpuUsPerPair`]: load.serverCpuUsPerPair,
  };
}
