import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Prng } from '../../test/sim/world/prng';
import { checkChaosRun, type ChaosFigures } from './checker';
import { ChaosClients } from './clients';
import { ChaosCluster, MEMBER_INDEXES, MEMBERS, type Member, type MemberNetwork, type MemberProgram } from './cluster';
import { onInterrupt } from './interrupts';
import { RoleObserver } from './observer';
import { ReportLogTail } from './reportTail';
import type { MemberClocks } from './wallClock';

/**
 * What every chaos drill does around its faults: start the cluster, the role observer, the
 * report-log reader and the clients; at the end heal, wait for a master, let every client check
 * in, wait for the seats to drain, stop everything and check the records (checker.ts). Cleans up
 * its processes and folder also when the drill is interrupted.
 *
 * Timing choices: the client heartbeat is 2 s, so a seat lives 6 s without one, plus the
 * failover allowance the grant carries; every fault on a client's path is shorter than that, so
 * a correct triad never costs a client its seat and any lost seat is a finding.
 */

export const CLIENT_HEARTBEAT_MS = 2_000;
/** QUORUM.md check 6 promises 2E + s = 9 s; the machine is shared, so allow twice that. */
export const RECOVERY_LIMIT_MS = 20_000;
export const OBSERVE_EVERY_MS = 100;
/** A seat whose client vanished times out after 3 heartbeats (6 s); allow a failover on top. */
const SEAT_DRAIN_LIMIT_MS = 15_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export interface SessionOptions {
  seed: number;
  workDir: string;
  cluster: ChaosCluster;
  clocks: MemberClocks | null;
  clients: number;
  seats: number;
  holdMs: [number, number];
  pauseMs: [number, number];
  keepWorkDir: boolean;
  log: (line: string) => void;
}

export interface SessionResult {
  violations: string[];
  figures: ChaosFigures;
  workDir: string | null;
  wallMs: number;
}

/** A drill's three members (`program` on `network`) and the session around them. */
export interface DrillOptions<N extends MemberNetwork> extends Omit<SessionOptions, 'cluster'> {
  program: MemberProgram;
  network: N;
}

/** The cluster and its session made together: one folder, seat count and set of clocks, the drills' client heartbeat. */
export function createDrill<N extends MemberNetwork>(options: DrillOptions<N>): { cluster: ChaosCluster<N>; session: DrillSession } {
  const { program, network, ...sessionOptions } = options;
  const cluster = new ChaosCluster({
    workDir: options.workDir,
    program,
    network,
    seats: options.seats,
    clientHeartbeatMs: CLIENT_HEARTBEAT_MS,
    clocks: options.clocks,
  });
  return { cluster, session: new DrillSession({ ...sessionOptions, cluster }) };
}

export class DrillSession {
  readonly observer: RoleObserver;
  readonly clients: ChaosClients;
  readonly tail: ReportLogTail;
  readonly violations: string[] = [];
  readonly startedAt = Date.now();
  private readonly unregister: () => void;
  private stopped = false;

  constructor(private readonly options: SessionOptions) {
    const { cluster, clocks } = options;
    // separate streams so the fault schedule does not shift with what the clients drew
    const clientRandom = new Prng(options.seed ^ 0x27d4eb2f);
    this.observer = new RoleObserver(cluster.listenAddresses, OBSERVE_EVERY_MS);
    this.clients = new ChaosClients({
      count: options.clients,
      servers: [...cluster.publicAddresses],
      random: () => clientRandom.next(),
      holdMs: options.holdMs,
      pauseMs: options.pauseMs,
    });
    this.tail = new ReportLogTail(cluster.dataDirs, (m) => clocks?.history(m) ?? [{ atMs: 0, offsetMs: 0 }]);
    this.unregister = onInterrupt(async () => {
      await this.stopAll();
      if (!options.keepWorkDir) rmSync(options.workDir, { recursive: true, force: true });
    });
  }

  get cluster(): ChaosCluster {
    return this.options.cluster;
  }

  elapsed(at = Date.now()): string {
    return `+${((at - this.startedAt) / 1000).toFixed(1)}s`;
  }

  /** A member answering master in a status asked for at or after `sinceMs`, within `timeoutMs`. */
  async waitForMaster(sinceMs: number, timeoutMs: number): Promise<Member | null> {
    const freshMaster = () =>
      MEMBER_INDEXES.find((m) => {
        const seen = this.observer.latest(m);
        return seen !== undefined && seen.sentAt >= sinceMs && seen.role === 'master';
      });
    return (await waitFor(() => freshMaster() !== undefined, timeoutMs)) ? freshMaster()! : null;
  }

