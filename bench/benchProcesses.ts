import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { queryStatus } from '../src/core/client/searchAttempts';
import type { ServerStatus } from '../src/shared/status';
import { TEST_HOSTID, writeSignedLicense } from '../test/support/signedLicense';
import { inNamespace } from './chaos/netns';

/**
 * The processes a bench starts: `triad serve` from the CLI bundle beside the bench bundle
 * (dist/cli.mjs next to dist/bench.mjs), and the bench bundle itself in a worker role (echo
 * server, client swarm). Servers run in their own process so the load generator does not share
 * their event loop; on this 2-core machine the server gets one core, the clients the other.
 */

export const benchBundle = fileURLToPath(import.meta.url);
export const cliBundle = path.join(path.dirname(benchBundle), 'cli.mjs');

/**
 * The open-file limit a child can be given: `wanted` when this process may raise its limits that
 * far (root with CAP_SYS_RESOURCE, up to fs.nr_open), else the current hard limit.
 */
export function openFileLimit(wanted: number): { limit: number; hard: number } {
  const hard = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
  if (!Number.isFinite(hard) || wanted <= hard) return { limit: Number.isFinite(hard) ? hard : wanted, hard };
  const raised = spawnSync('prlimit', [`--nofile=${wanted}:${wanted}`, 'true']).status === 0;
  return { limit: raised ? wanted : hard, hard };
}

export interface BenchChild {
  /** prlimit execs node, so with a raised limit this is still the node process. */
  child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`; rejects if the process ends first or on timeout. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has ended. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Raise the open-file limit of the child (prlimit; needs root or a high enough hard limit). */
  nofile?: number;
  nodeArgs?: string[];
  /** Run the child in this network namespace (a chaos lab's member, bench/chaos/netns.ts). */
  netns?: string;
}

function spawnNode(args: string[], options: SpawnOptions = {}): BenchChild {
  const node = [...(options.nodeArgs ?? []), ...args];
  const limited = options.nofile
    ? { command: 'prlimit', args: [`--nofile=${options.nofile}:${options.nofile}`, process.execPath, ...node] }
    : { command: process.execPath, args: node };
  const placed = options.netns ? inNamespace(options.netns, limited.command, limited.args) : limited;
  const child = spawn(placed.command, placed.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const wakers = new Set<() => void>();
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of wakers) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
      for (const wake of wakers) wake();
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    line: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => settle(() => reject(new Error(`${args.join(' ')}: no line ${pattern} within ${timeoutMs} ms; stderr: ${stderr.join('')}`))),
          timeoutMs,
        );
        const settle = (done: () => void) => {
          clearTimeout(timer);
          wakers.delete(check);
          done();
        };
        const check = () => {
          const found = lines.find((l) => pattern.test(l));
          if (found !== undefined) settle(() => resolve(found));
          else if (!running()) settle(() => reject(new Error(`${args.join(' ')} ended before printing ${pattern}; stderr: ${stderr.join('')}`)));
        };
        wakers.add(check);
        check();
      }),
    stop: async (graceMs = 5_000) => {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The bench bundle in a worker role (see bench/index.ts). */
export function spawnWorker(role: string, args: string[], options: SpawnOptions = {}): BenchChild {
  return spawnNode([benchBundle, '--role', role, ...args], options);
}

export interface ServedLicense {
  licensePath: string;
  publicKeyPath: string;
}

/** A signed license for `Bench` with `seats` seats, for one server or a triad on 127.0.0.1/.2/.3. */
export function benchLicense(dir: string, seats: number, hosts: string[], port?: number): ServedLicense {
  return writeSignedLicense(dir, { servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })), features: [{ name: 'Bench', count: seats }] });
}

export interface ServeOptions {
  dataDir: string;
  as?: string;
  port?: number;
  maxConnections: number;
  clientHeartbeatMs?: number;
  /** More `triad serve` flags (e.g. retention limits, --metrics). */
  extraArgs?: string[];
  spawn?: SpawnOptions;
}

/** `triad serve` in a child process; resolves once it is listening, with its port. */
export async function startServer(license: ServedLicense, options: ServeOptions): Promise<{ server: BenchChild; port: number }> {
  const args = ['serve', '-c', license.licensePath, '--hostid', TEST_HOSTID, '--trust', license.publicKeyPath, '--data', options.dataDir];
  // the bench's clients come from a few loopback addresses, thousands each
  args.push('--max-connections', String(options.maxConnections), '--max-connections-per-address', String(options.maxConnections));
  if (options.as) args.push('--as', options.as);
  args.push('--port', String(options.port ?? 0));
  if (options.clientHeartbeatMs) args.push('--client-heartbeat', String(options.clientHeartbeatMs));
  args.push(...(options.extraArgs ?? []));
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers under load
  const profiling = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const server = spawnNode([cliBundle, ...args], { ...options.spawn, nodeArgs: [...(options.spawn?.nodeArgs ?? []), ...profiling] });
  try {
    const ready = await server.line(/ready on \d+@/);
    return { server, port: Number(/ready on (\d+)@/.exec(ready)![1]) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** A plain TCP echo server (worker role `echo-server`) in its own process; resolves with its port. */
export async function startEchoServer(): Promise<{ server: BenchChild; port: number }> {
  const server = spawnWorker('echo-server', []);
  const ready = await server.line(/^echo ready on \d+/);
  return { server, port: Number(/(\d+)$/.exec(ready)![1]) };
}

export async function statusOf(host: string, port: number): Promise<ServerStatus | null> {
  const answer = await queryStatus({ host, port }, { connectTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
  return 'status' in answer ? answer.status : null;
}

/** Waits until the first host is the triad's master and the second its standby. */
export async function waitForMaster(hosts: readonly string[], port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [primary, secondary] = await Promise.all([statusOf(hosts[0], port), statusOf(hosts[1], port)]);
    if (primary?.role === 'master' && secondary?.role === 'standby') return;
    await sleep(200);
  }
  throw new Error(`the triad elected no master within ${timeoutMs / 1000} s`);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process, bytes (Linux). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}
