import type { MemberStatus, ServerRole, ServerStatus } from '../../../shared/status';
import { FrameTooLargeError } from '../../protocol';
import {
  DEFAULT_LOG_MEMORY_ENTRIES,
  electionTimeoutMs,
  QuorumMachine,
  quorumTimings,
  type LicenseIdentity,
  type PeerMessage,
  type ClientAnswer,
  type QuorumConfig,
  type QuorumInput,
  type Rank,
  type Ready,
  readyIsEmpty,
  readyWrites,
} from '../../quorum';
import type { Store } from '../../store';
import type { Lease } from '../../pool';
import { loadQuorumState, saveCompaction, saveQuorumState, storedAppliedState, storedLogReader } from './peerPersistence';
import { PeerLogQuery } from './peerLogQuery';
import type { MasterLogPage, MasterLogQuery } from '../triadSeam';
import type { PeerConnection, PeerNetwork } from './peerNetwork';
import { peerMessageSchema } from './peerSchema';
import { QuorumEvents } from './quorumEvents';
import { nodeScheduler, type Cancel, type Clock, type Scheduler } from '../runtime';
import type { LeaseLog, LeaseOp, MasterAddress, MasterGate } from '../seams';
import { applyAndRecord, applyToStore, reportEventOf } from '../appliedLeaseOps';
import { MIGRATION_HELP } from './triadMembership';

/**
 * The triad driver: runs the pure QuorumMachine on a clock, peer links and the store. It is the
 * license server's LeaseLog (an op is committed once a peer persisted it) and its MasterGate
 * (serve only with a valid lease, otherwise redirect to the master). Links come from a
 * PeerNetwork (TCP in a server, simulated in test/sim); time and timers are injected too, so the
 * seeded simulation runs this very code.
 */

export interface TriadDriverDeps {
  store: Store;
  config: QuorumConfig;
  /** Where each member's license port is, by rank (SERVER lines): where clients are redirected. */
  addresses: readonly [MasterAddress, MasterAddress, MasterAddress];
  network: PeerNetwork;
  /** The machine runs on `monoMs`: every lease, promise and timer is a duration. */
  clock: Clock;
  scheduler?: Scheduler;
  /**
   * The data folder is not the one this member last ran on (restored from a copy): it may have
   * forgotten votes and acknowledgements, so it rejoins as a learner.
   */
  diskReplaced?: boolean;
  debug: (daemon: string, message: string) => void;
  /** A peer asked all three to stop (lmdown). */
  requestShutdown: (reason: string) => void;
  /** A peer asked all three to reread their license files (lmreread). */
  reread: () => void;
  /** A license file distributed over the triad reached this member: store it and serve it. */
  installLicense: (payload: unknown) => void;
  tickMs?: number;
  /** The quorum engine to run (the seeded simulation swaps in deliberately broken ones). */
  makeMachine?: (config: QuorumConfig) => QuorumMachine;
  /** What another member asked of this one (lmdown, lmreread, a distributed license), for the audit table. */
  audit?: (row: PeerAuditRow) => void;
}

/** An audit row for a request another member made of this one. */
export interface PeerAuditRow {
  who: string;
  fromAddress: string;
  action: 'lmdown' | 'lmreread' | 'license install';
  detail: string;
}

/** The member whose message made the machine decide a Ready, and the link it came over. */
interface PeerSource {
  rank: Rank;
  remoteAddress: string;
}

type PendingOp = { resolve: () => void; reject: (error: Error) => void };

