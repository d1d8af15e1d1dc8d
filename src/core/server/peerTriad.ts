import net from 'node:net';
import tls from 'node:tls';
import type { MemberStatus, ServerRole, ServerStatus } from '../../shared/status';
import { encodeFrame, FrameDecoder, FrameTooLargeError, MAX_FRAME_BYTES, MAX_REPLY_FRAME_BYTES, PROTOCOL_VERSION } from '../protocol';
import { DEFAULT_LOG_MEMORY_ENTRIES, electionTimeoutMs, QuorumMachine, quorumTimings, RANKS, type LicenseIdentity, type PeerMessage, type QuorumConfig, type QuorumEffect, type QuorumInput, type Rank } from '../quorum';
import type { Store } from '../store';
import type { PeerHook, PeerLink } from './listener';
import { loadQuorumState, saveQuorumState, storedLogReader } from './peerPersistence';
import { PeerLogQuery, type LogQueryMessage, type MasterLogPage, type MasterLogQuery } from './peerLogQuery';
import { PeerChannel, type ChannelEvent } from './peerAuth';
import { peerMessageSchema } from './peerSchema';
import type { LeaseLog, LeaseOp, MasterAddress, MasterGate } from './seams';
import { applyToStore } from './storeLeaseLog';
import { QuorumEvents } from './quorumEvents';

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
  /**
   * The license ports speak TLS: dial peers with TLS, verifying their certificates against `ca`
   * (the cluster's CA) when given. Who a peer is, is still proven by the cluster secret.
   */
  tls?: { ca?: string } | null;
  /** The cluster secret (hex) that authenticates peer links (peerAuth.ts). A triad never runs without one. */
  secret: string;
  /** What another member asked of this one (lmdown, lmreread, a distributed license), for the audit table. */
  audit?: (row: PeerAuditRow) => void;
  tickMs?: number;
}

interface LiveLink {
  send(message: PeerMessage | LogQueryMessage): void;
  close(): void;
  /** `ip:port` of the other end, for logs and the audit table. */
  readonly remoteAddress: string;
}

/** An audit row for a request another member made of this one. */
export interface PeerAuditRow {
  who: string;
  fromAddress: string;
  action: 'lmdown' | 'lmreread' | 'license install';
  detail: string;
}

/** The member whose message made the machine decide an effect, and the link it came over. */
interface PeerSource {
  rank: Rank;
  remoteAddress: string;
}

const REFUSAL_LOG_INTERVAL_MS = 60_000;

type PendingOp = { resolve: () => void; reject: (error: Error) => void };

export class TriadDriver implements LeaseLog, MasterGate {
  private readonly machine: QuorumMachine;
  private readonly links = new Map<Rank, LiveLink>();
  private readonly dialing = new Set<Rank>();
  private readonly lastDialAt = new Map<Rank, number>();
  private readonly pending = new Map<string, PendingOp>();
  private readonly listeners = new Set<() => void>();
  private readonly lastRefusalLogged = new Map<string, number>();
  private readonly masterLog: PeerLogQuery;
  /** Asked with every grant on a triad; fixed by the heartbeat interval, so worked out once. */
  private readonly failoverBoundMs: number;
  private nextRequest = 1;
  /** Effects of this event-loop turn, performed together once their writes are durable. */
  private outbox: QuorumEffect[] = [];
  private flushScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /**
   * Set when a flush failed to commit: what the machine decided is not on disk, so nothing of it
   * may leave this member and the machine must not go on from it. Final: the server stops.
   */
  private failed: Error | null = null;
  /** Outbound links still connecting or in their handshake (stop() cuts them too). */
  private readonly dialSockets = new Set<net.Socket>();
  /** The last 'serving' effect performed; within a turn the machine may already be further. */
  private servingPerformed = false;
  /** Effects a peer's message caused (its lmdown, lmreread, a distributed license), with that peer. */
  private readonly peerSources = new WeakMap<QuorumEffect, PeerSource>();
  /** This member's own quorum events and the reason each other member is out (quorumEvents.ts). */
  private readonly events: QuorumEvents;

