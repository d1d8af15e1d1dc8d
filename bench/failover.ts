import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkout, type CheckoutRequest, type HeldLicense } from '../src/core/client/checkout';
import { benchBundle, benchLicense, startServer, statusOf, waitForMaster, type BenchChild } from './benchProcesses';
import { freePort } from '../test/support/freePort';
import { shareClusterSecret } from '../test/support/clusterSecret';
import { labFromEnv, NamespaceLinks, namespaceSupport, withLab, type NamespaceLab } from './chaos/netns';

/**
 * Failover under load: a triad of three `triad serve` processes, `clients` client-library
 * clients each holding a seat and heartbeating, then the master fails. Measures the time until
 * the new master grants a new checkout, how long until every client has resumed its seat there
 * (resume token: the same seat, never a second one), and seats lost (0 expected).
 *
 * Two ways to fail: SIGKILL (the master's sockets close, peers and clients notice at once), and
 * a silent cut (the master's only network link taken down in a namespace lab, bench/chaos/netns.ts:
 * no reset, no close, the others notice only by missing heartbeats, as with a pulled cable or a
 * crashed switch). FlexNet for comparison: failure detected after 79 s by default, and clients
 * check out again.
 */

const loopbackHosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
/** A client heartbeats this often; the new master gives every seat a fresh 3-beat timeout. */
const CLIENT_HEARTBEAT_MS = 2_000;

export interface FailoverOptions {
  clients?: number;
  /** Where the triad runs for a silent cut (this process in its client namespace). */
  lab?: NamespaceLab;
}

export async function benchFailover(opts: FailoverOptions = {}): Promise<Record<string, number>> {
  const clientCount = opts.clients ?? 1000;
  const lab = opts.lab;
  const hosts = lab ? lab.memberHosts : loopbackHosts;
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-bench-failover-'));
  const members: BenchChild[] = [];
  const held: HeldLicense[] = [];
  const links = lab ? new NamespaceLinks(lab) : null;
  try {
    const port = await freePort();
    // room for the probe's checkout on top of the held seats
    const license = benchLicense(dir, clientCount + 5, hosts, port);
    shareClusterSecret(hosts.map((host) => path.join(dir, `data-${host}`)));
    for (const [m, host] of hosts.entries()) {
      const { server } = await startServer(license, {
        dataDir: path.join(dir, `data-${host}`),
        as: host,
        port,
        maxConnections: clientCount + 100,
        clientHeartbeatMs: CLIENT_HEARTBEAT_MS,
        ...(lab ? { spawn: { netns: lab.memberNs[m] } } : {}),
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

    if (links) links.linkDown(0);
    else members[0].child.kill('SIGKILL');
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
    links?.healAll();
    await Promise.all(members.map((m) => m.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Worker role `failover-silent`, run inside the lab: prints the figures as one JSON line. */
export async function runSilentCutWorker(clients: number): Promise<void> {
  const lab = labFromEnv();
  if (!lab) throw new Error('the failover-silent role runs inside a namespace lab (benchSilentCutFailover starts it)');
  process.stdout.write(`figures ${JSON.stringify(await benchFailover({ clients, lab }))}\n`);
}

/**
 * The silent-cut failover: needs root for the namespace lab; elsewhere says why and returns no
 * figures. This process makes the lab; a bench worker inside it runs the triad and the clients.
 */
export async function benchSilentCutFailover(opts: { clients?: number } = {}): Promise<Record<string, number>> {
  const cannot = namespaceSupport();
  if (cannot) {
    process.stdout.write(`  skipped: ${cannot}\n`);
    return {};
  }
  return withLab(
    (line) => process.stdout.write(`  ${line}\n`),
    (run) =>
      new Promise((resolve, reject) => {
        const worker = run.spawnNode([benchBundle, '--role', 'failover-silent', '--clients', String(opts.clients ?? 1000)], 'pipe');
        let output = '';
        worker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        worker.once('exit', (code) => {
          const line = /^figures (.*)$/m.exec(output);
          // JSON writes NaN (a figure never reached) as null
          if (code === 0 && line)
            resolve(Object.fromEntries(Object.entries(JSON.parse(line[1]) as Record<string, number | null>).map(([k, v]) => [k, v ?? Number.NaN])));
          else reject(new Error(`the silent-cut failover worker failed (exit ${code}): ${output.slice(-2_000)}`));
        });
      }),
  );
}

function seat(user: string): CheckoutRequest {
  return { feature: 'Bench', version: '1.0', count: 1, user, host: 'bench', display: ':0' };
}
