import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { MemberStatus, ServerRole, ServerStatus } from '../../shared/status';
import { encodeFrame, FrameDecoder, FrameTooLargeError, MAX_REPLY_FRAME_BYTES, PROTOCOL_VERSION } from '../protocol';
import { QuorumMachine, RANKS, type LicenseIdentity, type PeerMessage, type QuorumConfig, type QuorumEffect, type QuorumInput, type Rank } from '../quorum';
import type { Store } from '../store';
import type { PeerHook, PeerLink } from './listener';
import { loadQuorumState, saveQuorumState } from './peerPersistence';
import { peerMessageSchema } from './peerSchema';
import type { LeaseLog, LeaseOp, MasterAddress, MasterGate } from './seams';
import { applyToStore } from './storeLeaseLog';

/**
 * The triad driver: runs the pure QuorumMachine on real time, real peer links and the store.
 * It is the license server's LeaseLog (an op is committed once a peer persisted it) and its
 * MasterGate (serve only with a valid lease, otherwise redirect to the master).
 *
 * Links: each member dials the members ranked after it (P dials S and T, S dials T) on their
 * license port with a `peer` hello, so every pair has one connection; a lost link is redialled
 * every heartbeat interval.
 */

export interface TriadDriverDeps {
  store: Store;
  config: QuorumConfig;
  /** Where each member's license port is, by rank (SERVER lines). */
  addresses: readonly [MasterAddress, MasterAddress, MasterAddress];
  /** Wall-clock ms: the promise deadline is kept across restarts, so time must be too. */
  now: () => number;
  debug: (daemon: string, message: string) => void;
  /** A peer asked all three to stop (lmdown). */
  requestShutdown: (reason: string) => void;
  /** A peer asked all three to reread their license files (lmreread). */
  reread: () => void;
  /** A license file distributed over the triad reached this member: store it and serve it. */
  installLicense: (payload: unknown) => void;
  /** Source address for outbound links, so peers see this member's SERVER host. */
  localAddress?: string;
  tickMs?: number;
}

interface LiveLink {
  send(message: PeerMessage): void;
  close(): void;
}

type PendingOp = { resolve: () => void; reject: (error: Error) => void };

