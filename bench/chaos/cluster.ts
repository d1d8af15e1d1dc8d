import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ServerAddress } from '../../src/core/client/connection';
import type { Result } from '../../src/shared/contract';
import { licenseFileIn } from '../../src/core/adminApi';
import { installLicenseText } from '../../src/core/licenseFiles/licenseInstall';
import { adminTokenFile, databaseFile, importClusterSecret, openStore } from '../../src/core/store';
import { FaultProxy, faults, type LinkFault } from '../../test/support/faultProxy';
import { TEST_HOSTID, writeSignedLicense, type TestLicense, type WrittenLicense } from '../../test/support/signedLicense';
import { inNamespace, NamespaceLinks, type NamespaceLab } from './netns';
import type { MemberClocks } from './wallClock';

/**
 * Three real license server processes for the chaos drills, on one of two networks:
 *
 * - ProxyNetwork (any user): all of 127/8 is loopback. The license's SERVER lines name fault
 *   proxies on 127.0.1.{1,2,3}:publicPort; each member listens on 127.0.2.{1,2,3}:hiddenPort. A
 *   member dials its peers from its SERVER-line address (the driver binds `localAddress` to it),
 *   so the proxy in front of member X labels a connection from 127.0.1.1 as the link P->X, and
 *   anything else as a client. Only lower ranks dial higher ones, so the P-S link is the proxy of
 *   S with label P. The observer reads each member's status on the hidden address, past every fault.
 * - LabNetwork (root): each member in its own network namespace (netns.ts); links are cut with
 *   blackhole routes or by taking a member's interface down, which is silence, as a cut cable is.
 *
 * Members run `triad serve` or the headless host (`dist/host.mjs`, whose admin API imports and
 * distributes license files at run time, as the License files screen does), each with its own
 * data folder and, when `clocks` are given, its own wall clock (wallClock.ts).
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
export async function findFreePort(hosts: readonly string[], except: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (except.includes(port)) continue;
    const free = await Promise.all(hosts.map((host) => portFreeOn(host, port)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on ${hosts.join(', ')} after 100 tries`);
}

/** Where the members live and how their links are cut. */
export interface MemberNetwork {
  /** SERVER-line addresses: clients and peers dial these. */
  readonly publicAddresses: readonly ServerAddress[];
  /** Where each member listens; status answers there are read past any link fault that allows it. */
  readonly listenAddresses: readonly ServerAddress[];
  /** Port of each member's admin API (headless host), on its listen host. */
  readonly adminPort: number;
  /** The admin API listens off the loopback (needs --allow-remote-admin). */
  readonly adminOffLoopback: boolean;
  /** How member m's program is started (inside its namespace, on a lab). */
  command(m: Member, command: string, args: string[]): { command: string; args: string[] };
  start(): Promise<void>;
  healAll(): void;
  stop(): Promise<void>;
}

export class ProxyNetwork implements MemberNetwork {
  readonly publicAddresses: ServerAddress[];
  readonly listenAddresses: ServerAddress[];
  readonly adminOffLoopback = false;
  readonly proxies: FaultProxy[];

  private constructor(
    ports: { publicPort: number; hiddenPort: number; adminPort: number },
    random: () => number,
  ) {
    this.publicAddresses = PUBLIC_HOSTS.map((host) => ({ host, port: ports.publicPort }));
    this.listenAddresses = HIDDEN_HOSTS.map((host) => ({ host, port: ports.hiddenPort }));
    this.adminPort = ports.adminPort;
    const peerOf = new Map(this.publicAddresses.map((a, m) => [a.host, MEMBERS[m]]));
    this.proxies = MEMBER_INDEXES.map(
      (m) =>
        new FaultProxy({
          listen: this.publicAddresses[m],
          target: this.listenAddresses[m],
          classify: (ip) => peerOf.get(ip) ?? 'client',
          keepSourceAddress: true,
          random,
        }),
    );
  }

  readonly adminPort: number;

  /** Free ports for the proxies, the members and their admin APIs. */
  static async create(random: () => number): Promise<ProxyNetwork> {
    const publicPort = await findFreePort(PUBLIC_HOSTS);
    const hiddenPort = await findFreePort(HIDDEN_HOSTS);
    const adminPort = await findFreePort(HIDDEN_HOSTS, [hiddenPort]);
    return new ProxyNetwork({ publicPort, hiddenPort, adminPort }, random);
  }