export class TriadDriver implements LeaseLog, MasterGate {
  private readonly machine: QuorumMachine;
  private readonly links = new Map<Rank, PeerConnection>();
  private readonly scheduler: Scheduler;
  private readonly pending = new Map<string, PendingOp>();
  private readonly listeners = new Set<() => void>();
  /** A standby reads the master's debug log over the peer link (the admin API's masterLog); the master answers. */
  private readonly masterLogLink: PeerLogQuery;
  /** Asked with every grant on a triad; fixed by the heartbeat interval, so worked out once. */
  private readonly failoverBoundMs: number;
  private nextRequest = 1;
  /** The Readies of this event-loop turn, performed together; with the peer whose message caused each. */
  private turn: { ready: Ready; source: PeerSource | null }[] = [];
  private flushScheduled = false;
  private stopTicking: Cancel | null = null;
  private stopped = false;
  /**
   * Set when a flush failed to commit: what the machine decided is not on disk, so nothing of it
   * may leave this member and the machine must not go on from it. Final: the server stops.
   */
  private failed: Error | null = null;
  /** The last `serving` of a Ready performed; within a turn the machine may already be further. */
  private servingPerformed = false;
  /** This member's own quorum events and the reason each other member is out (quorumEvents.ts). */
  private readonly events: QuorumEvents;

  constructor(private readonly deps: TriadDriverDeps) {
    this.scheduler = deps.scheduler ?? nodeScheduler;
    // committed entries leave memory and are read back from the store when a peer needs them;
    // a peer behind the compacted log gets the lease table instead
    const config = { logReader: storedLogReader(deps.store), appliedState: storedAppliedState(deps.store), ...deps.config };
    this.machine = deps.makeMachine ? deps.makeMachine(config) : new QuorumMachine(config);
    this.masterLogLink = new PeerLogQuery(deps.store);
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
    const persisted = loadQuorumState(this.deps.store, this.deps.config.memberKeys, this.deps.config.logMemoryEntries ?? DEFAULT_LOG_MEMORY_ENTRIES);
    this.deps.store.transaction(() => {
      // The lease table is written with the commit index, so it holds the effect of every entry
      // up to the log base; the restart replays the rest (ops are idempotent). A log replayed from
      // its start is the whole truth, so it starts from an empty table (nothing else in there).
      if (persisted.logBase === 0) this.deps.store.leases.replaceAll([]);
      this.step({ type: 'restart', nowMs: this.now(), persisted, diskReplaced: this.deps.diskReplaced ?? false });
      this.flushTurn();
    });
    const tickMs = this.deps.tickMs ?? Math.min(50, this.deps.config.heartbeatIntervalMs / 10);
    this.stopTicking = this.scheduler.every(tickMs, () => this.step({ type: 'tick', nowMs: this.now() }));
    this.deps.network.start({
      linkUp: (rank, link) => this.register(rank, link),
      linkDown: (rank, link) => this.unregister(rank, link),
      message: (rank, raw, link) => this.receive(rank, raw, link),
      trouble: (rank, trouble) => this.events.trouble(rank, trouble, this.now()),
    });
  }

  /** The machine's clock: monotonic, so a step of the wall clock moves no lease, promise or timer. */
  private now(): number {
    return this.deps.clock.monoMs();
  }

  stop(): void {
    this.flushTurn();
    this.stopped = true;
    this.halt(new Error('The license server is stopping.'));
  }

  /** Stops ticking, cuts every peer link and refuses every waiting op. */
  private halt(reason: Error): void {
    this.stopTicking?.();
    this.stopTicking = null;
    this.deps.network.stop();
    this.links.clear();
    for (const op of this.pending.values()) op.reject(reason);
    this.pending.clear();
    this.masterLogLink.abandon(reason.message);
  }

  /** Ops asked for after stop() or a failed flush are refused at once (they would never settle). */
  private refusal(): Error | null {
    return this.failed ?? (this.stopped ? new Error('The license server is stopping.') : null);
  }

  // ---- LeaseLog -------------------------------------------------------------------------------

  readonly replicated = true;