  /**
   * Every member back in the triad: one master and two standbys, in answers to statuses asked
   * for at or after `sinceMs` (a member still catching up, or without a quorum, says no-quorum).
   */
  async waitForWholeTriad(sinceMs: number, timeoutMs: number): Promise<boolean> {
    const roles = () => MEMBER_INDEXES.map((m) => this.observer.latest(m)).map((seen) => (seen !== undefined && seen.sentAt >= sinceMs ? seen.role : null));
    return waitFor(() => {
      const now = roles();
      return now.filter((r) => r === 'master').length === 1 && now.filter((r) => r === 'standby').length === 2;
    }, timeoutMs);
  }

  /** The role each member answered last, for the log. */
  roles(): string {
    return MEMBER_INDEXES.map((m) => `${MEMBERS[m]} ${this.observer.latest(m)?.role ?? '-'}`).join(', ');
  }

  /** Starts the members and waits for a master; then the clients start. */
  async begin(): Promise<Member> {
    await this.cluster.start();
    this.observer.start();
    this.tail.start();
    const first = await this.waitForMaster(this.startedAt, 30_000);
    if (first === null) throw new Error(`no master 30 s after start; see ${this.options.workDir}`);
    this.options.log(`${this.elapsed()} ${MEMBERS[first]} is master; ${this.options.clients} clients start on ${this.options.seats} seats`);
    this.clients.start();
    return first;
  }

  /**
   * Heals everything, waits for a master, stops the clients, waits until no seat is in use;
   * a missing master or a leaked seat is a violation.
   */
  async end(): Promise<void> {
    this.cluster.network.healAll();
    const last = await this.waitForMaster(Date.now(), RECOVERY_LIMIT_MS);
    if (last === null) this.violations.push(`no master within ${RECOVERY_LIMIT_MS / 1000} s after the final heal`);
    await this.clients.stop();
    // every client checked in or let go: the master must come back to no seat in use once the
    // seats of clients that could not say goodbye time out (a leaked seat never does)
    const stoppedAt = Date.now();
    const drained = await waitFor(() => {
      const master = this.observer.currentMaster();
      const seen = master === null ? undefined : this.observer.latest(master);
      return seen !== undefined && seen.sentAt > stoppedAt && seen.inUse === 0;
    }, SEAT_DRAIN_LIMIT_MS);
    if (!drained) {
      const master = this.observer.currentMaster();
      this.violations.push(
        `${master === null ? 'no master' : `${this.observer.latest(master)?.inUse} seat(s) still in use on ${MEMBERS[master]}`} ` +
          `${SEAT_DRAIN_LIMIT_MS / 1000} s after every client checked in or let go`,
      );
    }
  }

  private async stopAll(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.clients.stop();
    await this.observer.stop();
    await this.cluster.stop();
    this.tail.stop();
  }

  /** After an error: stops everything, keeps the folder for a look. */
  async abort(): Promise<void> {
    await this.stopAll();
    this.unregister();
  }

  /** Stops everything and checks the records; keeps the folder (with trace.json) on a violation. */
  async finish(extra: { countChanges?: { fromMs: number; count: number }[]; trace?: Record<string, unknown> } = {}): Promise<SessionResult> {
    await this.stopAll();
    this.unregister();
    const endedAt = Date.now();
    const result = checkChaosRun({
      licensedSeats: this.options.seats,
      countChanges: extra.countChanges,
      clientEvents: this.clients.events,
      reportRows: this.tail.rows,
      observations: this.observer.observations,
      endedAt,
    });
    const violations = [...this.violations, ...result.violations];
    const keep = this.options.keepWorkDir || violations.length > 0;
    if (keep) {
      // the trace of a failing run: what each client was told, each role answer, each report row
      const trace = {
        seed: this.options.seed,
        ...extra.trace,
        clocks: MEMBER_INDEXES.map((m) => this.options.clocks?.history(m) ?? []),
        clientEvents: this.clients.events,
        observations: this.observer.observations,
        reportRows: this.tail.rows,
        violations,
      };
      writeFileSync(path.join(this.options.workDir, 'trace.json'), JSON.stringify(trace, null, 1));
    } else {
      rmSync(this.options.workDir, { recursive: true, force: true });
    }
    return { violations, figures: result.figures, workDir: keep ? this.options.workDir : null, wallMs: endedAt - this.startedAt };
  }
}
