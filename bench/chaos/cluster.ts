import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FaultProxy, faults, type LinkFault } from '../../test/support/faultProxy';
import { TEST_HOSTID, writeSignedLicense } from '../../test/support/signedLicense';
import { shareClusterSecret } from '../../test/support/clusterSecret';

/**
 * Three real `triad serve` processes, each behind a fault proxy.
 *
 * Addresses (all of 127/8 is loopback): the license's SERVER lines name the proxies,
 * 127.0.1.{1,2,3}:publicPort; each server listens on 127.0.2.{1,2,3}:hiddenPort. A member dials
 * its peers from its SERVER-line address (the driver binds `localAddress` to it), so the proxy in
 * front of member X labels a connection from 127.0.1.1 as the link P->X, and anything else as a
 * client. Only lower ranks dial higher ones, so the P-S link is the proxy of S with label P.
 * The observer reads each member's status on the hidden address, past every fault.
 */

export const MEMBERS = ['P', 'S', 'T'] as const;
export type Member = 0 | 1 | 2;
export const MEMBER_INDEXES: readonly Member[] = [0, 1, 2];

export const PUBLIC_HOSTS = MEMBER_INDEXES.map((m) => `127.0.1.${m + 1}`);
export const HIDDEN_HOSTS = MEMBER_INDEXES.map((m) => `127.0.2.${m + 1}`);