  command(_m: Member, command: string, args: string[]): { command: string; args: string[] } {
    return { command, args };
  }

  async start(): Promise<void> {
    for (const proxy of this.proxies) await proxy.start();
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

  async stop(): Promise<void> {
    for (const proxy of this.proxies) await proxy.stop();
  }
}

/** The members in a namespace lab (netns.ts): fixed ports, each member alone on its address. */
export class LabNetwork implements MemberNetwork {
  readonly publicAddresses: ServerAddress[];
  readonly listenAddresses: ServerAddress[];
  readonly adminPort = 8090;
  readonly adminOffLoopback = true;
  readonly links: NamespaceLinks;

  constructor(
    private readonly lab: NamespaceLab,
    port = 27000,
  ) {
    this.publicAddresses = lab.memberHosts.map((host) => ({ host, port }));
    this.listenAddresses = this.publicAddresses;
    this.links = new NamespaceLinks(lab);
  }

  command(m: Member, command: string, args: string[]): { command: string; args: string[] } {
    return inNamespace(this.lab.memberNs[m], command, args);
  }

  async start(): Promise<void> {}

  healAll(): void {
    this.links.healAll();
  }

  async stop(): Promise<void> {
    this.links.healAll();
  }
}

/** `triad serve` (the CLI bundle) or the headless host with its admin API (the host bundle). */
export type MemberProgram = { kind: 'serve'; cliPath: string } | { kind: 'host'; hostPath: string };

export interface ChaosClusterOptions<N extends MemberNetwork> {
  workDir: string;
  program: MemberProgram;
  network: N;
  seats: number;
  /** The licensed feature (default `cad`). */
  feature?: string;
  clientHeartbeatMs: number;
  /** Per-member wall clocks; null: the members use the machine's clock. */
  clocks?: MemberClocks | null;
}

export interface MemberProcess {
  child: ChildProcess | null;
  paused: boolean;
  starts: number;
}

/** What a member said once started: the host keeps running even when its server cannot start. */
export interface MemberStart {
  serving: boolean;
  line: string;
}

export class ChaosCluster<N extends MemberNetwork = MemberNetwork> {
  readonly dataDirs: string[];
  readonly members: MemberProcess[] = MEMBER_INDEXES.map(() => ({ child: null, paused: false, starts: 0 }));
  readonly license: WrittenLicense;
  /** The license every member was given at the start. */
  readonly initialLicense: TestLicense;
  private readonly clusterSecret = randomBytes(32).toString('hex');
  private readonly logs: WriteStream[];

  constructor(private readonly options: ChaosClusterOptions<N>) {
    this.dataDirs = MEMBER_INDEXES.map((m) => path.join(options.workDir, `data-${MEMBERS[m]}`));
    mkdirSync(options.workDir, { recursive: true });
    this.initialLicense = {
      servers: options.network.publicAddresses.map((a) => ({ host: a.host, hostid: TEST_HOSTID, port: a.port })),
      features: [{ name: options.feature ?? 'cad', count: options.seats, keyword: 'FEATURE' }],
    };
    this.license = writeSignedLicense(options.workDir, this.initialLicense);
    this.logs = MEMBER_INDEXES.map((m) => createWriteStream(path.join(options.workDir, `member-${MEMBERS[m]}.out`), { flags: 'a' }));
  }

  get network(): N {
    return this.options.network;
  }

  get publicAddresses(): readonly ServerAddress[] {
    return this.network.publicAddresses;
  }

  get listenAddresses(): readonly ServerAddress[] {
    return this.network.listenAddresses;
  }

  async start(): Promise<void> {
    await this.network.start();
    const started = await Promise.all(MEMBER_INDEXES.map((m) => this.startMember(m)));
    const idle = started.findIndex((s) => !s.serving);
    if (idle >= 0) throw new Error(`member ${MEMBERS[idle]} started without serving: ${started[idle].line}`);
  }

