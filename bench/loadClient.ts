import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeFrame, FrameDecoder } from '../src/core/protocol';

/**
 * The load generator shared by the throughput benches: raw framed clients that send one request
 * and wait for its reply, so the very same loop runs against our server and against a plain TCP
 * echo server.
 */

export type Reply = Record<string, unknown>;

const ASK_TIMEOUT_MS = 15_000;

export class FrameClient {
  private readonly decoder = new FrameDecoder();
  private waiting: ((reply: Reply) => void) | null = null;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      for (const payload of this.decoder.push(chunk)) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve?.(JSON.parse(payload.toString('utf8')) as Reply);
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

  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<FrameClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, localAddress }, () => {
        socket.off('error', reject);
        resolve(new FrameClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Resolves with the reply, or with `{}` when the connection closes or no reply comes in time. */
  ask(message: unknown, timeoutMs = ASK_TIMEOUT_MS): Promise<Reply> {
    if (this.closed) return Promise.resolve({});
    return new Promise((resolve) => {
      // a server that stops answering must fail the bench, not hang it: the client gives up
      const timer = setTimeout(() => this.close(), timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.socket.write(encodeFrame(message));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Connects `count` clients in waves (so the listen backlog never overflows) and says hello. */
export async function connectAll(port: number, count: number, host = '127.0.0.1'): Promise<FrameClient[]> {
  const clients: FrameClient[] = [];
  for (let i = 0; i < count; i += 100) {
    const wave = await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => FrameClient.connect(port, host)));
    clients.push(...wave);
  }
  await Promise.all(clients.map((c) => c.ask({ type: 'hello', version: 1, role: 'client' })));
  return clients;
}

export interface LoopResult {
  /** Pair latencies, ms. */
  latencies: number[];
  elapsedMs: number;
  failures: number;
}

/**
 * Every client loops checkout -> checkin until the time is up. With `pairsPerSecond`, the clients
 * together offer that rate (each starts its pairs on its own schedule, so a slow reply delays only
 * that client, and its late start counts in the latency); without it they go as fast as answered.
 */
export async function runPairs(clients: FrameClient[], durationMs: number, pairsPerSecond?: number): Promise<LoopResult> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const periodMs = pairsPerSecond ? (clients.length / pairsPerSecond) * 1000 : 0;
  await Promise.all(
    clients.map(async (client, index) => {
      let id = 0;
      // spread the first starts over one period so the paced clients do not move in lockstep
      let due = started + (periodMs * index) / clients.length;
      while (!client.closed) {
        if (Math.max(due, performance.now()) >= deadline) break;
        const wait = due - performance.now();
        if (periodMs > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
        // a paced pair counts from when it was due, so a backlog shows in the latency
        const t0 = periodMs > 0 ? Math.min(due, performance.now()) : performance.now();
        due += periodMs;
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

export interface LoadFigures {
  pairsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** CPU time the server process(es) spent per pair, µs; NaN when not measured. */
  serverCpuUsPerPair: number;
}

export function summarise(run: LoopResult, serverCpuSeconds = Number.NaN): LoadFigures {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
  return {
    pairsPerSecond: Math.round((sorted.length / run.elapsedMs) * 1000),
    p50Ms: round(at(50)),
    p99Ms: round(at(99)),
    failures: run.failures,
    serverCpuUsPerPair: round((serverCpuSeconds * 1e6) / Math.max(1, sorted.length), 1),
  };
}

export interface LoadOptions {
  /** Offered rate; as fast as answered when absent. */
  pairsPerSecond?: number;
  /** CPU seconds the server process(es) have used so far, read before and after the run. */
  serverCpuSeconds?: () => number;
}

/** One measured run of the pair loop. */
export async function measureLoad(clients: FrameClient[], durationMs: number, options: LoadOptions = {}): Promise<LoadFigures> {
  const cpuBefore = options.serverCpuSeconds?.() ?? Number.NaN;
  const run = await runPairs(clients, durationMs, options.pairsPerSecond);
  const cpuAfter = options.serverCpuSeconds?.() ?? Number.NaN;
  return summarise(run, cpuAfter - cpuBefore);
}

/** Full load (every client as fast as answered), then half of that rate, on the same clients. */
export async function fullAndHalfLoad(
  clients: FrameClient[],
  durationMs: number,
  serverCpuSeconds?: () => number,
): Promise<{ full: LoadFigures; half: LoadFigures }> {
  const full = await measureLoad(clients, durationMs, { serverCpuSeconds });
  const half = await measureLoad(clients, durationMs, { pairsPerSecond: Math.max(1, full.pairsPerSecond / 2), serverCpuSeconds });
  return { full, half };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
