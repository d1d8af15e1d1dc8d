import {
  QuorumMachine,
  RANKS,
  emptyPersistedState,
  type LicenseIdentity,
  type PeerMessage,
  type PersistedQuorumState,
  type QuorumConfig,
  type QuorumEffect,
  type Rank,
} from '../../../src/core/quorum';
import { EventQueue } from './eventQueue';
import { Prng } from './prng';

/**
 * A whole triad in one process: three QuorumMachines over a simulated network and clock, driven
 * by a seeded PRNG (the TigerBeetle/FoundationDB style). Real time is the simulation's; each
 * member sees only its own drifting clock. Only what a member persisted survives its crash.
 * This file is the world (clocks, disks, links); clients and the checker plug in through hooks.
 */

export const HOSTS = ['alpha', 'bravo', 'charlie'] as const;
export const RANK_LETTER = ['P', 'S', 'T'] as const;
export const GOOD_IDENTITY: LicenseIdentity = { licenseHash: 'hash-good', serverOrder: [...HOSTS] };

export interface ClusterOptions {
  seed: number;
  heartbeatMs: number;
  driftBound: number;
  primaryIsMaster: boolean;
  /** How often the driver ticks each machine (real ms). */
  tickMs: number;
  /** Replace the machine, e.g. with a deliberately broken one to show the checker has teeth. */
  makeMachine?: (config: QuorumConfig) => QuorumMachine;
  /** Keep every trace line (replay) instead of the last few hundred. */
  fullTrace?: boolean;
  /**
   * Committed entries each machine keeps in memory; older ones are read back from the model disk,
   * and a restart loads only this many (the driver does the same with 8,192). Small by default so
   * every run exercises reading the log back.
   */
  logMemoryEntries?: number;
}

const SIM_LOG_MEMORY_ENTRIES = 2;

export interface NetworkConditions {
  lossRate: number;
  duplicateRate: number;
  /** Delay is uniform in [minDelayMs, maxDelayMs]: the spread reorders messages. */
  minDelayMs: number;
  maxDelayMs: number;
}

export const calmNetwork: NetworkConditions = { lossRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 5 };

export interface SimNode {
  rank: Rank;
  machine: QuorumMachine | null;
  /** Incarnation: events addressed to an earlier one are dropped. */
  life: number;
  disk: PersistedQuorumState;
  clock: { offset: number; rate: number };
  identity: LicenseIdentity;
  /** Real time of the last peer message delivered to it, per sender. */
  lastDeliveryAt: Record<Rank, number>;
  /** Licenses of the member whose acknowledgement last extended its lease (when it sent it) and its own then. */
  leaseBacking: { backer: LicenseIdentity; self: LicenseIdentity } | null;
  /** Debug-log lines it wrote (only masters should). */
  logLines: string[];
  shutDown: boolean;
  rereads: number;
}

type SimEvent =
  | { kind: 'tick'; rank: Rank; life: number }
  | { kind: 'deliver'; from: Rank; to: Rank; connection: number; message: PeerMessage; senderIdentity: LicenseIdentity }
  | { kind: 'action'; run: () => void };

export class SimViolation extends Error {}

const pairKey = (a: Rank, b: Rank) => (a < b ? `${a}${b}` : `${b}${a}`);

export class Cluster {
  now = 0;
  readonly rng: Prng;
  readonly nodes: SimNode[];
  network: NetworkConditions = calmNetwork;
  /** Symmetric cuts close the connection; one-way cuts silently drop one direction. */
  private readonly cuts = new Set<string>();
  private readonly oneWayCuts = new Set<string>();
  private readonly connections = new Map<string, number>();
  private connectionSeq = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly traceLines: string[] = [];
  /** License switches issued, as `old hash>new hash`: both files may count during the switch. */
  readonly licenseSwitches = new Set<string>();
  /** Called after every event; throws SimViolation to stop the run. */
  afterEvent: () => void = () => {};
  /** Effects the world does not handle itself (commits and failures for clients). */
  onEffect: (node: SimNode, effect: QuorumEffect) => void = () => {};

  constructor(readonly options: ClusterOptions) {
    this.rng = new Prng(options.seed);
    // each clock runs at 1 +- rho/2, so any two differ in rate by less than rho
    this.nodes = RANKS.map((rank) => ({
      rank,
      machine: null,
      life: 0,
      disk: structuredClone(emptyPersistedState),
      clock: { offset: this.rng.between(0, 1e6), rate: 1 + this.rng.between(-0.5, 0.5) * options.driftBound },
      identity: GOOD_IDENTITY,
      lastDeliveryAt: { 0: -Infinity, 1: -Infinity, 2: -Infinity },
      leaseBacking: null,
      logLines: [],
      shutDown: false,
      rereads: 0,
    }));
  }

  localTime(rank: Rank): number {
    const clock = this.nodes[rank].clock;
    return clock.offset + this.now * clock.rate;
  }

