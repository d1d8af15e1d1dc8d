import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBackend } from '../src/core/backend';
import { encodeFrame, FrameDecoder } from '../src/core/protocol';
import { TEST_HOSTID, writeSignedLicense } from '../test/support/signedLicense';

/**
 * Checkout+checkin pairs per second and pair latency (p50/p99) for many concurrent clients
 * against one in-process server, and the very same request loop against a plain TCP echo server
 * that answers each frame with itself, in the same run. The ratio says how much of the cost is
 * ours (validation, pools, SQLite commits, logs) rather than the sockets'.
 */

export interface ThroughputOptions {
  clients?: number;
  /** Measured phase per target, after every client is connected. */
  durationMs?: number;
}

/** A raw framed client: send one frame, wait for the next frame back. Same code for both targets. */
class FrameClient {
  private readonly decoder = new FrameDecoder();
  private waiting: ((payload: Record<string, unknown>) => void) | null = null;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      for (const payload of this.decoder.push(chunk)) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve?.(JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
      }
    });
    socket.on('error', () => {});
    // a closed connection answers nothing: end this client's loop instead of waiting forever
    socket.on('close', () => {
      this.closed = true;
      const resolve = this.waiting;
      this.waiting = null;
      resolve?.({});
    });
  }

  static connect(port: number): Promise<FrameClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new FrameClient(socket)));
      socket.once('error', reject);
    });
  }

  ask(message: unknown): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.resolve({});
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(encodeFrame(message));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function startEchoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const payload of decoder.push(chunk)) {
        // answer like the server would: an id-carrying JSON frame of similar size
        const message = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        socket.write(encodeFrame({ ...message, leaseId: 'echo' }));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}

async function connectAll(port: number, count: number): Promise<FrameClient[]> {
  const clients: FrameClient[] = [];
  // in waves, so the listen backlog never overflows
  for (let i = 0; i < count; i += 100) {
    const wave = await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => FrameClient.connect(port)));
    clients.push(...wave);
  }
  await Promise.all(clients.map((c) => c.ask({ type: 'hello', version: 1, role: 'client' })));
  return clients;
}

/** Every client loops checkout -> checkin until the time is up; returns pair latencies (ms). */
async function runLoop(clients: FrameClient[], durationMs: number): Promise<{ latencies: number[]; elapsedMs: number; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    clients.map(async (client, index) => {
      let id = 0;
      while (performance.now() < deadline && !client.closed) {
        const t0 = performance.now();
        const granted = await client.ask({
          type: 'checkout',
          id: ++id,
          feature: 'Bench',
          version: '1.0',
          count: 1,
          user: `user${index}`,
          host: 'bench',
          display: ':0',
        });
        if (typeof granted.leaseId !== 'string') {
          failures++;
          continue;
        }
        await client.ask({ type: 'checkin', id: ++id, leaseId: granted.leaseId });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, elapsedMs: performance.now() - started, failures };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarise(run: { latencies: number[]; elapsedMs: number }) {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  return {
    pairsPerSecond: (sorted.length / run.elapsedMs) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

export async function benchThroughput(opts: ThroughputOptions = {}): Promise<Record<string, number>> {
  const clientCount = opts.clients ?? 1000;
  const durationMs = opts.durationMs ?? 5_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-bench-'));
  try {
    const license = writeSignedLicense(dir, {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [{ name: 'Bench', count: clientCount }],
    });
    const backend = await createBackend({
      licensePath: license.licensePath,
      dataDir: path.join(dir, 'data'),
      hostid: TEST_HOSTID,
      port: 0,
      trustFiles: [license.publicKeyPath],
      limits: { maxConnections: clientCount + 10 },
    });
    let server;
    try {
      const clients = await connectAll(backend.address.port, clientCount);
      server = await runLoop(clients, durationMs);
      for (const c of clients) c.close();
    } finally {
      await backend.stop('benchmark finished');
    }

    const echoServer = await startEchoServer();
    let echo;
    try {
      const clients = await connectAll(echoServer.port, clientCount);
      echo = await runLoop(clients, durationMs);
      for (const c of clients) c.close();
    } finally {
      await echoServer.close();
    }

    const ours = summarise(server);
    const baseline = summarise(echo);
    return {
      clients: clientCount,
      durationMs,
      pairsPerSecond: Math.round(ours.pairsPerSecond),
      p50Ms: round(ours.p50Ms),
      p99Ms: round(ours.p99Ms),
      failures: server.failures,
      echoPairsPerSecond: Math.round(baseline.pairsPerSecond),
      echoP50Ms: round(baseline.p50Ms),
      echoP99Ms: round(baseline.p99Ms),
      /** Our throughput as a share of the bare-socket loop's (1 = as fast as an echo server). */
      throughputRatio: round(ours.pairsPerSecond / baseline.pairsPerSecond, 3),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