  constructor(private readonly deps: TriadDriverDeps) {
    // committed entries leave memory and are read back from the store when a peer needs them
    this.machine = new QuorumMachine({ logReader: storedLogReader(deps.store), ...deps.config });
    this.masterLog = new PeerLogQuery(deps.store);
    this.events = new QuorumEvents({
      hosts: deps.config.hosts,
      self: deps.config.self,
      write: (message) => deps.debug(deps.config.daemons.lmgrd, message),
      // members redial every heartbeat interval: an older trouble is no longer the reason
      troubleTtlMs: 5 * deps.config.heartbeatIntervalMs + 2_000,
    });
    const timings = quorumTimings(deps.config.heartbeatIntervalMs, deps.config.driftBound);
    this.failoverBoundMs = Math.round(2 * electionTimeoutMs(timings, 1) + 2 * timings.heartbeatMs);
  }

  /** Loads the persisted state, rebuilds the lease table from the committed log, starts ticking. */
  start(): void {
    const persisted = loadQuorumState(this.deps.store, this.deps.config.logMemoryEntries ?? DEFAULT_LOG_MEMORY_ENTRIES);
    this.deps.store.transaction(() => {
      // The lease table is written with the commit index, so it holds the effect of every entry
      // up to the log base; the restart replays the rest (ops are idempotent). A log replayed from
      // its start is the whole truth, so it starts from an empty table (nothing else in there).
      if (persisted.logBase === 0) this.deps.store.leases.replaceAll([]);
      this.step({ type: 'restart', nowMs: this.deps.now(), persisted });
      this.flushEffects();
    });
    const tickMs = this.deps.tickMs ?? Math.min(50, this.deps.config.heartbeatIntervalMs / 10);
    this.timer = setInterval(() => this.step({ type: 'tick', nowMs: this.deps.now() }), tickMs);
  }

  stop(): void {
    this.flushEffects();
    this.stopped = true;
    this.halt(new Error('The license server is stopping.'));
  }