  /** Starts (or restarts) a member on its own data folder; resolves once it listens. */
  async startMember(m: Member): Promise<MemberStart> {
    const member = this.members[m];
    const program = this.options.program;
    const listen = this.listenAddresses[m];
    const common = [
      '--as', this.publicAddresses[m].host,
      '--hostid', TEST_HOSTID,
      '--data', this.dataDirs[m],
      '--port', String(listen.port),
      '--bind', listen.host,
      '--client-heartbeat', String(this.options.clientHeartbeatMs),
    ];
    this.prepareDataDir(m);
    const args =
      program.kind === 'serve'
        ? [
            program.cliPath,
            'serve',
            '-c',
            this.license.licensePath,
            '--trust',
            this.license.publicKeyPath,
            '-l',
            path.join(this.options.workDir, `debug-${MEMBERS[m]}.log`),
            ...common,
          ]
        : [
            program.hostPath,
            '--listen',
            `${listen.host}:${this.network.adminPort}`,
            ...(this.network.adminOffLoopback ? ['--allow-remote-admin'] : []),
            ...common,
          ];
    const { command, args: commandArgs } = this.network.command(m, process.execPath, args);
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(this.options.clocks?.env(m) ?? {}) } });
    member.child = child;
    member.paused = false;
    member.starts++;
    const log = this.logs[m];
    log.write(`--- start ${member.starts} at ${new Date().toISOString()}\n`);
    child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
    const ready = program.kind === 'serve' ? /ready on \S+/ : /Triad admin UI on .*\((license server [^)]*)\)/;
    return new Promise<MemberStart>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`member ${MEMBERS[m]} did not start within 30 s; see ${log.path}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        log.write(chunk);
        seen += chunk.toString('utf8');
        const line = ready.exec(seen);
        if (line) {
          clearTimeout(timer);
          resolve({ serving: !/license server stopped/.test(line[0]), line: line[1] ?? line[0] });
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`member ${MEMBERS[m]} exited while starting (${code ?? signal}); see ${log.path}`));
      });
    });
  }

  /**
   * A data folder the member can start on: the cluster secret, and for the headless host (which
   * keeps its license and trusted keys in its database) the vendor key and a license. A database
   * that was wiped is given the license file the member last served, as an administrator
   * re-importing it would; a database that was restored keeps its own, written out again.
   */
  private prepareDataDir(m: Member): void {
    const dataDir = this.dataDirs[m];
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(path.join(dataDir, 'cluster.secret'))) importClusterSecret(dataDir, this.clusterSecret);
    if (this.options.program.kind !== 'host') return;
    const licensePath = licenseFileIn(dataDir);
    mkdirSync(path.dirname(licensePath), { recursive: true });
    const store = openStore(dataDir);
    try {
      const current = store.licenseFiles.current();
      if (current) {
        writeFileSync(licensePath, current.text);
        return;
      }
      const text = existsSync(licensePath) ? readFileSync(licensePath, 'utf8') : readFileSync(this.license.licensePath, 'utf8');
      store.trustedKeys.add({ vendor: 'ibmratl', publicKey: this.license.publicKeyPem, addedAt: Date.now() });
      installLicenseText(store, licensePath, text, Date.now());
    } finally {
      store.close();
    }
  }

  databasePath(m: Member): string {
    return path.join(this.dataDirs[m], databaseFile);
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

  /**
   * Calls the member's admin API (headless host only), signed in with its admin token; resolves
   * with the result, rejects with the API's message.
   */
  async admin<T>(m: Member, method: string, args: unknown, timeoutMs = 20_000): Promise<T> {
    if (this.options.program.kind !== 'host') throw new Error('the admin API needs members run as the headless host');
    const token = readFileSync(path.join(this.dataDirs[m], adminTokenFile), 'utf8').trim();
    const response = await fetch(`http://${this.listenAddresses[m].host}:${this.network.adminPort}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as Result<T>;
    if (!body.ok) throw new Error(`${body.error.code}: ${body.error.message}`);
    return body.value;
  }

  /** Stops every member gently (SIGCONT first), then the network. */
  async stop(): Promise<void> {
    this.network.healAll();
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
    await this.network.stop();
    await Promise.all(this.logs.map((log) => new Promise((resolve) => log.end(resolve))));
  }
}