export class TriadDriver implements LeaseLog, MasterGate {
  private readonly machine: QuorumMachine;
  private readonly links = new Map<Rank, LiveLink>();
  private readonly dialing = new Set<Rank>();
  private readonly lastDialAt = new Map<Rank, number>();
  private readonly pending = new Map<string, PendingOp>();
  private readonly listeners = new Set<() => void>();
  private nextRequest = 1;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: TriadDriverDeps) {
    this.machine = new QuorumMachine(deps.config);
  }

  /** Loads the persisted state, rebuilds the lease table from the committed log, starts ticking. */
  start(): void {
    const persisted = loadQuorumState(this.deps.store);
    // the committed log is the truth: the restart replays it into an empty lease table
    this.deps.store.transaction(() => {
      this.deps.store.leases.replaceAll([]);
      this.step({ type: 'restart', nowMs: this.deps.now(), persisted });
    });
    const tickMs = this.deps.tickMs ?? Math.min(50, this.deps.config.heartbeatIntervalMs / 10);
    this.timer = setInterval(() => this.step({ type: 'tick', nowMs: this.deps.now() }), tickMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const link of this.links.values()) link.close();
    this.links.clear();
    for (const op of this.pending.values()) op.reject(new Error('The license server is stopping.'));
    this.pending.clear();
  }

  /** Install on the license listener: peers that dial us arrive here after their hello frame. */
  readonly peerHook: PeerHook = (link) => this.acceptLink(link);

  // ---- LeaseLog -------------------------------------------------------------------------------

  commit(op: LeaseOp): Promise<void> {
    const requestId = `op-${this.nextRequest++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.step({ type: 'clientOp', nowMs: this.deps.now(), requestId, op: { kind: op.kind, payload: op } });
    });
  }

  recover() {
    return this.deps.store.leases.list();
  }

  // ---- MasterGate -----------------------------------------------------------------------------

  role(): ServerRole {
    const now = this.deps.now();
    if (this.machine.canServe(now)) return 'master';
    return this.machine.status(now).quorum ? 'standby' : 'no-quorum';
  }

  master(): MasterAddress | null {
    const rank = this.machine.knownMaster();
    return rank === null || rank === this.deps.config.self ? null : this.deps.addresses[rank];
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds peer health, quorum and the triad's warnings to a status snapshot. */
  decorateStatus(status: ServerStatus): ServerStatus {
    const view = this.machine.status(this.deps.now());
    const masterRank = view.masterRank;
    const members = status.members.map((member, index): MemberStatus => {
      const peer = view.peers.find((candidate) => candidate.rank === index);
      const isMaster = masterRank === index && (index !== this.deps.config.self || view.serving);
      if (!peer) return { ...member, master: isMaster };
      return {
        ...member,
        up: peer.up,
        master: isMaster,
        heartbeatRttMs: peer.rttMs,
        heartbeatAgeMs: peer.lastHeardAgeMs,
        heartbeatLossPercent: peer.lossPercent,
        problem: peer.problem ?? (peer.up ? null : 'not reachable from this server'),
      };
    });
    return {
      ...status,
      quorum: view.quorum,
      master: masterRank === null ? null : this.deps.config.hosts[masterRank],
      members,
      warnings: [...status.warnings, ...view.warnings],
    };
  }

  /** lmdown / lmreread typed on this member: the machine forwards them to the other two. */
  shutdownAll(): void {
    this.step({ type: 'shutdown', nowMs: this.deps.now() });
  }

  rereadAll(): void {
    this.step({ type: 'reread', nowMs: this.deps.now() });
  }

  /** This member now serves another license file (imported here only): peers compare it from now on. */
  useLicense(identity: LicenseIdentity): void {
    this.step({ type: 'licenseChanged', nowMs: this.deps.now(), identity });
  }

  /**
   * Master only: distributes a license file imported here to all three. Resolves once a peer has
   * it; each member installs it (installLicense) as the switch commits there.
   */
  distributeLicense(payload: unknown, identity: LicenseIdentity): Promise<void> {
    const requestId = `op-${this.nextRequest++}`;
    const previous = this.machine.state.identity;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.step({ type: 'clientOp', nowMs: this.deps.now(), requestId, op: { kind: 'licenseSwitch', payload, identity, previous } });
    });
  }

  // ---- machine --------------------------------------------------------------------------------

  private step(input: QuorumInput): void {
    if (input.type === 'tick') this.dialMissing();
    for (const effect of this.machine.step(input)) this.perform(effect);
  }

  private perform(effect: QuorumEffect): void {
    switch (effect.type) {
      case 'send':
        this.send(effect.to, effect.message);
        return;
      case 'persist':
        saveQuorumState(this.deps.store, effect);
        return;
      case 'commit': {
        if (effect.op.kind !== 'licenseSwitch') applyToStore(this.deps.store, effect.op.payload as LeaseOp);
        const pending = effect.requestId ? this.pending.get(effect.requestId) : undefined;
        if (pending && effect.requestId) {
          this.pending.delete(effect.requestId);
          pending.resolve();
        }
        return;
      }
      case 'opFailed': {
        const pending = this.pending.get(effect.requestId);
        this.pending.delete(effect.requestId);
        pending?.reject(new Error(effect.reason));
        return;
      }
      case 'log':
        this.deps.debug(effect.daemon, effect.message);
        return;
      case 'roleChanged':
      case 'serving':
        for (const listener of this.listeners) listener();
        return;
      case 'shutdown':
        this.deps.requestShutdown('lmdown on a redundant license server');
        return;
      case 'reread':
        this.deps.reread();
        return;
      case 'installLicense':
        this.deps.installLicense(effect.payload);
        return;
    }
  }

  // ---- links ----------------------------------------------------------------------------------

  private send(to: Rank, message: PeerMessage): void {
    try {
      this.links.get(to)?.send(message);
    } catch (error) {
      // a vote suffix longer than a frame (a member far behind): the election waits for a retry
      if (!(error instanceof FrameTooLargeError)) throw error;
      this.deps.debug('lmgrd', `Message ${message.type} to ${this.deps.config.hosts[to]} not sent: ${error.message}`);
    }
  }

  private register(rank: Rank, link: LiveLink): void {
    if (this.stopped) {
      link.close();
      return;
    }
    this.links.get(rank)?.close();
    this.links.set(rank, link);
    this.step({ type: 'peerConnected', nowMs: this.deps.now(), rank });
  }

  private unregister(rank: Rank, link: LiveLink): void {
    if (this.links.get(rank) !== link) return;
    this.links.delete(rank);
    this.step({ type: 'peerDisconnected', nowMs: this.deps.now(), rank });
  }

  /** A frame from `rank`: validated, then handed to the machine; a bad one closes the link. */
  private receive(rank: Rank, raw: unknown, link: LiveLink): void {
    if (this.links.get(rank) !== link) return;
    const parsed = peerMessageSchema.safeParse(raw);
    if (!parsed.success || !this.authentic(parsed.data)) {
      link.close();
      return;
    }
    this.step({ type: 'message', nowMs: this.deps.now(), from: rank, message: parsed.data });
  }

  /**
   * Hello, Shutdown and Reread carry the cluster's proof (QuorumConfig.auth). An empty proof means
   * no cluster secret was imported: peers are then trusted by address, and the UI warns.
   */
  private authentic(message: PeerMessage): boolean {
    if (!('auth' in message) || this.deps.config.auth === '') return true;
    const expected = Buffer.from(this.deps.config.auth);
    const given = Buffer.from(message.auth);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Inbound: the first frame must be a quorum hello from a member ranked before us. */
  private acceptLink(link: PeerLink): void {
    let rank: Rank | null = null;
    const live: LiveLink = { send: (message) => link.send(message), close: () => link.close() };
    link.onMessage((raw) => {
      if (rank !== null) return this.receive(rank, raw, live);
      const hello = peerMessageSchema.safeParse(raw);
      const from = hello.success && hello.data.type === 'hello' ? hello.data.rank : null;
      if (from === null || from >= this.deps.config.self) {
        link.close();
        return;
      }
      rank = from;
      this.register(from, live);
      this.receive(from, raw, live);
    });
    link.onClose(() => {
      if (rank !== null) this.unregister(rank, live);
    });
  }

  /** Outbound: dial every member ranked after us that has no link, at most once per interval. */
  private dialMissing(): void {
    const now = this.deps.now();
    for (const rank of RANKS) {
      if (rank <= this.deps.config.self || this.links.has(rank) || this.dialing.has(rank)) continue;
      if (now - (this.lastDialAt.get(rank) ?? -Infinity) < this.deps.config.heartbeatIntervalMs) continue;
      this.lastDialAt.set(rank, now);
      this.dial(rank);
    }
  }

  private dial(rank: Rank): void {
    const address = this.deps.addresses[rank];
    this.dialing.add(rank);
    const socket = net.connect({ host: address.host, port: address.port, localAddress: this.deps.localAddress });
    socket.setNoDelay(true);
    // the listener side may send up to a reply frame's size (long vote suffixes)
    const decoder = new FrameDecoder(MAX_REPLY_FRAME_BYTES);
    const live: LiveLink = {
      send: (message) => {
        if (!socket.destroyed && !socket.writableEnded) socket.write(encodeFrame(message));
      },
      close: () => socket.destroy(),
    };
    let connected = false;
    socket.setTimeout(this.deps.config.heartbeatIntervalMs * 4, () => socket.destroy());
    socket.once('connect', () => {
      connected = true;
      this.dialing.delete(rank);
      socket.write(encodeFrame({ type: 'hello', version: PROTOCOL_VERSION, role: 'peer', agent: 'triad peer' }));
      this.register(rank, live);
    });
    socket.on('data', (chunk) => {
      let payloads: Buffer[];
      try {
        payloads = decoder.push(chunk);
      } catch (error) {
        if (!(error instanceof FrameTooLargeError)) throw error;
        socket.destroy();
        return;
      }
      for (const payload of payloads) {
        let raw: unknown;
        try {
          raw = JSON.parse(payload.toString('utf8'));
        } catch {
          socket.destroy();
          return;
        }
        // the listener answers a bad hello with an error frame: nothing the machine should see
        if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'error') {
          socket.destroy();
          return;
        }
        this.receive(rank, raw, live);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.dialing.delete(rank);
      if (connected) this.unregister(rank, live);
    });
  }
}
