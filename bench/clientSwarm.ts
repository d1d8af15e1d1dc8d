import { performance } from 'node:perf_hooks';
import { FrameClient } from './loadClient';

/**
 * Worker role `swarm`: many license holders in one process. Each connects from one of the
 * source addresses 127.0.0.<first>..<first+addresses-1> (one address alone runs out of
 * ephemeral ports near 28,000 connections), says hello, checks out one seat of `Bench` and then
 * heartbeats at the interval the server's grant names, as a real client would.
 * It prints `holding <n> failed <m> in <ms>` once every client has its answer, then holds until
 * SIGTERM.
 */

export interface SwarmArgs {
  port: number;
  /** Global index of this worker's first client (user names stay unique across workers). */
  first: number;
  count: number;
  firstAddress: number;
  addresses: number;
  /** Connections being set up at once. */
  concurrency: number;
}

export function parseSwarmArgs(argv: string[]): SwarmArgs {
  const value = (name: string, fallback?: number) => {
    const at = argv.indexOf(`--${name}`);
    const n = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (n === undefined || !Number.isInteger(n)) throw new Error(`swarm: --${name} <whole number> is needed`);
    return n;
  };
  return {
    port: value('port'),
    first: value('first', 0),
    count: value('count'),
    firstAddress: value('first-address', 2),
    addresses: value('addresses', 1),
    concurrency: value('concurrency', 200),
  };
}

export async function runClientSwarm(args: SwarmArgs): Promise<void> {
  const started = performance.now();
  const held: FrameClient[] = [];
  let failed = 0;
  let next = 0;
  const one = async (index: number) => {
    const localAddress = `127.0.0.${args.firstAddress + (index % args.addresses)}`;
    try {
      const client = await FrameClient.connect(args.port, '127.0.0.1', localAddress);
      await client.ask({ type: 'hello', version: 1, role: 'client' });
      const granted = await client.ask({
        type: 'checkout',
        id: 1,
        feature: 'Bench',
        version: '1.0',
        count: 1,
        user: `u${index}`,
        host: `h${index % 1000}`,
        display: ':0',
      });
      if (typeof granted.leaseId !== 'string') throw new Error(String(granted.reason ?? granted.type));
      held.push(client);
      heartbeatForever(client, granted.leaseId, Number(granted.heartbeatIntervalMs));
    } catch {
      failed += 1;
    }
  };
  await Promise.all(
    Array.from({ length: args.concurrency }, async () => {
      while (next < args.count) await one(args.first + next++);
    }),
  );
  process.stdout.write(`holding ${held.length} failed ${failed} in ${Math.round(performance.now() - started)}\n`);
  process.on('SIGTERM', () => {
    for (const client of held) client.close();
    process.exit(0);
  });
}

/** Heartbeats at the server's interval, starting at a random point of it (clients are not in step). */
function heartbeatForever(client: FrameClient, leaseId: string, intervalMs: number): void {
  let id = 1;
  const beat = () => {
    if (client.closed) return;
    void client.ask({ type: 'heartbeat', id: ++id, leaseIds: [leaseId] });
    setTimeout(beat, intervalMs).unref();
  };
  setTimeout(beat, Math.random() * intervalMs).unref();
}
