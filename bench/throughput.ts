import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchLicense, startEchoServer, startServer } from './benchProcesses';
import { connectAll, fullAndHalfLoad, round, type LoadFigures } from './loadClient';

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
    const ours = await measure(() => startServer(license, { dataDir: path.join(dir, 'data'), maxConnections: clientCount + 10 }), clientCount, durationMs);
    const echo = await measure(startEchoServer, clientCount, durationMs);
    return {
      clients: clientCount,
      durationMs,
      ...figures('full', ours.full),
      ...figures('half', ours.half),
      ...figures('echoFull', echo.full),
      ...figures('echoHalf', echo.half),
      /** Our full-load throughput as a share of the bare-socket loop's (1 = as fast as an echo server). */
      throughputRatio: round(ours.full.pairsPerSecond / echo.full.pairsPerSecond, 3),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(start: () => Promise<{ server: { stop(): Promise<void> }; port: number }>, clientCount: number, durationMs: number) {
  const { server, port } = await start();
  try {
    const clients = await connectAll(port, clientCount);
    const result = await fullAndHalfLoad(clients, durationMs);
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
  };
}