function portFreeOn(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/**
 * A port free on every one of `hosts`, below Linux's ephemeral range (32768+) so outgoing
 * connections of other tests cannot take it between the probe and the listen.
 */
export async function findFreePort(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await Promise.all(hosts.map((host) => portFreeOn(host, port)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on ${hosts.join(', ')} after 100 tries`);
}

export interface ChaosClusterOptions {
  workDir: string;
  /** The bundled `triad` CLI (dist/cli.mjs, or the test bundle). */
  cliPath: string;
  seats: number;
  /** The licensed feature (default `cad`). */
  feature?: string;
  clientHeartbeatMs: number;
  random: () => number;
  /** Port of the proxies (on the SERVER-line addresses) and of the servers behind them. */
  publicPort: number;
  hiddenPort: number;
}

export interface MemberProcess {
  child: ChildProcess | null;
  paused: boolean;
  starts: number;
}

export class ChaosCluster {
  readonly publicAddresses: { host: string; port: number }[];
  readonly hiddenAddresses: { host: string; port: number }[];
  readonly dataDirs: string[];
  readonly proxies: FaultProxy[];
  readonly members: MemberProcess[] = MEMBER_INDEXES.map(() => ({ child: null, paused: false, starts: 0 }));
  private readonly license: { licensePath: string; publicKeyPath: string };
  private readonly logs: WriteStream[];

  constructor(private readonly options: ChaosClusterOptions) {
    const { publicPort, hiddenPort } = options;
    this.publicAddresses = PUBLIC_HOSTS.map((host) => ({ host, port: publicPort }));
    this.hiddenAddresses = HIDDEN_HOSTS.map((host) => ({ host, port: hiddenPort }));
    this.dataDirs = MEMBER_INDEXES.map((m) => path.join(options.workDir, `data-${MEMBERS[m]}`));
    mkdirSync(options.workDir, { recursive: true });
    // a triad never forms without one shared cluster secret
    shareClusterSecret(this.dataDirs);
    this.license = writeSignedLicense(options.workDir, {
      servers: this.publicAddresses.map((a) => ({ host: a.host, hostid: TEST_HOSTID, port: a.port })),
      features: [{ name: options.feature ?? 'cad', count: options.seats, keyword: 'FEATURE' }],
    });
    const peerOf = new Map(this.publicAddresses.map((a, m) => [a.host, MEMBERS[m]]));
    this.proxies = MEMBER_INDEXES.map(
      (m) =>
        new FaultProxy({
          listen: this.publicAddresses[m],
          target: this.hiddenAddresses[m],
          classify: (ip) => peerOf.get(ip) ?? 'client',
          keepSourceAddress: true,
          random: options.random,
        }),
    );
    this.logs = MEMBER_INDEXES.map((m) => createWriteStream(path.join(options.workDir, `member-${MEMBERS[m]}.out`), { flags: 'a' }));
  }

  async start(): Promise<void> {
    for (const proxy of this.proxies) await proxy.start();
    await Promise.all(MEMBER_INDEXES.map((m) => this.startMember(m)));
  }

  /** Starts (or restarts) a member on its own data folder; resolves once it listens. */
  async startMember(m: Member): Promise<void> {
    const member = this.members[m];
    const args = [
      this.options.cliPath, 'serve',
      '-c', this.license.licensePath,
      '--as', this.publicAddresses[m].host,
      '--hostid', TEST_HOSTID,
      '--data', this.dataDirs[m],
      '--port', String(this.hiddenAddresses[m].port),
      '--bind', this.hiddenAddresses[m].host,
      '--trust', this.license.publicKeyPath,
      '--client-heartbeat', String(this.options.clientHeartbeatMs),
      '-l', path.join(this.options.workDir, `debug-${MEMBERS[m]}.log`),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    member.child = child;
    member.paused = false;
    member.starts++;
    const log = this.logs[m];
    log.write(`--- start ${member.starts} at ${new Date().toISOString()}\n`);
    child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`member ${MEMBERS[m]} did not start within 30 s; see ${log.path}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        log.write(chunk);
        seen += chunk.toString('utf8');
        if (seen.includes('ready on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`member ${MEMBERS[m]} exited while starting (${code ?? signal}); see ${log.path}`));
      });
    });
  }

  isRunning(m: Member): boolean {
    const child = this.members[m].child;
    return child !== null && child.exitCode === null && child.signalCode === null;
  }

  async kill(m: Member): Promise<void> {
    const child = this.members[m].child;
    if (!child || !this.isRunning(m)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.members[m].paused = false;
  }

  pause(m: Member): void {
    if (!this.isRunning(m)) return;
    this.members[m].child!.kill('SIGSTOP');
    this.members[m].paused = true;
  }

  resume(m: Member): void {
    if (!this.isRunning(m) || !this.members[m].paused) return;
    this.members[m].child!.kill('SIGCONT');
    this.members[m].paused = false;
  }

  /** The link between two members: the higher rank's proxy sees the lower rank dial it. */
  setPeerLink(a: Member, b: Member, fault: LinkFault): void {
    const [low, high] = a < b ? [a, b] : [b, a];
    this.proxies[high].setFault(MEMBERS[low], fault);
  }

  /**
   * A one-way cut between two members: only `from`'s bytes reach `to`. On the proxy of the higher
   * rank, "forward" is the lower rank's direction.
   */
  setOneWay(from: Member, to: Member): void {
    const dialerSpeaks = from < to;
    this.setPeerLink(from, to, faults.oneWay(dialerSpeaks ? 'forward' : 'backward'));
  }

  setClientLink(m: Member, fault: LinkFault): void {
    this.proxies[m].setFault('client', fault);
  }

  /** Every link of the triad, peers and clients. */
  setAllLinks(fault: LinkFault): void {
    for (const m of MEMBER_INDEXES) {
      this.setClientLink(m, fault);
      for (const other of MEMBER_INDEXES) if (other < m) this.setPeerLink(other, m, fault);
    }
  }

  healAll(): void {
    for (const proxy of this.proxies) proxy.healAll();
  }

  /** Stops every member gently (SIGCONT first), then the proxies. */
  async stop(): Promise<void> {
    this.healAll();
    await Promise.all(
      MEMBER_INDEXES.map(async (m) => {
        const child = this.members[m].child;
        if (!child || !this.isRunning(m)) return;
        this.resume(m);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const proxy of this.proxies) await proxy.stop();
    await Promise.all(this.logs.map((log) => new Promise((resolve) => log.end(resolve))));
  }
}