  /** Stops ticking, cuts every peer link and refuses every waiting op. */
  private halt(reason: Error): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const link of this.links.values()) link.close();
    this.links.clear();
    for (const socket of this.dialSockets) socket.destroy();
    this.dialSockets.clear();
    for (const op of this.pending.values()) op.reject(reason);
    this.pending.clear();
    this.masterLog.abandon(reason.message);
  }

  /** Ops asked for after stop() or a failed flush are refused at once (they would never settle). */
  private refusal(): Error | null {
    return this.failed ?? (this.stopped ? new Error('The license server is stopping.') : null);
  }

  /** Install on the license listener: peers that dial us arrive here after their hello frame. */
  readonly peerHook: PeerHook = (link) => this.acceptLink(link);

  // ---- LeaseLog -------------------------------------------------------------------------------

  readonly replicated = true;

  commit(op: LeaseOp): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
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
    if (this.failed) return 'no-quorum';
    const now = this.deps.now();
    // master only once the machine's 'serving' has been performed (at the end of the turn that
    // made it so): the licensing service reloads its seats then, and must not grant before that
    if (this.machine.canServe(now) && this.servingPerformed) return 'master';
    return this.machine.status(now).quorum ? 'standby' : 'no-quorum';
  }

  master(): MasterAddress | null {
    const rank = this.machine.knownMaster();
    return rank === null || rank === this.deps.config.self ? null : this.deps.addresses[rank];
  }

  /**
   * Detection and the secondary's election wait, then the old lease's expiry and a vote round:
   * clients keep retrying this long beyond their seat timeout, because the new master gives every
   * seat a fresh timeout when it takes over.
   */
  failoverMs(): number {
    return this.failoverBoundMs;
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
      const isMaster = masterRank === index && (index !== this.deps.config.self || (view.serving && this.servingPerformed));
      if (!peer) return { ...member, master: isMaster };
      return {
        ...member,
        up: peer.up,
        master: isMaster,
        heartbeatRttMs: peer.rttMs,
        heartbeatAgeMs: peer.lastHeardAgeMs,
        heartbeatLossPercent: peer.lossPercent,
        problem: peer.problem ?? this.events.reason(peer.rank, this.deps.now()) ?? (peer.up ? null : 'not reachable from this server'),
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
    // now, not at the end of the turn: the host closes every connection right after this call
    this.flushEffects();
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
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    const requestId = `op-${this.nextRequest++}`;
    const previous = this.machine.state.identity;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.step({ type: 'clientOp', nowMs: this.deps.now(), requestId, op: { kind: 'licenseSwitch', payload, identity, previous } });
    });
  }

  /** A standby reads the master's debug log over their peer link (only the master writes one). */
  queryMasterLog(query: MasterLogQuery): Promise<MasterLogPage> {
    const rank = this.machine.knownMaster();
    if (rank === null) return Promise.reject(new Error('there is no master now (no quorum)'));
    if (rank === this.deps.config.self) return Promise.reject(new Error('this server is the master: its own log is the debug log'));
    const link = this.links.get(rank);
    if (!link) return Promise.reject(new Error(`no link to the master, ${this.deps.config.hosts[rank]}`));
    return this.masterLog.ask(query, (message) => link.send(message));
  }

  // ---- machine --------------------------------------------------------------------------------

  private step(input: QuorumInput): void {
    if (this.failed || this.stopped) return;
    if (input.type === 'tick') this.dialMissing();
    const effects = this.machine.step(input);
    if (input.type === 'tick') this.events.observe(this.machine.status(input.nowMs), input.nowMs);
    if (effects.length === 0) return;
    this.outbox.push(...effects);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushEffects());
  }

  /**
   * Group commit: the writes of every step in this turn go to SQLite in one transaction (one
   * fsync instead of one or more per op), and only then are the turn's effects performed in
   * order, so nothing leaves this member (a vote, an ack, a grant) before it is durable.
   */
  private flushEffects(): void {
    this.flushScheduled = false;
    // stop() flushed what was decided; the store may be closed by now
    if (this.stopped || this.failed) return;
    const effects = this.outbox;
    this.outbox = [];
    if (effects.length === 0) return;
    try {
      this.deps.store.transaction(() => {
        saveQuorumState(
          this.deps.store,
          effects.filter((effect) => effect.type === 'persist'),
        );
        for (const effect of effects) {
          if (effect.type === 'commit' && effect.op.kind !== 'licenseSwitch') applyToStore(this.deps.store, effect.op.payload as LeaseOp);
        }
      });
    } catch (error) {
      this.storeFailed(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // every persist effect so far is durable: committed entries may now leave memory
    this.machine.releaseMemory();
    for (const effect of supersededAppendsDropped(effects)) this.perform(effect);
  }

  /**
   * The turn's writes did not commit (a failed fsync, a full or broken disk): its votes, acks and
   * grants must not leave this member, so none of its effects are performed and the member stops
   * taking part; the server then stops (as for a failed fsync of a single server).
   */
  private storeFailed(error: Error): void {
    const reason = `writing the quorum log failed: ${error.message}`;
    this.failed = new Error(`The grant could not be made durable (${reason}).`);
    this.halt(this.failed);
    this.deps.debug('lmgrd', `Cannot make license grants durable: ${reason}. Stopping; check the disk of ${this.deps.store.dataDir}, then restart.`);
    for (const listener of this.listeners) listener();
    setImmediate(() => this.deps.requestShutdown(reason));
  }

  /** The part of an effect beyond its store write (done in flushEffects). */
  private perform(effect: QuorumEffect): void {
    switch (effect.type) {
      case 'send':
        this.send(effect.to, effect.message);
        return;
      case 'persist':
        return;
      case 'commit': {
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
      case 'serving':
        this.servingPerformed = effect.serving;
        for (const listener of this.listeners) listener();
        return;
      case 'roleChanged':
        for (const listener of this.listeners) listener();
        return;
      case 'shutdown': {
        const source = this.auditPeerRequest(effect, 'lmdown', 'stops this member too (lmdown on a redundant license server)');
        this.deps.requestShutdown(source ? `lmdown from ${source}` : 'lmdown on a redundant license server');
        return;
      }
      case 'reread':
        this.auditPeerRequest(effect, 'lmreread', 'rereads the license and options files here too');
        this.deps.reread();
        return;
      case 'installLicense':
        this.auditPeerRequest(effect, 'license install', 'a license file distributed to all three redundant servers');
        this.deps.installLicense(effect.payload);
        return;
    }
  }

  /** Audits an effect another member's message caused; returns who that was, or null for our own. */
  private auditPeerRequest(effect: QuorumEffect, action: PeerAuditRow['action'], detail: string): string | null {
    const source = this.peerSources.get(effect);
    // a license switch commits on the master when a standby acknowledges it: the master's own import
    if (!source || (action === 'license install' && this.machine.knownMaster() === this.deps.config.self)) return null;
    const who = `redundant server ${this.deps.config.hosts[source.rank]}`;
    this.deps.audit?.({ who, fromAddress: source.remoteAddress, action, detail });
    return who;
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
    this.events.linked(rank);
    this.step({ type: 'peerConnected', nowMs: this.deps.now(), rank });
  }

  private unregister(rank: Rank, link: LiveLink): void {
    if (this.links.get(rank) !== link) return;
    this.links.delete(rank);
    this.events.linkClosed(rank, this.deps.now());
    this.step({ type: 'peerDisconnected', nowMs: this.deps.now(), rank });
  }

  /** A frame from `rank`: validated, then handed to the machine; a bad one closes the link. */
  private receive(rank: Rank, raw: unknown, link: LiveLink): void {
    if (this.links.get(rank) !== link) return;
    if (this.masterLog.receive(raw, (reply) => link.send(reply))) return;
    const parsed = peerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      link.close();
      return;
    }
    const before = this.outbox.length;
    this.step({ type: 'message', nowMs: this.deps.now(), from: rank, message: parsed.data });
    for (let i = before; i < this.outbox.length; i++) {
      const effect = this.outbox[i]!;
      if (effect.type === 'shutdown' || effect.type === 'reread' || effect.type === 'installLicense') this.peerSources.set(effect, { rank, remoteAddress: link.remoteAddress });
    }
  }

  /** Inbound: the first frame must be a quorum hello from a member ranked before us. */
  private acceptLink(link: PeerLink): void {
    let rank: Rank | null = null;
    let authenticatedAs: Rank | null = null;
    const channel = new PeerChannel({ secret: this.deps.secret, role: 'listener', self: this.deps.config.self, send: (frame) => link.send(frame) });
    const live: LiveLink = {
      send: (message) => {
        if (channel.isOpen) link.send(channel.seal(message));
      },
      close: () => link.close(),
      remoteAddress: link.remoteAddress,
    };
    channel.start();
    // a connection that never completes the handshake or its hello holds no slot for long
    const handshakeTimer = setTimeout(() => {
      if (rank === null) link.close();
    }, this.deps.config.heartbeatIntervalMs * 4);
    link.onClose(() => clearTimeout(handshakeTimer));
    link.onMessage((raw) => {
      const event = channel.receive(raw);
      if (event.kind === 'refused') {
        this.refusedPeer(link.remoteAddress, event.reason, event.rank);
        // a failed channel is dropped at once: nothing more is sent on it (issue 20, hole 3)
        if (rank !== null) this.unregister(rank, live);
        link.close();
        return;
      }
      if (event.kind === 'established') authenticatedAs = event.rank;
      if (event.kind !== 'message') return;
      const message = event.message;
      if (rank !== null) return this.receive(rank, message, live);
      const hello = peerMessageSchema.safeParse(message);
      const from = hello.success && hello.data.type === 'hello' ? hello.data.rank : null;
      if (from === null || from >= this.deps.config.self) {
        link.close();
        return;
      }
      // the handshake proved who it is
      if (from !== authenticatedAs) {
        this.refusedPeer(link.remoteAddress, 'its hello names another member than its handshake', null);
        link.close();
        return;
      }
      rank = from;
      this.register(from, live);
      this.receive(from, message, live);
      // an accepted member may send large frames; it sends none before our hello greets it
      if (this.links.get(from) === live) link.allowLargeFrames();
    });
    link.onClose(() => {
      if (rank !== null) this.unregister(rank, live);
    });
  }

  /**
   * Both sides log a refused peer: the refused member may never be master to tell it. Once a
   * minute per address and reason; the status shows the reason for as long as it lasts.
   */
  private refusedPeer(address: string, reason: string, rank: Rank | null): void {
    const key = `${address.replace(/:\d+$/, '')}|${reason}`;
    const now = this.deps.now();
    if (rank !== null) this.events.trouble(rank, { kind: 'refused', detail: reason }, now);
    if (now - (this.lastRefusalLogged.get(key) ?? -Infinity) < REFUSAL_LOG_INTERVAL_MS) return;
    // reasons are fixed texts, so the map holds a few entries per address
    this.lastRefusalLogged.set(key, now);
    this.deps.debug('lmgrd', `Refused redundant server connection with ${address}: ${reason}`);
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
    const peerTls = this.deps.tls;
    const socket = peerTls
      ? tls.connect({
          socket: net.connect({ host: address.host, port: address.port, localAddress: this.deps.localAddress }),
          ca: peerTls.ca,
          rejectUnauthorized: peerTls.ca !== undefined,
          // member certificates name machines, not SERVER-line spellings: the CA and the secret decide
          checkServerIdentity: () => undefined,
        })
      : net.connect({ host: address.host, port: address.port, localAddress: this.deps.localAddress });
    socket.setNoDelay(true);
    this.dialSockets.add(socket);
    // the member dialled may send up to a reply frame's size (long vote suffixes) once it has
    // proven itself; it sends nothing sealed before our confirm, so no large frame can come earlier
    const decoder = new FrameDecoder(MAX_FRAME_BYTES);
    const write = (frame: unknown) => {
      // the member we dialled accepts large frames once it has greeted us (allowLargeFrames)
      if (!socket.destroyed && !socket.writableEnded) socket.write(encodeFrame(frame, MAX_REPLY_FRAME_BYTES));
    };
    const channel = new PeerChannel({ secret: this.deps.secret, role: 'dialer', self: this.deps.config.self, peer: rank, send: write });
    const live: LiveLink = {
      send: (message) => {
        if (channel.isOpen) write(channel.seal(message));
      },
      close: () => socket.destroy(),
      remoteAddress: `${address.host}:${address.port}`,
    };
    let established = false;
    const onChannel = (event: ChannelEvent) => {
      if (event.kind === 'refused') {
        this.refusedPeer(`${address.host}:${address.port}`, event.reason, rank);
        if (established) this.unregister(rank, live);
        socket.destroy();
      } else if (event.kind === 'established') {
        established = true;
        decoder.raiseLimit(MAX_REPLY_FRAME_BYTES);
        this.dialSockets.delete(socket);
        this.dialing.delete(rank);
        this.register(rank, live);
      } else if (event.kind === 'message') this.receive(rank, event.message, live);
    };
    socket.setTimeout(this.deps.config.heartbeatIntervalMs * 4, () => {
      if (!established) this.events.trouble(rank, { kind: 'unreachable', detail: `no answer to the cluster-secret handshake within ${(this.deps.config.heartbeatIntervalMs * 4) / 1000} s` }, this.deps.now());
      socket.destroy();
    });
    socket.once(peerTls ? 'secureConnect' : 'connect', () => {
      write({ type: 'hello', version: PROTOCOL_VERSION, role: 'peer', agent: 'triad peer' });
      onChannel(channel.start());
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
        onChannel(channel.receive(raw));
        if (socket.destroyed) return;
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!established) this.events.trouble(rank, { kind: 'unreachable', detail: dialFailure(error) }, this.deps.now());
    });
    socket.on('close', () => {
      this.dialSockets.delete(socket);
      this.dialing.delete(rank);
      if (established) this.unregister(rank, live);
    });
  }
}

/** Why dialling a member failed, in words (the OS code kept for those who search for it). */
function dialFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is it running? is the port right?)';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no answer from its address (${error.code}: down, or a firewall in between)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `its SERVER-line host name does not resolve (${error.code})`;
    default:
      return error.code ? `${error.message}` : `TLS or network error: ${error.message}`;
  }
}

/**
 * Until a peer is confirmed (no pipelining yet) one turn can hold an append per client op, each
 * from the same point and carrying every op the peer has not acknowledged. A later append to the
 * same peer from the same point carries all an earlier one does, so only the last is sent (losing
 * a message is always safe for the quorum protocol). Pipelined appends start at different points
 * and all go.
 */
function supersededAppendsDropped(effects: QuorumEffect[]): QuorumEffect[] {
  const last = new Map<string, QuorumEffect>();
  for (const effect of effects) {
    if (effect.type === 'send' && effect.message.type === 'append') last.set(`${effect.to}:${effect.message.epoch}:${effect.message.prevIndex}`, effect);
  }
  return effects.filter(
    (effect) => effect.type !== 'send' || effect.message.type !== 'append' || last.get(`${effect.to}:${effect.message.epoch}:${effect.message.prevIndex}`) === effect,
  );
}