  commit(op: LeaseOp): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    const requestId = `op-${this.nextRequest++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.step({ type: 'clientOp', nowMs: this.now(), requestId, op: { kind: op.kind, payload: op } });
    });
  }

  recover() {
    return this.deps.store.leases.list();
  }

  // ---- MasterGate -----------------------------------------------------------------------------

  role(): ServerRole {
    if (this.failed) return 'no-quorum';
    const now = this.now();
    // master only once the machine's 'serving' has been performed (at the end of the turn that
    // made it so): the licensing service reloads its seats then, and must not grant before that
    if (this.machine.canServe(now) && this.servingPerformed) return 'master';
    return this.machine.inQuorum() ? 'standby' : 'no-quorum';
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

  term(): number {
    return this.machine.state.persisted.epoch;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds peer health, quorum and the triad's warnings to a status snapshot. */
  decorateStatus(status: ServerStatus): ServerStatus {
    const view = this.machine.status(this.now());
    const masterRank = view.masterRank;
    const members = status.members.map((member, index): MemberStatus => {
      const peer = view.peers.find((candidate) => candidate.rank === index);
      const isMaster = masterRank === index && (index !== this.deps.config.self || (view.serving && this.servingPerformed));
      if (!peer) return { ...member, master: isMaster, learner: view.learner };
      return {
        ...member,
        up: peer.up,
        master: isMaster,
        learner: peer.learner,
        heartbeatRttMs: peer.rttMs,
        heartbeatAgeMs: peer.lastHeardAgeMs,
        heartbeatLossPercent: peer.lossPercent,
        problem: peer.problem ?? this.events.reason(peer.rank, this.now()) ?? (peer.up ? null : 'not reachable from this server'),
      };
    });
    return {
      ...status,
      quorum: view.quorum,
      master: masterRank === null ? null : this.deps.config.hosts[masterRank],
      members,
      warnings: [...status.warnings, ...view.warnings, ...this.deps.network.warnings()],
    };
  }

  /** lmdown / lmreread typed on this member: the machine forwards them to the other two. */
  shutdownAll(): void {
    this.step({ type: 'shutdown', nowMs: this.now() });
    // now, not at the end of the turn: the host closes every connection right after this call
    this.flushTurn();
  }

  rereadAll(): void {
    this.step({ type: 'reread', nowMs: this.now() });
  }

  /** This member now serves another license file (imported here only): peers compare it from now on. */
  useLicense(identity: LicenseIdentity): void {
    this.step({ type: 'licenseChanged', nowMs: this.now(), identity });
  }

  /**
   * Master only: distributes a license file imported here to all three. Resolves once a peer has
   * it; each member installs it (installLicense) as the switch commits there.
   */
  distributeLicense(payload: unknown, identity: LicenseIdentity): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    const previous = this.machine.state.identity;
    if (!sameServerLines(identity.serverOrder, previous.serverOrder)) {
      return Promise.reject(
        new Error(
          `its SERVER lines (host ids ${identity.serverOrder.join(', ')}) are not this triad's (${previous.serverOrder.join(', ')}): ` +
            `the members of a running triad are never reordered or replaced by distributing a file. ${MIGRATION_HELP}`,
        ),
      );
    }
    const requestId = `op-${this.nextRequest++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.step({ type: 'clientOp', nowMs: this.now(), requestId, op: { kind: 'licenseSwitch', payload, identity, previous } });
    });
  }

  /** A standby reads the master's debug log over their peer link (only the master writes one). */
  queryMasterLog(query: MasterLogQuery): Promise<MasterLogPage> {
    const rank = this.machine.knownMaster();
    if (rank === null) return Promise.reject(new Error('there is no master now (no quorum)'));
    if (rank === this.deps.config.self) return Promise.reject(new Error('this server is the master: its own log is the debug log'));
    const link = this.links.get(rank);
    if (!link) return Promise.reject(new Error(`no link to the master, ${this.deps.config.hosts[rank]}`));
    return this.masterLogLink.ask(query, (message) => link.send(message));
  }

  // ---- machine --------------------------------------------------------------------------------

  private step(input: QuorumInput, source: PeerSource | null = null): void {
    if (this.failed || this.stopped) return;
    const ready = this.machine.step(input);
    if (input.type === 'tick') this.events.observe(this.machine.status(input.nowMs), input.nowMs);
    if (readyIsEmpty(ready)) return;
    this.turn.push({ ready, source });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.scheduler.soon(() => this.flushTurn());
  }

  /**
   * Group commit: the writes of every step in this turn go to SQLite in one transaction; only
   * then are the turn's messages sent, and then the rest applied (the order and its reasons: the
   * Ready type), so nothing leaves this member (a vote, an ack, a grant) before it is durable.
   * One fsync, and only when the turn wrote what a restart cannot get back (log entries, a vote,
   * an epoch, a snapshot): applying committed entries and their report rows is rebuilt from the
   * log (a restart re-applies and re-records what an unsynced apply lost), so a grant waits for
   * the fsync of its append at each member, not more.
   */
  private flushTurn(): void {
    this.flushScheduled = false;
    // stop() flushed what was decided; the store may be closed by now
    if (this.stopped || this.failed) return;
    const turn = this.turn;
    this.turn = [];
    if (turn.length === 0) return;
    const readies = turn.map(({ ready }) => ready);
    try {
      // most turns only send heartbeats: no transaction for those
      if (readies.some(readyWrites)) {
        const store = this.deps.store;
        const mustSync = store.transactionUnsynced(() => this.persist(readies));
        if (mustSync) store.syncLogNow();
      }
    } catch (error) {
      this.storeWriteFailed(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // every write so far is durable: committed entries may now leave memory
    this.machine.releaseMemory();
    for (const { to, message } of supersededAppendsDropped(readies.flatMap((ready) => ready.messages))) this.send(to, message);
    for (const { ready, source } of turn) this.apply(ready, source);
    this.compactLog();
  }

  /**
   * Ready step 1 for a whole turn, inside its transaction: the quorum log and state, then the
   * lease table and the report rows of the ops applied; true when the turn must be fsynced before
   * anything leaves this member.
   */
  private persist(readies: Ready[]): boolean {
    const store = this.deps.store;
    // entries up to the stored commit index were applied and recorded before (a restart replays them)
    const recordedThrough = store.quorum.state().commitIndex;
    const mustSync = saveQuorumState(
      store,
      readies.flatMap((ready) => ready.logWrites),
      readies.findLast((ready) => ready.hardState !== null)?.hardState ?? null,
    );
    // a snapshot replaces the lease table (an empty one: a member that rejoins another triad
    // starts over with that triad's log); commits after it apply on top
    const installed = readies.findLastIndex((ready) => ready.logWrites.some((write) => write.type === 'snapshot'));
    const snapshot = readies[installed]?.logWrites.findLast((write) => write.type === 'snapshot');
    if (snapshot?.type === 'snapshot') store.leases.replaceAll(snapshot.leases as Lease[]);
    const self = this.deps.config.hosts[this.deps.config.self];
    for (const ready of readies.slice(Math.max(0, installed))) {
      for (const committed of ready.committed) {
        if (committed.op.kind === 'licenseSwitch') continue;
        // our own op, or a peer's that peerMessageSchema checked on the way in
        const op = committed.op.payload as LeaseOp;
        if (committed.index <= recordedThrough) {
          applyToStore(store, op);
          continue;
        }
        // an op an earlier master proposed, committed with this master's first entry: said in its log
        const inherited = committed.requestId === null && this.machine.state.role === 'master';
        const lease = inherited ? (op.kind === 'grant' ? op.lease : store.leases.get(op.leaseId)) : null;
        if (applyAndRecord(store, op, self) && lease) {
          const who = `"${lease.feature}" ${lease.user}@${lease.host}`;
          this.deps.debug(lease.vendor, `${reportEventOf(op)}: ${who}  (committed under the previous master, which stopped first)`);
        }
      }
    }
    return mustSync;
  }

  /** Ready step 3: what acts on durable state the peers have been told of. */
  private apply(ready: Ready, source: PeerSource | null): void {
    for (const { daemon, message } of ready.debugLines) this.deps.debug(daemon, message);
    for (const answer of ready.answers) this.answer(answer);
    for (const install of ready.licenseInstalls) {
      this.auditPeerRequest(source, 'license install', 'a license file distributed to all three redundant servers');
      this.deps.installLicense(install.payload);
    }
    if (ready.reread) {
      this.auditPeerRequest(source, 'lmreread', 'rereads the license and options files here too');
      this.deps.reread();
    }
    if (ready.serving !== null) this.servingPerformed = ready.serving;
    if (ready.role !== null || ready.serving !== null) for (const listener of this.listeners) listener();
    if (ready.shutdown) {
      const who = this.auditPeerRequest(source, 'lmdown', 'stops this member too (lmdown on a redundant license server)');
      this.deps.requestShutdown(who ? `lmdown from ${who}` : 'lmdown on a redundant license server');
    }
  }

  private answer({ requestId, failure }: ClientAnswer): void {
    const pending = this.pending.get(requestId);
    this.pending.delete(requestId);
    if (failure === null) pending?.resolve();
    else pending?.reject(new Error(failure));
  }

  /**
   * Compaction runs only when everything the machine decided is durable and performed: the
   * license file of a switch it drops is installed by then, so a restart needs only the last.
   */
  private compactLog(): void {
    if (this.turn.length > 0 || this.stopped || this.failed) return;
    const compaction = this.machine.compactLog();
    if (!compaction) return;
    try {
      this.deps.store.transaction(() => saveCompaction(this.deps.store, compaction));
    } catch (error) {
      this.storeWriteFailed(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * The turn's writes did not commit (a failed fsync, a full or broken disk): its votes, acks and
   * grants must not leave this member, so nothing of its Readies is performed and the member stops
   * taking part; the server then stops (as for a failed fsync of a single server).
   */
  private storeWriteFailed(error: Error): void {
    const reason = `writing the quorum log failed: ${error.message}`;
    this.failed = new Error(`The grant could not be made durable (${reason}).`);
    this.halt(this.failed);
    this.deps.debug('lmgrd', `Cannot make license grants durable: ${reason}. Stopping; check the disk of ${this.deps.store.dataDir}, then restart.`);
    for (const listener of this.listeners) listener();
    this.scheduler.soon(() => this.deps.requestShutdown(reason));
  }

  /** Audits what another member's message caused; returns who that was, or null for our own. */
  private auditPeerRequest(source: PeerSource | null, action: PeerAuditRow['action'], detail: string): string | null {
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

  private register(rank: Rank, link: PeerConnection): void {
    if (this.stopped) {
      link.close();
      return;
    }
    this.links.get(rank)?.close();
    this.links.set(rank, link);
    this.events.linked(rank);
    this.step({ type: 'peerConnected', nowMs: this.now(), rank });
  }

  private unregister(rank: Rank, link: PeerConnection): void {
    if (this.links.get(rank) !== link) return;
    this.links.delete(rank);
    this.events.linkClosed(rank, this.now());
    this.step({ type: 'peerDisconnected', nowMs: this.now(), rank });
  }

  /** A frame from `rank`: validated, then handed to the machine; a bad one closes the link. */
  private receive(rank: Rank, raw: unknown, link: PeerConnection): void {
    if (this.links.get(rank) !== link) return;
    if (this.masterLogLink.receive(raw, (reply) => link.send(reply))) return;
    const parsed = peerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      link.close();
      return;
    }
    // what it causes (an lmdown, an lmreread, a distributed license) is audited with the peer
    this.step({ type: 'message', nowMs: this.now(), from: rank, message: parsed.data }, { rank, remoteAddress: link.remoteAddress });
  }
}

const sameServerLines = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id.toLowerCase() === b[i].toLowerCase());

/**
 * Until a peer is confirmed (no pipelining yet) one turn can hold an append per client op, each
 * from the same point and carrying every op the peer has not acknowledged. A later append to the
 * same peer from the same point carries all an earlier one does, so only the last is sent (losing
 * a message is always safe for the quorum protocol). Pipelined appends start at different points
 * and all go.
 */
function supersededAppendsDropped(messages: Ready['messages']): Ready['messages'] {
  const key = ({ to, message }: Ready['messages'][number]) => (message.type === 'append' ? `${to}:${message.epoch}:${message.prevIndex}` : null);
  const last = new Map<string, Ready['messages'][number]>();
  for (const sent of messages) {
    const appendKey = key(sent);
    if (appendKey !== null) last.set(appendKey, sent);
  }
  return messages.filter((sent) => {
    const appendKey = key(sent);
    return appendKey === null || last.get(appendKey) === sent;
  });
}