  config(rank: Rank, identity: LicenseIdentity): QuorumConfig {
    return {
      self: rank,
      hosts: HOSTS,
      heartbeatIntervalMs: this.options.heartbeatMs,
      driftBound: this.options.driftBound,
      primaryIsMaster: this.options.primaryIsMaster,
      identity,
      auth: 'cluster-secret-proof',
      daemons: { lmgrd: 'lmgrd', vendor: 'ibmratl' },
      // entries are never changed once written, so the model disk hands out its own objects
      logReader: (from, count) => this.nodes[rank].disk.log.slice(from - 1, from - 1 + count),
      logMemoryEntries: this.logMemoryEntries,
    };
  }

  private get logMemoryEntries(): number {
    return this.options.logMemoryEntries ?? SIM_LOG_MEMORY_ENTRIES;
  }

  // ---- scheduling -----------------------------------------------------------------------------

  at(timeMs: number, run: () => void): void {
    this.queue.push(Math.max(timeMs, this.now), { kind: 'action', run });
  }

  /** Runs events up to and including `untilMs`. */
  runUntil(untilMs: number): void {
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > untilMs) break;
      const { at, event } = this.queue.pop()!;
      this.now = at;
      this.dispatch(event);
      this.afterEvent();
    }
    this.now = Math.max(this.now, untilMs);
  }

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case 'action':
        event.run();
        return;
      case 'tick': {
        const node = this.nodes[event.rank];
        if (node.life !== event.life || !node.machine) return;
        this.input(node, { type: 'tick', nowMs: this.localTime(node.rank) });
        this.queue.push(this.now + this.options.tickMs, event);
        return;
      }
      case 'deliver': {
        const node = this.nodes[event.to];
        if (!node.machine || this.connections.get(pairKey(event.from, event.to)) !== event.connection) return;
        node.lastDeliveryAt[event.from] = this.now;
        this.traceMessage('<-', event.to, event.from, event.message);
        const leaseBefore = node.machine.state.leaseUntil;
        this.input(node, { type: 'message', nowMs: this.localTime(node.rank), from: event.from, message: event.message });
        if (node.machine && node.machine.state.leaseUntil > leaseBefore) node.leaseBacking = { backer: event.senderIdentity, self: node.identity };
        return;
      }
    }
  }

  // ---- members --------------------------------------------------------------------------------

  start(rank: Rank, identity: LicenseIdentity = this.nodes[rank].identity): void {
    const node = this.nodes[rank];
    if (node.machine) return;
    node.identity = identity;
    node.life += 1;
    node.shutDown = false;
    const config = this.config(rank, identity);
    node.machine = this.options.makeMachine ? this.options.makeMachine(config) : new QuorumMachine(config);
    this.trace(
      `${RANK_LETTER[rank]} starts (epoch ${node.disk.epoch}, log ${node.disk.log.length}, commit ${node.disk.commitIndex}` +
        `${identity === GOOD_IDENTITY ? '' : ', OTHER LICENSE'})`,
    );
    // like the driver, load only the newest entries; the rest is read back from disk when needed
    const disk = structuredClone(node.disk);
    const logBase = Math.max(0, Math.min(disk.commitIndex, disk.log.length - this.logMemoryEntries));
    const switchesBeforeBase = disk.log.slice(0, logBase).filter((entry) => entry.op.kind === 'licenseSwitch');
    this.input(node, { type: 'restart', nowMs: this.localTime(rank), persisted: { ...disk, log: disk.log.slice(logBase), logBase, switchesBeforeBase } });
    // ticks start at a random phase, as real timers would
    this.queue.push(this.now + this.rng.between(0, this.options.tickMs), { kind: 'tick', rank, life: node.life });
    this.refreshConnections();
  }

  crash(rank: Rank): void {
    const node = this.nodes[rank];
    if (!node.machine) return;
    node.machine = null;
    node.life += 1;
    this.trace(`${RANK_LETTER[rank]} crashes`);
    this.refreshConnections();
  }

  running(rank: Rank): boolean {
    return this.nodes[rank].machine !== null;
  }

  input(node: SimNode, input: Parameters<QuorumMachine['step']>[0]): void {
    const machine = node.machine;
    if (!machine) return;
    for (const effect of machine.step(input)) this.apply(node, effect);
    // the model disk applied every persist effect at once: committed entries may leave memory
    if (node.machine === machine) machine.releaseMemory();
  }

  private apply(node: SimNode, effect: QuorumEffect): void {
    switch (effect.type) {
      case 'send':
        this.send(node.rank, effect.to, effect.message);
        break;
      case 'persist':
        this.persist(node, effect);
        break;
      case 'roleChanged':
        this.trace(`${RANK_LETTER[node.rank]} role ${effect.role}, master ${effect.masterRank === null ? '-' : RANK_LETTER[effect.masterRank]}`);
        break;
      case 'serving':
        this.trace(`${RANK_LETTER[node.rank]} serving ${effect.serving}`);
        break;
      case 'log':
        node.logLines.push(`(${effect.daemon}) ${effect.message}`);
        this.trace(`${RANK_LETTER[node.rank]} log (${effect.daemon}) ${effect.message}`);
        break;
      case 'shutdown':
        node.shutDown = true;
        this.trace(`${RANK_LETTER[node.rank]} shuts down`);
        // the driver flushes its sockets, then exits
        this.at(this.now + 100, () => this.crash(node.rank));
        break;
      case 'reread':
        node.rereads += 1;
        break;
      case 'installLicense':
        node.identity = effect.identity;
        break;
      default:
        break;
    }
    this.onEffect(node, effect);
  }

  private persist(node: SimNode, effect: Extract<QuorumEffect, { type: 'persist' }>): void {
    const disk = node.disk;
    if (effect.epoch < disk.epoch) throw new SimViolation(`${RANK_LETTER[node.rank]} lowered its persisted epoch`);
    disk.epoch = effect.epoch;
    disk.votedFor = effect.votedFor ? { ...effect.votedFor } : null;
    disk.commitIndex = effect.commitIndex;
    disk.promisedUntil = effect.promisedUntil;
    if (effect.truncateFrom !== null) disk.log.length = Math.min(disk.log.length, effect.truncateFrom - 1);
    for (const entry of effect.append) {
      if (entry.index !== disk.log.length + 1) throw new SimViolation(`${RANK_LETTER[node.rank]} persisted log entry ${entry.index} after ${disk.log.length}`);
      disk.log.push(structuredClone(entry));
    }
  }

  // ---- network --------------------------------------------------------------------------------

  /** Cuts both directions between a and b (the TCP connection breaks). */
  cut(a: Rank, b: Rank): void {
    this.trace(`cut ${RANK_LETTER[a]}-${RANK_LETTER[b]}`);
    this.cuts.add(pairKey(a, b));
    this.refreshConnections();
  }

  /** Messages from `from` to `to` vanish; the connection stays up. */
  cutOneWay(from: Rank, to: Rank): void {
    this.trace(`cut ${RANK_LETTER[from]}->${RANK_LETTER[to]}`);
    this.oneWayCuts.add(`${from}${to}`);
  }

  heal(a: Rank, b: Rank): void {
    this.trace(`heal ${RANK_LETTER[a]}-${RANK_LETTER[b]}`);
    this.cuts.delete(pairKey(a, b));
    this.oneWayCuts.delete(`${a}${b}`);
    this.oneWayCuts.delete(`${b}${a}`);
    this.refreshConnections();
  }

  healAll(): void {
    this.trace('heal all links');
    this.cuts.clear();
    this.oneWayCuts.clear();
    this.network = calmNetwork;
    this.refreshConnections();
  }

  private refreshConnections(): void {
    for (const a of RANKS) {
      for (const b of RANKS) {
        if (a >= b) continue;
        const key = pairKey(a, b);
        const wanted = this.running(a) && this.running(b) && !this.cuts.has(key);
        const current = this.connections.has(key);
        if (wanted && !current) {
          this.connections.set(key, ++this.connectionSeq);
          for (const [self, other] of [[a, b], [b, a]] as const) {
            this.input(this.nodes[self], { type: 'peerConnected', nowMs: this.localTime(self), rank: other });
          }
        } else if (!wanted && current) {
          this.connections.delete(key);
          for (const [self, other] of [[a, b], [b, a]] as const) {
            this.input(this.nodes[self], { type: 'peerDisconnected', nowMs: this.localTime(self), rank: other });
          }
        }
      }
    }
  }

  private send(from: Rank, to: Rank, message: PeerMessage): void {
    const connection = this.connections.get(pairKey(from, to));
    if (connection === undefined || this.oneWayCuts.has(`${from}${to}`)) return;
    const net = this.network;
    if (this.rng.chance(net.lossRate)) return;
    const copies = this.rng.chance(net.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.rng.between(net.minDelayMs, net.maxDelayMs);
      this.queue.push(this.now + delay, { kind: 'deliver', from, to, connection, message, senderIdentity: this.nodes[from].identity });
    }
  }

  // ---- trace ----------------------------------------------------------------------------------

  trace(line: string): void {
    this.traceLines.push(`${(this.now / 1000).toFixed(3).padStart(8)}s ${line}`);
    if (!this.options.fullTrace && this.traceLines.length > 400) this.traceLines.splice(0, 200);
  }

  traceText(lastLines = Infinity): string {
    return this.traceLines.slice(-lastLines).join('\n');
  }

  private traceMessage(direction: string, self: Rank, peer: Rank, message: PeerMessage): void {
    if (message.type === 'heartbeat' || message.type === 'heartbeatAck') return;
    if (message.type === 'append' && message.ops.length === 0) return;
    const { type, ...fields } = message;
    const text = JSON.stringify(fields, (key, value) => (key === 'suffix' || key === 'ops' ? (value as unknown[]).length : value));
    this.trace(`${RANK_LETTER[self]} ${direction} ${RANK_LETTER[peer]} ${type} ${text}`);
  }
}
