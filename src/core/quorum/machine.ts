import type { QuorumInput } from './inputs';
import { recordHeartbeatAck, recordHeartbeatSent } from './linkStats';
import { logLines } from './logLines';
import type { MemberStanding, PeerMessage } from './messages';
import { electionTimeoutMs, quorumTimings, type QuorumTimings } from './timing';
import { LogWindow } from './logWindow';
import { newPeer, type QuorumState } from './state';
import { Narration, type DebugLine } from './narration';
import { emptyReady, type Ready, type SnapshotWrite } from './ready';
import { quorumStatusView, type QuorumStatusView } from './quorumStatus';
import { addSnapshotFrame, DEFAULT_SNAPSHOT_SETTINGS, snapshotChunks, type ReceivedSnapshot } from './snapshot';
import {
  RANKS,
  isEligible,
  type LicenseIdentity,
  type LicenseSwitchOp,
  type LogEntry,
  type PersistedQuorumState,
  type QuorumConfig,
  type Rank,
  type ReplicatedOp,
  type SnapshotPoint,
  type SnapshotSettings,
} from './types';

/**
 * The triad quorum engine (QUORUM.md) as a pure state machine in the style of etcd's raft
 * package: `step(input)` mutates plain-data state and returns the `Ready` the driver performs.
 * Time comes only through inputs; there are no timers, sockets or storage in here.
 *
 * Safety in one paragraph: a member votes at most once per epoch and never while it has a live
 * master (its promise); a master serves only inside a lease that ends, on its own clock, before
 * the promises backing it end on the promisers' clocks; a candidate adopts the most up-to-date
 * log of its quorum and commits a no-op of its epoch before serving, so every committed op
 * survives every election.
 */

/**
 * Entries per Append: one round trip carries this many ops under load (about 0.5 KB each, well
 * inside the 16 MiB a greeted peer link accepts), and a far-behind peer still gets bounded frames.
 */
const APPEND_BATCH = 1024;
/** Default of QuorumConfig.logMemoryEntries: several append batches, so replication reads memory. */
export const DEFAULT_LOG_MEMORY_ENTRIES = 8 * APPEND_BATCH;
/**
 * Entries one compaction drops at most: a log grown long before compaction existed (or before a
 * long catch-up) shrinks over several turns instead of blocking one for seconds.
 */
const COMPACTION_STEP_MAX = 64 * APPEND_BATCH;

/** What the driver writes when the log is compacted (see `compactLog`). */
export interface LogCompaction extends SnapshotPoint {
  /** The last license switch at or before `index`, kept with the snapshot for a restart. */
  lastSwitch: LogEntry | null;
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((host, i) => host.toLowerCase() === b[i].toLowerCase());
}

function sameIdentity(a: LicenseIdentity, b: LicenseIdentity): boolean {
  return a.licenseHash === b.licenseHash && sameOrder(a.serverOrder, b.serverOrder);
}

/** Raft's "at least as up-to-date": later last epoch wins, then the longer log. */
function moreUpToDate(aEpoch: number, aIndex: number, bEpoch: number, bIndex: number): boolean {
  return aEpoch > bEpoch || (aEpoch === bEpoch && aIndex > bIndex);
}

export class QuorumMachine {
  readonly timings: QuorumTimings;
  readonly state: QuorumState;
  private ready: Ready = emptyReady();
  private readonly narration: Narration;

  constructor(readonly config: QuorumConfig) {
    this.timings = quorumTimings(config.heartbeatIntervalMs, config.driftBound);
    this.state = {
      running: false,
      nowMs: 0,
      identity: config.identity,
      previousIdentity: null,
      persisted: { epoch: 0, votedFor: null, triadId: null, learner: false, commitIndex: 0 },
      log: new LogWindow([], 0, config.logReader ?? null),
      role: 'follower',
      masterRank: null,
      lastMasterHeardAt: null,
      promisedUntil: 0,
      electionDueAt: 0,
      preVote: null,
      candidateCommitIndex: 0,
      pendingVote: null,
      verifiedIndex: 0,
      appliedIndex: 0,
      appliedSwitches: [],
      leaseUntil: 0,
      leaseFrom: null,
      masterSince: 0,
      noopIndex: 0,
      pendingRequests: [],
      nextHeartbeatAt: 0,
      peers: { 0: newPeer(), 1: newPeer(), 2: newPeer() },
      pendingLines: [],
      reported: { role: 'follower', masterRank: null, serving: false },
    };
    this.narration = new Narration(config, this.state, (line) => this.line(line));
  }

  /** One input in, what the driver must do out (ready.ts); a stopped machine hears only a restart. */
  step(input: QuorumInput): Ready {
    this.ready = emptyReady();
    const s = this.state;
    if (input.type === 'restart') {
      this.restart(input.nowMs, input.persisted, input.diskReplaced ?? false);
    } else if (s.running) {
      s.nowMs = Math.max(s.nowMs, input.nowMs);
      this.handle(input);
    }
    if (s.running) this.settle();
    return this.ready;
  }

  /** Whether this member may answer clients as master at `nowMs` (checked per request). */
  canServe(nowMs: number): boolean {
    const s = this.state;
    return s.running && s.role === 'master' && nowMs < s.leaseUntil && s.persisted.commitIndex >= s.noopIndex;
  }

  /** This member votes and hears a voting peer (as of the last input): it is part of a quorum. */
  inQuorum(): boolean {
    return this.state.running && !this.state.persisted.learner && this.votingPeers().length > 0;
  }

  /** The master clients should be sent to, when this member knows one. */
  knownMaster(): Rank | null {
    return this.state.running ? this.state.masterRank : null;
  }

  /** What the admin status shows of the triad (quorumStatus.ts). */
  status(nowMs: number): QuorumStatusView {
    return quorumStatusView(this, nowMs);
  }

  // ---- inputs ---------------------------------------------------------------------------------

  private restart(nowMs: number, persisted: PersistedQuorumState, diskReplaced: boolean): void {
    const s = this.state;
    const { lmgrd } = this.config.daemons;
    const { log, logBase, snapshot, switchesBeforeBase, ...hard } = structuredClone(persisted);
    if (logBase > hard.commitIndex)
      throw new Error(`A restart with log base ${logBase} beyond commit index ${hard.commitIndex}: only committed entries may stay on disk.`);
    Object.assign(s, {
      running: true,
      nowMs,
      persisted: hard,
      log: new LogWindow(log, logBase, this.config.logReader ?? null, snapshot),
      previousIdentity: null,
      role: 'follower',
      masterRank: null,
      lastMasterHeardAt: null,
      // Whatever this member promised before it stopped was measured on a clock that is gone:
      // it keeps every possible promise by voting for nobody (itself included) for a whole E.
      // Only a member of a formed triad can have promised: a promise answers a master, whose
      // heartbeat names the triad, and the triad id is persisted before the promise goes out.
      promisedUntil: hard.triadId === null ? 0 : nowMs + this.timings.electionMs,
      electionDueAt: nowMs + electionTimeoutMs(this.timings, this.config.self),
      preVote: null,
      pendingVote: null,
      verifiedIndex: 0,
      // entries up to the base are applied already: the driver's state is as of the commit index
      appliedIndex: logBase,
      appliedSwitches: [...switchesBeforeBase],
      leaseUntil: 0,
      leaseFrom: null,
      noopIndex: 0,
      pendingRequests: [],
      nextHeartbeatAt: nowMs,
      peers: { 0: newPeer(), 1: newPeer(), 2: newPeer() },
      pendingLines: this.narration.bringUpLines(),
      reported: { role: 'follower', masterRank: null, serving: false },
    } satisfies Partial<QuorumState>);
    this.ready.role = { role: 'follower', masterRank: null };
    if (diskReplaced && !hard.learner) {
      s.persisted.learner = true;
      this.persistHardState();
      this.line({ daemon: lmgrd, message: logLines.joiningAsLearner('its data folder was replaced or restored from a copy') });
    }
    for (const entry of switchesBeforeBase) if (entry.op.kind === 'licenseSwitch') this.switchLicense(entry.op);
    this.applyCommitted();
    this.recallLastSwitch(switchesBeforeBase);
  }

  /**
   * After a restart, the file this member serves may already be the one a distributed switch
   * installed: remember the file it replaced, so a member that missed the switch is still
   * recognised (it catches up from our log instead of being shut out).
   */
  private recallLastSwitch(beforeBase: readonly LogEntry[]): void {
    const s = this.state;
    if (s.previousIdentity !== null) return;
    const committed = [...beforeBase, ...s.log.range(s.log.firstInMemory, Math.max(0, s.persisted.commitIndex - s.log.firstInMemory + 1))];
    const last = committed.filter((entry) => entry.op.kind === 'licenseSwitch' && sameIdentity(entry.op.identity, s.identity)).at(-1);
    if (last?.op.kind === 'licenseSwitch') s.previousIdentity = last.op.previous;
  }

  private handle(input: Exclude<QuorumInput, { type: 'restart' }>): void {
    const s = this.state;
    switch (input.type) {
      case 'tick':
        this.tick();
        return;
      case 'peerConnected': {
        if (input.rank === this.config.self) return;
        const previous = s.peers[input.rank];
        // a new connection starts a new hello, and may be a restarted process whose disk was
        // wiped or restored: nothing is known of its log any more, so appends probe from our end
        // (its refusals say where its log ends)
        s.peers[input.rank] = { ...newPeer(), connected: true, link: previous.link, nextIndex: this.lastIndex() + 1 };
        this.send(input.rank, { type: 'hello', rank: this.config.self, epoch: s.persisted.epoch, ...this.standing() });
        return;
      }
      case 'peerDisconnected':
        if (input.rank === this.config.self) return;
        s.peers[input.rank].connected = false;
        s.peers[input.rank].greeted = false;
        s.peers[input.rank].snapshotFrames = null;
        return;
      case 'message':
        this.receive(input.from, input.message);
        return;
      case 'clientOp':
        this.clientOp(input.requestId, input.op);
        return;
      case 'shutdown':
        this.broadcastAdmin('shutdown');
        this.stop(this.config.hosts[this.config.self]);
        return;
      case 'reread':
        // the host has reread its own files already; the other two hear it from here
        this.broadcastAdmin('reread');
        this.narration.ifMaster(this.config.daemons.lmgrd, logLines.rereadAll(this.config.hosts[this.config.self]));
        return;
      case 'licenseChanged':
        s.identity = input.identity;
        return;
    }
  }

  private tick(): void {
    const s = this.state;
    const now = s.nowMs;
    if (now >= s.nextHeartbeatAt) {
      s.nextHeartbeatAt = now + this.timings.heartbeatMs;
      for (const rank of this.otherRanks()) {
        const peer = s.peers[rank];
        // heartbeats carry the license identity, so they also stand in for a hello that got lost
        if (!peer.connected) continue;
        recordHeartbeatSent(peer.link, now);
        this.send(rank, {
          type: 'heartbeat',
          epoch: s.persisted.epoch,
          commitIndex: s.persisted.commitIndex,
          sentAt: now,
          master: s.role === 'master',
          ...this.standing(),
        });
      }
    }
    if (s.role === 'master') {
      for (const rank of this.otherRanks()) {
        const peer = s.peers[rank];
        const reachable = peer.connected && peer.greeted && peer.problem === null;
        const resendDue = peer.lastAppendSentAt === null || now - peer.lastAppendSentAt >= this.timings.heartbeatMs / 4;
        if (!reachable || !resendDue) continue;
        // nothing sent for a while and entries still unacknowledged: send them again from the last match
        if (peer.confirmed && peer.matchIndex < this.lastIndex()) peer.nextIndex = peer.matchIndex + 1;
        if (peer.nextIndex <= this.lastIndex() || !peer.confirmed) this.sendAppend(rank);
      }
      if (this.config.primaryIsMaster && this.config.self === 1) this.tryTransfer(0);
      return;
    }
    const electionDue = now >= s.electionDueAt && now >= s.promisedUntil;
    if (this.mayCampaign() && electionDue && this.votingPeers().length > 0) this.startPreVote();
  }

  private clientOp(requestId: string, op: ReplicatedOp): void {
    const s = this.state;
    if (!this.canServe(s.nowMs)) {
      const reason =
        s.role === 'master' || s.masterRank === null
          ? 'No quorum: the redundant license servers cannot serve licenses right now.'
          : `Not the master: the master is ${this.config.hosts[s.masterRank]}.`;
      this.ready.answers.push({ requestId, failure: reason });
      return;
    }
    const entry: LogEntry = { epoch: s.persisted.epoch, index: this.lastIndex() + 1, op };
    this.appendToLog([entry]);
    s.pendingRequests.push({ index: entry.index, requestId });
    for (const rank of this.upPeers()) this.sendAppend(rank);
  }

  private broadcastAdmin(type: 'shutdown' | 'reread'): void {
    for (const rank of this.otherRanks()) {
      const peer = this.state.peers[rank];
      if (peer.connected && peer.greeted) this.send(rank, { type, epoch: this.state.persisted.epoch });
    }
  }

  private stop(origin: string): void {
    this.narration.ifMaster(this.config.daemons.lmgrd, logLines.shutdownAll(origin));
    this.stepDown();
    this.ready.shutdown = true;
    this.settle();
    this.state.running = false;
  }

  // ---- messages -------------------------------------------------------------------------------

  /**
   * A peer's message, in the order of etcd raft's `Step`: what the link and the sender's standing
   * let through (`admit`), the epoch rule, once (`epochRule`), then the handler of our role.
   */
  private receive(from: Rank, message: PeerMessage): void {
    if (!this.admit(from, message) || !this.epochRule(from, message)) return;
    const role = this.state.role;
    if (role === 'master') this.stepMaster(from, message);
    else if (role === 'candidate') this.stepCandidate(from, message);
    else this.stepFollower(from, message);
  }

  /**
   * Only a greeted peer on a live connection is heard. A hello, heartbeat or acknowledgement says
   * who the sender is (its triad, license, learner flag); lmdown and lmreread need nothing more. A
   * peer that cannot be in a quorum with us is heard only on replication (a member that missed a
   * license switch must still receive it to catch up; commits do not count it). A learner's vote
   * is not counted, and a master's entries of another triad never enter our log.
   */
  private admit(from: Rank, message: PeerMessage): boolean {
    const s = this.state;
    const peer = s.peers[from];
    if (from === this.config.self || !peer.connected) return false;
    switch (message.type) {
      case 'hello':
        peer.greeted = true;
        this.hearStanding(from, message);
        if (!peer.problem) peer.lastHeardAt = s.nowMs;
        return false;
      case 'heartbeat':
        peer.greeted = true;
        this.hearStanding(from, message);
        if (peer.problem) {
          this.send(from, this.heartbeatAck(message.sentAt, false));
          return false;
        }
        peer.lastHeardAt = s.nowMs;
        return true;
      case 'heartbeatAck':
        peer.greeted = true;
        // the link works even when the license differs: keep its round trip and loss honest
        recordHeartbeatAck(peer.link, message.sentAt, s.nowMs);
        this.hearStanding(from, message);
        if (peer.problem) return false;
        peer.lastHeardAt = s.nowMs;
        return true;
    }
    if (!peer.greeted) return false;
    switch (message.type) {
      case 'shutdown':
        this.stop(this.config.hosts[from]);
        return false;
      case 'reread':
        this.narration.ifMaster(this.config.daemons.lmgrd, logLines.rereadAll(this.config.hosts[from]));
        this.ready.reread = true;
        return false;
    }
    const replication = message.type === 'append' || message.type === 'appendAck' || message.type === 'installSnapshot';
    if (peer.problem && !replication) return false;
    peer.lastHeardAt = s.nowMs;
    // a learner never grants a vote; one that says otherwise is not counted
    if (message.type === 'vote' && peer.standing?.learner) return false;
    if (message.type === 'append' || (message.type === 'installSnapshot' && message.master)) return this.sameTriad(from, message.triadId);
    return true;
  }

  /** A master's entries: a member with no triad yet learns it from them; another triad's are refused. */
  private sameTriad(from: Rank, triadId: string | null): boolean {
    const s = this.state;
    if (triadId !== null && s.persisted.triadId === null) this.joinTriadOf(triadId);
    if (triadId === s.persisted.triadId) return true;
    this.refuseEntries(from);
    return false;
  }

  /**
   * The epoch rule (Raft's term rule), once for every message that passed `admit`. A later epoch
   * is adopted (a master or candidate steps down) from a master's message and from a reply; from
   * a vote request only when we would vote (stickiness: a request refused for a live master must
   * not raise our epoch). An earlier epoch is refused where the sender waits for an answer and
   * dropped otherwise; a transfer or a voter's snapshot counts only in our epoch. Pre-votes carry
   * the epoch a candidate would take, not one it holds, and a standby's heartbeat only says which
   * epoch it knows (a learner waits for those, `epochSeen`): neither moves ours.
   */
  private epochRule(from: Rank, message: PeerMessage): boolean {
    const ours = this.state.persisted.epoch;
    switch (message.type) {
      case 'hello':
      case 'shutdown':
      case 'reread':
        // answered in admit
        return false;
      case 'preVote':
      case 'preVoteReply':
        return true;
      case 'transferTo':
        return message.epoch === ours;
      case 'installSnapshot':
        if (!message.master) return message.epoch === ours;
    }
    if (message.epoch < ours) {
      this.refuse(from, message);
      return false;
    }
    if (message.epoch === ours) return true;
    switch (message.type) {
      case 'heartbeat':
        if (message.master) this.adoptEpoch(message.epoch);
        return true;
      case 'requestVote':
        if (this.withholdsVote(from, message.transfer)) {
          this.refuseVote(from);
          return false;
        }
        this.adoptEpoch(message.epoch);
        return true;
      case 'heartbeatAck':
      case 'vote':
      case 'appendAck':
        // a reply from a later epoch only says that we are behind
        this.adoptEpoch(message.epoch);
        return false;
      default:
        // a master's entries or snapshot
        this.adoptEpoch(message.epoch);
        return true;
    }
  }

  /**
   * A message we do not act on (an earlier epoch's, or a master's when we are the master):
   * answered with a refusal where its sender waits for an answer (no promise, entries or vote),
   * dropped otherwise.
   */
  private refuse(from: Rank, message: PeerMessage): void {
    switch (message.type) {
      case 'heartbeat':
        return this.send(from, this.heartbeatAck(message.sentAt, false));
      case 'installSnapshot':
        if (message.master) this.refuseEntries(from);
        return;
      case 'append':
        return this.refuseEntries(from);
      case 'requestVote':
        return this.refuseVote(from);
    }
  }

  /** Master: replies to what it sent count; heartbeats, entries and snapshots are refused (no promise, no match). */
  private stepMaster(from: Rank, message: PeerMessage): void {
    if (message.type === 'heartbeatAck') return this.onHeartbeatAck(from, message);
    if (message.type === 'appendAck') return this.onAppendAck(from, message);
    if (message.type === 'heartbeat' || message.type === 'append' || message.type === 'installSnapshot') return this.refuse(from, message);
    this.stepElection(from, message);
  }

  /** Candidate: votes (and a voter's snapshot before its vote) count; a master of our epoch ends the candidacy. */
  private stepCandidate(from: Rank, message: PeerMessage): void {
    const fromMaster =
      (message.type === 'heartbeat' && message.master) || message.type === 'append' || (message.type === 'installSnapshot' && message.master);
    if (fromMaster) {
      this.stepDown();
      return this.stepFollower(from, message);
    }
    if (message.type === 'vote') return this.onVote(from, message);
    if (message.type === 'installSnapshot') return this.onVoterSnapshot(from, message);
    // a standby's heartbeat: acknowledged, without a promise
    if (message.type === 'heartbeat') return this.refuse(from, message);
    this.stepElection(from, message);
  }

  /** Follower (a learner too): the master's heartbeats, entries, snapshots and hand-over. */
  private stepFollower(from: Rank, message: PeerMessage): void {
    switch (message.type) {
      case 'heartbeat':
        return this.onHeartbeat(from, message);
      case 'append':
        return this.onAppend(from, message);
      case 'installSnapshot':
        if (message.master) this.onMasterSnapshot(from, message);
        return;
      case 'transferTo':
        return this.onTransferTo(from, message);
      default:
        return this.stepElection(from, message);
    }
  }

  /** Every role answers pre-votes and vote requests (stickiness decides), and hears pre-vote replies. */
  private stepElection(from: Rank, message: PeerMessage): void {
    const s = this.state;
    switch (message.type) {
      case 'preVote': {
        const granted = !s.persisted.learner && this.mayVoteFor(from, false);
        // a refusal says when this member may vote again, so the candidate need not wait a whole E
        const retryInMs = granted || s.persisted.learner ? 0 : Math.max(0, Math.ceil(this.liveMasterUntil() - s.nowMs));
        return this.send(from, { type: 'preVoteReply', epoch: message.epoch, granted, retryInMs });
      }
      case 'preVoteReply':
        return this.onPreVoteReply(message);
      case 'requestVote':
        return this.onRequestVote(from, message);
    }
  }

  private refuseEntries(from: Rank): void {
    const s = this.state;
    this.send(from, { type: 'appendAck', epoch: s.persisted.epoch, lastIndex: this.lastIndex(), ok: false, learner: s.persisted.learner });
  }

  private refuseVote(from: Rank): void {
    this.send(from, {
      type: 'vote',
      epoch: this.state.persisted.epoch,
      granted: false,
      lastLogEpoch: this.lastEpoch(),
      lastLogIndex: this.lastIndex(),
      suffix: [],
    });
  }

  private heartbeatAck(sentAt: number, promised: boolean): PeerMessage {
    const s = this.state;
    return {
      type: 'heartbeatAck',
      epoch: s.persisted.epoch,
      sentAt,
      lastIndex: this.lastIndex(),
      promised: promised && !s.persisted.learner,
      ...this.standing(),
    };
  }

  /** What this member says of itself in every hello, heartbeat and acknowledgement. */
  private standing(): MemberStanding {
    const s = this.state;
    return {
      triadId: s.persisted.triadId,
      learner: s.persisted.learner,
      committed: this.hasCommitted(),
      licenseHash: s.identity.licenseHash,
      serverOrder: s.identity.serverOrder,
      switchedFrom: s.previousIdentity?.licenseHash ?? null,
    };
  }

  private onHeartbeat(from: Rank, message: Extract<PeerMessage, { type: 'heartbeat' }>): void {
    const s = this.state;
    if (!message.master) {
      this.send(from, this.heartbeatAck(message.sentAt, false));
      return;
    }
    this.followMaster(from);
    this.promise(s.nowMs + this.timings.electionMs);
    this.advanceCommit(Math.min(message.commitIndex, s.verifiedIndex));
    // an idle triad sends only heartbeats: a learner that caught up before it heard both peers is admitted here
    if (s.persisted.learner) this.tryAdmission(from, message.epoch, message.commitIndex);
    this.send(from, this.heartbeatAck(message.sentAt, true));
  }

  private onHeartbeatAck(from: Rank, message: Extract<PeerMessage, { type: 'heartbeatAck' }>): void {
    const s = this.state;
    // only a voter's promise keeps other candidates out, so only a voter's backs a lease
    if (!message.promised || message.learner) return;
    const until = message.sentAt + this.timings.leaseMs;
    if (until > s.leaseUntil) {
      s.leaseUntil = until;
      s.leaseFrom = from;
    }
  }

  private onPreVoteReply(message: Extract<PeerMessage, { type: 'preVoteReply' }>): void {
    const s = this.state;
    if (!s.preVote || s.preVote.epoch !== message.epoch) return;
    if (!message.granted) {
      if (message.retryInMs > 0) s.electionDueAt = Math.min(s.electionDueAt, s.nowMs + message.retryInMs + 1);
      return;
    }
    if (s.role === 'master' || s.persisted.epoch + 1 !== message.epoch) return;
    // a master may have been heard since the pre-vote went out
    if (s.nowMs < s.promisedUntil) return;
    this.becomeCandidate(false);
  }

  private onRequestVote(from: Rank, message: Extract<PeerMessage, { type: 'requestVote' }>): void {
    const s = this.state;
    if (this.withholdsVote(from, message.transfer)) return this.refuseVote(from);
    const voted = s.persisted.votedFor;
    const candidate = this.config.memberKeys[from];
    if (voted && voted.epoch === message.epoch && voted.member !== candidate) return this.refuseVote(from);
    if (!voted || voted.epoch !== message.epoch) {
      s.persisted.votedFor = { epoch: message.epoch, member: candidate };
      this.persistHardState();
    }
    s.electionDueAt = s.nowMs + electionTimeoutMs(this.timings, this.config.self);
    const mine = moreUpToDate(this.lastEpoch(), this.lastIndex(), message.lastLogEpoch, message.lastLogIndex);
    // what the candidate lacks starts after its commit index; when that part of our log is
    // compacted, our applied state goes first (committed, so the candidate may install it) and
    // the suffix continues after it
    let suffixFrom = message.commitIndex + 1;
    if (mine && suffixFrom <= s.log.snapshotIndex) {
      // without a snapshot (not written yet) the suffix starts past the candidate's commit index
      // and the candidate does not use the vote (suffixCompletes)
      const sent = this.sendSnapshot(from, false);
      suffixFrom = (sent ?? s.log.snapshotIndex) + 1;
    }
    const suffix = mine ? s.log.range(suffixFrom) : [];
    this.send(from, { type: 'vote', epoch: message.epoch, granted: true, lastLogEpoch: this.lastEpoch(), lastLogIndex: this.lastIndex(), suffix });
  }

  private onVote(from: Rank, message: Extract<PeerMessage, { type: 'vote' }>): void {
    const s = this.state;
    if (!message.granted) return;
    if (moreUpToDate(message.lastLogEpoch, message.lastLogIndex, this.lastEpoch(), this.lastIndex())) {
      if (!this.suffixCompletes(message)) {
        s.pendingVote = { from, vote: message };
        return;
      }
      this.replaceLog(message.suffix[0].index, message.suffix);
    }
    this.becomeMaster();
  }

  /**
   * A more up-to-date voter's suffix makes our log its log: it starts at or before our commit
   * index + 1 (what we hold before it is committed, so it is the voter's too; when the voter's log
   * was compacted there, its snapshot moves our commit index first), has no gaps, and ends with
   * the voter's last entry. Otherwise the vote waits for the voter's snapshot (pendingVote); if
   * that never completes, a later election tries again.
   */
  private suffixCompletes(vote: Extract<PeerMessage, { type: 'vote' }>): boolean {
    const { suffix } = vote;
    const first = suffix[0];
    const last = suffix.at(-1);
    if (!first || !last || first.index > this.state.persisted.commitIndex + 1) return false;
    return suffix.every((entry, i) => entry.index === first.index + i) && last.index === vote.lastLogIndex && last.epoch === vote.lastLogEpoch;
  }

  private onAppend(from: Rank, message: Extract<PeerMessage, { type: 'append' }>): void {
    const s = this.state;
    const ack = (lastIndex: number, ok: boolean) =>
      this.send(from, { type: 'appendAck', epoch: s.persisted.epoch, lastIndex, ok, learner: s.persisted.learner });
    this.followMaster(from);
    s.peers[from].epochSeen = Math.max(s.peers[from].epochSeen ?? 0, message.epoch);
    // entries before our snapshot are committed: the master's are the same
    const prevMatches = message.prevIndex < s.log.snapshotIndex || s.log.epochAt(message.prevIndex) === message.prevEpoch;
    if (!prevMatches) return ack(Math.min(this.lastIndex(), message.prevIndex - 1), false);
    // entries that left memory are committed, so they match; only the ones in memory can conflict
    const conflict = message.ops.find((entry) => entry.index >= s.log.firstInMemory && this.entryAt(entry.index)?.epoch !== entry.epoch);
    if (conflict) this.replaceLog(conflict.index, message.ops.filter((entry) => entry.index >= conflict.index));
    const matched = message.prevIndex + message.ops.length;
    s.verifiedIndex = Math.max(s.verifiedIndex, matched);
    this.advanceCommit(Math.min(message.commitIndex, s.verifiedIndex));
    if (s.persisted.learner) this.tryAdmission(from, message.epoch, message.commitIndex);
    ack(matched, true);
  }

  /** A frame of a snapshot `from` sends us; the whole snapshot once its last frame is in. */
  private gatherSnapshot(from: Rank, message: Extract<PeerMessage, { type: 'installSnapshot' }>): ReceivedSnapshot | null {
    const peer = this.state.peers[from];
    const { partial, complete } = addSnapshotFrame(peer.snapshotFrames, message);
    peer.snapshotFrames = partial;
    return complete;
  }

  /**
   * A voter's snapshot, sent right before its vote, for our candidacy in its epoch (checked by
   * the epoch rule); the vote that follows continues from it. Installing committed state is safe
   * from any member of our triad: committed entries are the same everywhere.
   */
  private onVoterSnapshot(from: Rank, message: Extract<PeerMessage, { type: 'installSnapshot' }>): void {
    const s = this.state;
    const ourTriad = message.triadId !== null && message.triadId === s.persisted.triadId;
    const snapshot = ourTriad ? this.gatherSnapshot(from, message) : null;
    if (!snapshot) return;
    this.installSnapshot(from, snapshot);
    const pending = s.pendingVote;
    s.pendingVote = null;
    if (pending?.from === from) this.onVote(from, pending.vote);
  }

  /** A master's snapshot instead of an append: checked like one, and acknowledged like one once whole. */
  private onMasterSnapshot(from: Rank, message: Extract<PeerMessage, { type: 'installSnapshot' }>): void {
    const s = this.state;
    const peer = s.peers[from];
    this.followMaster(from);
    peer.epochSeen = Math.max(peer.epochSeen ?? 0, message.epoch);
    const snapshot = this.gatherSnapshot(from, message);
    if (!snapshot) return;
    this.installSnapshot(from, snapshot);
    // our log now matches the master's up to the snapshot (or further: we held it already),
    // which was its commit index when it sent it
    s.verifiedIndex = Math.max(s.verifiedIndex, snapshot.index);
    if (s.persisted.learner) this.tryAdmission(from, message.epoch, snapshot.index);
    this.send(from, { type: 'appendAck', epoch: s.persisted.epoch, lastIndex: snapshot.index, ok: true, learner: s.persisted.learner });
  }

  /**
   * Replaces our applied state and log up to the snapshot's index with the snapshot, unless we
   * hold that much already. The entries after it stay only when our log holds the snapshot's
   * entry (then they continue it); they are uncommitted here, and the sender's log decides them.
   */
  private installSnapshot(from: Rank, snapshot: ReceivedSnapshot): void {
    const s = this.state;
    if (s.role === 'master' || snapshot.index <= s.persisted.commitIndex) return;
    const point = { index: snapshot.index, epoch: snapshot.entryEpoch };
    const keepLogAfter = s.log.epochAt(point.index) === point.epoch;
    s.log.installSnapshot(point, keepLogAfter);
    s.persisted.commitIndex = point.index;
    s.appliedIndex = point.index;
    s.appliedSwitches = snapshot.lastSwitch ? [snapshot.lastSwitch] : [];
    this.writeSnapshot({ type: 'snapshot', ...point, lastSwitch: snapshot.lastSwitch, leases: snapshot.leases, keepLogAfter });
    this.persistHardState();
    const line = logLines.installedSnapshot(this.config.hosts[from], point.index, snapshot.leases.length);
    this.line({ daemon: this.config.daemons.lmgrd, message: line });
    // a switch this member's file missed: installed as its commit would have
    if (snapshot.lastSwitch?.op.kind === 'licenseSwitch') this.switchLicense(snapshot.lastSwitch.op);
  }

  /**
   * A learner votes and counts again once (1) its log holds everything the current master has
   * committed, and (2) it has heard both other members since it started and neither knows an
   * epoch beyond the master's: every epoch it may have voted in before it lost its state was
   * raised by a candidate that persisted it (P or S), so it never votes in one of those again.
   * (3) It then votes for nobody for a whole E, as if it had just promised this master: a
   * promise it gave before it lost its state (one a live master's lease may still rest on) ended
   * before that, since it was given before this process started.
   */
  private tryAdmission(master: Rank, epoch: number, masterCommitIndex: number): void {
    const s = this.state;
    if (s.verifiedIndex < masterCommitIndex) return;
    const epochs = this.otherRanks().map((rank) => s.peers[rank].epochSeen);
    if (epochs.some((seen) => seen === null || seen > epoch)) return;
    s.persisted.learner = false;
    this.promise(s.nowMs + this.timings.electionMs);
    // as if it had voted for this master in its epoch: no second vote there
    s.persisted.votedFor = { epoch, member: this.config.memberKeys[master] };
    this.persistHardState();
    this.line({ daemon: this.config.daemons.lmgrd, message: logLines.learnerCaughtUp(this.config.hosts[master]) });
  }

  private onAppendAck(from: Rank, message: Extract<PeerMessage, { type: 'appendAck' }>): void {
    const s = this.state;
    const peer = s.peers[from];
    if (peer.standing) peer.standing.learner = message.learner;
    if (message.ok) {
      peer.confirmed = true;
      peer.matchIndex = Math.max(peer.matchIndex, message.lastIndex);
      peer.nextIndex = Math.max(peer.nextIndex, peer.matchIndex + 1);
      if (peer.snapshotSent && message.lastIndex >= peer.snapshotSent.index) peer.snapshotSent = null;
      this.commitReplicated();
      if (peer.nextIndex <= this.lastIndex()) this.sendAppend(from);
    } else {
      // stop pipelining until an append is accepted again; probe again at once only when the
      // refusal moved us back (a duplicated refusal does not, nor does a member that refuses for
      // another reason, which the tick retries every s/4 instead of a flood of appends)
      peer.confirmed = false;
      const before = peer.nextIndex;
      peer.nextIndex = Math.max(peer.matchIndex + 1, Math.min(peer.nextIndex, message.lastIndex + 1));
      if (peer.nextIndex < before) this.sendAppend(from);
    }
  }

  private onTransferTo(from: Rank, message: Extract<PeerMessage, { type: 'transferTo' }>): void {
    if (message.rank === this.config.self && isEligible(this.config.self) && this.state.masterRank === from) this.becomeCandidate(true);
  }

  // ---- roles ----------------------------------------------------------------------------------

  /** A follower hears `from` as master of our epoch (the epoch rule adopted a later one). */
  private followMaster(from: Rank): void {
    const s = this.state;
    if (s.masterRank !== from) {
      s.masterRank = from;
      s.verifiedIndex = 0;
    }
    s.preVote = null;
    s.lastMasterHeardAt = s.nowMs;
    s.electionDueAt = s.nowMs + electionTimeoutMs(this.timings, this.config.self);
  }

  /** Kept in memory only: a restart keeps every promise by voting for nobody for a whole E. */
  private promise(until: number): void {
    const s = this.state;
    s.promisedUntil = Math.max(s.promisedUntil, until);
  }

  /** Until when this member vouches for a live master (itself included). */
  private liveMasterUntil(): number {
    const s = this.state;
    if (s.role !== 'master') return s.promisedUntil;
    return Math.max(s.promisedUntil, s.leaseUntil, s.masterSince + this.timings.electionMs);
  }

  /** Stickiness: no vote while a master is alive, except for a hand-over the master started. */
  protected mayVoteFor(candidate: Rank, transfer: boolean): boolean {
    return isEligible(candidate) && (transfer || this.state.nowMs >= this.liveMasterUntil());
  }

  /** A learner votes for nobody; otherwise stickiness decides. */
  private withholdsVote(candidate: Rank, transfer: boolean): boolean {
    return this.state.persisted.learner || !this.mayVoteFor(candidate, transfer);
  }

  private startPreVote(): void {
    const s = this.state;
    s.preVote = { epoch: s.persisted.epoch + 1 };
    s.electionDueAt = s.nowMs + electionTimeoutMs(this.timings, this.config.self);
    for (const rank of this.upPeers()) {
      this.send(rank, { type: 'preVote', epoch: s.preVote.epoch, lastLogEpoch: this.lastEpoch(), lastLogIndex: this.lastIndex() });
    }
  }

  private becomeCandidate(transfer: boolean): void {
    const s = this.state;
    s.persisted.epoch += 1;
    s.persisted.votedFor = { epoch: s.persisted.epoch, member: this.config.memberKeys[this.config.self] };
    this.persistHardState();
    s.role = 'candidate';
    s.masterRank = null;
    s.preVote = null;
    s.pendingVote = null;
    s.verifiedIndex = 0;
    s.candidateCommitIndex = s.persisted.commitIndex;
    s.electionDueAt = s.nowMs + electionTimeoutMs(this.timings, this.config.self);
    for (const rank of this.upPeers()) {
      this.send(rank, {
        type: 'requestVote',
        epoch: s.persisted.epoch,
        lastLogEpoch: this.lastEpoch(),
        lastLogIndex: this.lastIndex(),
        commitIndex: s.persisted.commitIndex,
        transfer,
      });
    }
  }

  private becomeMaster(): void {
    const s = this.state;
    const noop: LogEntry = { epoch: s.persisted.epoch, index: this.lastIndex() + 1, op: { kind: 'noop' } };
    s.role = 'master';
    s.masterRank = this.config.self;
    s.masterSince = s.nowMs;
    s.leaseUntil = 0;
    s.leaseFrom = null;
    s.noopIndex = noop.index;
    // the first master of a triad names it; members that join later learn the name from it
    if (s.persisted.triadId === null) s.persisted.triadId = this.config.newTriadId;
    for (const rank of this.otherRanks()) {
      s.peers[rank].matchIndex = 0;
      s.peers[rank].nextIndex = noop.index;
      s.peers[rank].lastAppendSentAt = null;
      s.peers[rank].confirmed = false;
    }
    this.appendToLog([noop]);
    s.nextHeartbeatAt = s.nowMs;
    this.tick();
  }

  /** Leaves master or candidate for follower in the same epoch; unanswered clients must retry. */
  private stepDown(): void {
    const s = this.state;
    for (const pending of s.pendingRequests) {
      this.ready.answers.push({ requestId: pending.requestId, failure: 'Mastership changed before the change was replicated; retry.' });
    }
    s.pendingRequests = [];
    s.role = 'follower';
    if (s.masterRank === this.config.self) s.masterRank = null;
    s.leaseUntil = 0;
    s.leaseFrom = null;
    s.noopIndex = 0;
    s.preVote = null;
    s.pendingVote = null;
  }

  private adoptEpoch(epoch: number): void {
    const s = this.state;
    if (epoch <= s.persisted.epoch) return;
    s.persisted.epoch = epoch;
    this.persistHardState();
    if (s.role !== 'follower') this.stepDown();
    s.masterRank = null;
    s.verifiedIndex = 0;
  }

  private tryTransfer(target: Rank): void {
    const s = this.state;
    if (!this.canServe(s.nowMs) || !this.peerUp(target)) return;
    const caughtUp = s.peers[target].matchIndex >= this.lastIndex() && s.persisted.commitIndex === this.lastIndex();
    if (!caughtUp) return;
    this.narration.ifMaster(this.config.daemons.lmgrd, logLines.handingOver(this.config.hosts[target]));
    this.send(target, { type: 'transferTo', rank: target, epoch: s.persisted.epoch });
    // give the lease up before anyone may ignore its promise to us
    this.stepDown();
    s.electionDueAt = s.nowMs + electionTimeoutMs(this.timings, this.config.self);
  }

  // ---- log ------------------------------------------------------------------------------------

  private lastIndex(): number {
    return this.state.log.lastIndex;
  }

  private lastEpoch(): number {
    return this.state.log.lastEpoch;
  }

  private entryAt(index: number): LogEntry | undefined {
    return this.state.log.entryAt(index);
  }

  private appendToLog(entries: LogEntry[]): void {
    this.state.log.append(entries);
    this.persistLog(null, entries);
  }

  /** Replaces everything from `from` on with `entries` (which start at `from`). */
  private replaceLog(from: number, entries: LogEntry[]): void {
    const log = this.state.log;
    // entries that left memory are committed: the same in every log, nothing to replace there
    const start = Math.max(from, log.firstInMemory);
    const kept = entries.filter((entry) => entry.index >= start);
    log.truncateFrom(start);
    log.append(kept);
    this.persistLog(start, kept);
  }

  /**
   * Lets committed, applied entries beyond the newest `logMemoryEntries` leave memory. The driver
   * calls this only when the writes of every Ready so far are durable (they are read back from disk).
   */
  releaseMemory(): void {
    const s = this.state;
    const keep = this.config.logMemoryEntries ?? DEFAULT_LOG_MEMORY_ENTRIES;
    s.log.forget(Math.min(s.appliedIndex, s.persisted.commitIndex) - keep);
  }

  private get snapshotSettings(): SnapshotSettings {
    return this.config.snapshots ?? DEFAULT_SNAPSHOT_SETTINGS;
  }

  /**
   * Compacts the log once it holds more than `compactAfterEntries` beyond its snapshot: every
   * entry up to `keepEntries` behind the applied index leaves the log for good (the driver's lease
   * table holds their effect). Returns what the driver must write in one transaction: delete
   * the log up to `index`, record the point and the last license switch up to it. The driver
   * calls this only when every Ready so far is durable and performed (so the switch's file is
   * installed); without `appliedState` (nothing to send a peer behind the snapshot) never.
   */
  compactLog(): LogCompaction | null {
    const s = this.state;
    const log = s.log;
    const { compactAfterEntries, keepEntries } = this.snapshotSettings;
    if (!s.running || !this.config.appliedState || log.lastIndex - log.snapshotIndex <= compactAfterEntries) return null;
    const upTo = Math.min(Math.min(s.appliedIndex, s.persisted.commitIndex) - keepEntries, log.snapshotIndex + COMPACTION_STEP_MAX);
    if (upTo <= log.snapshotIndex) return null;
    const point = { index: upTo, epoch: log.epochAt(upTo)! };
    const lastSwitch = this.lastSwitchUpTo(upTo);
    s.appliedSwitches = [...(lastSwitch ? [lastSwitch] : []), ...s.appliedSwitches.filter((entry) => entry.index > upTo)];
    log.compact(point);
    return { ...point, lastSwitch };
  }

  private lastSwitchUpTo(index: number): LogEntry | null {
    return this.state.appliedSwitches.filter((entry) => entry.index <= index).at(-1) ?? null;
  }

  /**
   * Master: a peer needs entries our log no longer holds. It gets our applied state instead, at
   * most once per E on one connection unless it answers (a large table is not sent again while
   * the first copy is still on its way).
   */
  private sendSnapshotToFollower(rank: Rank): void {
    const s = this.state;
    const peer = s.peers[rank];
    if (peer.snapshotSent && s.nowMs - peer.snapshotSent.at < this.timings.electionMs) return;
    peer.lastAppendSentAt = s.nowMs;
    const index = this.sendSnapshot(rank, true);
    if (index !== null) peer.snapshotSent = { at: s.nowMs, index };
  }

  /**
   * Sends our applied state (read from the driver: the lease table and the commit index it is as
   * of) in InstallSnapshot frames; returns its index. Null when the driver's state is not yet
   * written up to our snapshot (one we installed in this very turn): nothing is sent.
   */
  private sendSnapshot(rank: Rank, master: boolean): number | null {
    const s = this.state;
    const readApplied = this.config.appliedState;
    if (!readApplied) throw new Error('A compacted log needs the applied state to send a peer behind it (QuorumConfig.appliedState).');
    const { index, leases } = readApplied();
    const entryEpoch = s.log.epochAt(index);
    if (index < s.log.snapshotIndex || entryEpoch === undefined) return null;
    const lastSwitch = this.lastSwitchUpTo(index);
    const chunks = snapshotChunks(leases, lastSwitch, this.snapshotSettings.chunkBytes);
    chunks.forEach((chunk, i) => {
      this.send(rank, {
        type: 'installSnapshot',
        epoch: s.persisted.epoch,
        triadId: s.persisted.triadId,
        master,
        index,
        entryEpoch,
        lastSwitch: i === 0 ? lastSwitch : null,
        chunk: i,
        last: i === chunks.length - 1,
        leases: chunk,
      });
    });
    return index;
  }

  private sendAppend(rank: Rank): void {
    const s = this.state;
    const peer = s.peers[rank];
    if (peer.nextIndex <= s.log.snapshotIndex) {
      this.sendSnapshotToFollower(rank);
      return;
    }
    const prevIndex = peer.nextIndex - 1;
    const ops = s.log.range(prevIndex + 1, APPEND_BATCH);
    peer.lastAppendSentAt = s.nowMs;
    this.send(rank, {
      type: 'append',
      epoch: s.persisted.epoch,
      triadId: s.persisted.triadId,
      prevIndex,
      prevEpoch: s.log.epochAt(prevIndex) ?? 0,
      ops,
      commitIndex: s.persisted.commitIndex,
    });
    if (peer.confirmed) peer.nextIndex = prevIndex + 1 + ops.length;
  }

  /** Master: an entry of this epoch on one peer (2 of 3 with us) is committed, with all before it. */
  private commitReplicated(): void {
    const s = this.state;
    const inQuorum = this.otherRanks().filter((rank) => s.peers[rank].problem === null && !s.peers[rank].standing?.learner);
    const replicated = Math.max(0, ...inQuorum.map((rank) => s.peers[rank].matchIndex));
    const target = Math.min(replicated, this.lastIndex());
    if (target > s.persisted.commitIndex && this.entryAt(target)?.epoch === s.persisted.epoch) this.advanceCommit(target);
  }

  private advanceCommit(index: number): void {
    const s = this.state;
    if (index <= s.persisted.commitIndex) return;
    s.persisted.commitIndex = Math.min(index, this.lastIndex());
    this.persistHardState();
    this.applyCommitted();
  }

  private applyCommitted(): void {
    const s = this.state;
    while (s.appliedIndex < s.persisted.commitIndex) {
      s.appliedIndex += 1;
      const entry = this.entryAt(s.appliedIndex)!;
      const pending = s.pendingRequests.find((request) => request.index === entry.index);
      if (pending) s.pendingRequests = s.pendingRequests.filter((request) => request !== pending);
      if (entry.op.kind === 'noop') continue;
      if (entry.op.kind === 'licenseSwitch') {
        s.appliedSwitches.push(entry);
        this.switchLicense(entry.op);
      }
      this.ready.committed.push({ index: entry.index, op: entry.op, requestId: pending?.requestId ?? null });
      if (pending) this.ready.answers.push({ requestId: pending.requestId, failure: null });
    }
  }

  /** Only from the file the switch replaces: a replayed or outdated switch changes nothing. */
  private switchLicense(op: LicenseSwitchOp): void {
    const s = this.state;
    if (!sameIdentity(op.previous, s.identity)) return;
    s.previousIdentity = s.identity;
    s.identity = op.identity;
    this.ready.licenseInstalls.push({ payload: op.payload, identity: op.identity });
    this.narration.ifMaster(this.config.daemons.lmgrd, logLines.licenseSwitched);
  }

  private persistHardState(): void {
    this.persistLog(null, []);
  }

  /** Log changes are written in order, and the hard state as of the last one (Ready step 1). */
  private persistLog(truncateFrom: number | null, append: LogEntry[]): void {
    const { epoch, votedFor, triadId, learner, commitIndex } = this.state.persisted;
    if (truncateFrom !== null || append.length > 0) this.ready.logWrites.push({ type: 'entries', truncateFrom, entries: structuredClone(append) });
    this.ready.hardState = { epoch, votedFor, triadId, learner, commitIndex };
  }

  /** The lease table is replaced: ops this step committed before it are in the snapshot already. */
  private writeSnapshot(snapshot: SnapshotWrite): void {
    this.ready.logWrites.push(snapshot);
    this.ready.committed = [];
  }

  // ---- peers, identity, log lines ---------------------------------------------------------------

  otherRanks(): Rank[] {
    return RANKS.filter((rank) => rank !== this.config.self);
  }

  /** Connected, same license, and heard within D: counts towards a quorum. */
  peerUp(rank: Rank): boolean {
    const peer = this.state.peers[rank];
    const heard = peer.lastHeardAt !== null && this.state.nowMs - peer.lastHeardAt < this.timings.peerLostMs;
    return peer.connected && peer.greeted && peer.problem === null && heard;
  }

  private upPeers(): Rank[] {
    return this.otherRanks().filter((rank) => this.peerUp(rank));
  }

  /** What a peer says of itself: its triad (we may join it), its epoch, whether it may be in a quorum with us. */
  private hearStanding(from: Rank, message: MemberStanding & { epoch: number }): void {
    const peer = this.state.peers[from];
    const { triadId, learner, committed, licenseHash, serverOrder, switchedFrom } = message;
    peer.standing = { triadId, learner, committed, licenseHash, serverOrder, switchedFrom };
    peer.epochSeen = Math.max(peer.epochSeen ?? 0, message.epoch);
    this.joinTriad();
    for (const rank of this.otherRanks()) if (this.state.peers[rank].standing) this.checkIdentity(rank);
  }

  /**
   * Which triad this member belongs to. An empty member (a new machine, a wiped disk) joins the
   * triad its peers name as a learner; a member with state but no triad id took part in forming
   * it (or predates triad ids) and keeps its vote. A member whose id nothing was ever committed
   * under takes the id of a voter whose triad has committed (README I3). A member whose two voting
   * peers agree on another triad is the odd one out: it forgets its log and rejoins theirs as a
   * learner (a learner's id proves nothing: it may have learned it from the one peer it heard).
   */
  private joinTriad(): void {
    const s = this.state;
    const standings = this.otherRanks().flatMap((rank) => (s.peers[rank].standing?.triadId ? [s.peers[rank].standing!] : []));
    if (standings.length === 0) return;
    if (s.persisted.triadId === null) {
      if (standings.every((standing) => standing.triadId === standings[0].triadId)) this.joinTriadOf(standings[0].triadId!);
      return;
    }
    const voters = standings.filter((standing) => !standing.learner && standing.triadId !== s.persisted.triadId);
    const settled = voters.find((standing) => standing.committed);
    if (settled && !s.persisted.learner && !this.hasCommitted()) this.adoptSettledTriad(settled.triadId!);
    else if (voters.length === 2 && voters[0].triadId === voters[1].triadId) this.rejoinAsLearner(voters[0].triadId!);
  }

  /** Something was committed under this member's triad id (so a quorum holds it): README I3. */
  private hasCommitted(): boolean {
    return this.state.persisted.commitIndex > 0 || this.state.log.snapshotIndex > 0;
  }

  /**
   * README I3: this member's id was made by a first master whose no-op never committed, and the
   * other two formed the triad again; it takes their id and keeps its epoch, vote and log (whose
   * entries are uncommitted, so the master's appends replace them).
   */
  private adoptSettledTriad(triadId: string): void {
    const s = this.state;
    if (s.role !== 'follower') this.stepDown();
    const previous = s.persisted.triadId;
    s.persisted.triadId = triadId;
    this.persistHardState();
    this.line({ daemon: this.config.daemons.lmgrd, message: logLines.adoptingSettledTriad(previous ?? '', triadId) });
  }

  private joinTriadOf(triadId: string): void {
    const s = this.state;
    const empty = s.persisted.epoch === 0 && this.lastIndex() === 0 && s.persisted.votedFor === null;
    s.persisted.triadId = triadId;
    if (empty && !s.persisted.learner) {
      s.persisted.learner = true;
      this.line({
        daemon: this.config.daemons.lmgrd,
        message: logLines.joiningAsLearner('it has no quorum state yet (a new or emptied data folder)'),
      });
    }
    this.persistHardState();
  }

  /** Its log belongs to another triad: start over from the master's, from index 1. */
  private rejoinAsLearner(triadId: string): void {
    const s = this.state;
    if (s.role !== 'follower') this.stepDown();
    s.masterRank = null;
    s.persisted.triadId = triadId;
    s.persisted.learner = true;
    s.persisted.commitIndex = 0;
    s.log = new LogWindow([], 0, this.config.logReader ?? null);
    s.appliedIndex = 0;
    s.appliedSwitches = [];
    s.verifiedIndex = 0;
    // an empty snapshot: no seats, no log
    this.writeSnapshot({ type: 'snapshot', index: 0, epoch: 0, lastSwitch: null, leases: [], keepLogAfter: false });
    this.persistHardState();
    this.line({
      daemon: this.config.daemons.lmgrd,
      message: logLines.joiningAsLearner('its quorum state belongs to another triad than the other two members'),
    });
  }

  /** Both sides must see why they cannot form a quorum, so mismatches are logged on standbys too. */
  private checkIdentity(from: Rank): void {
    const s = this.state;
    const peer = s.peers[from];
    const standing = peer.standing!;
    const selfHost = this.config.hosts[this.config.self];
    const peerHost = this.config.hosts[from];
    const otherTriad = standing.triadId !== null && s.persisted.triadId !== null && standing.triadId !== s.persisted.triadId;
    const orderDiffers = !sameOrder(standing.serverOrder, s.identity.serverOrder);
    const problem = otherTriad
      ? logLines.otherTriad(selfHost, peerHost)
      : this.acceptableIdentity(standing)
        ? null
        : logLines.licenseMismatch(selfHost, peerHost, orderDiffers ? 'SERVER-line order' : 'license file');
    if (problem === peer.problem) return;
    peer.problem = problem;
    if (problem === null) return;
    if (orderDiffers) this.line({ daemon: this.config.daemons.lmgrd, message: logLines.serverOrderMismatch });
    this.line({ daemon: this.config.daemons.lmgrd, message: problem });
  }

  /**
   * Ours, the one we just left, one a replicated switch in our log is about to install, or one
   * the peer installed by a switch from ours (the switch is in its log: we catch up from it).
   */
  private acceptableIdentity(standing: MemberStanding): boolean {
    const s = this.state;
    const identity = { licenseHash: standing.licenseHash, serverOrder: standing.serverOrder };
    if (standing.switchedFrom === s.identity.licenseHash && sameOrder(standing.serverOrder, s.identity.serverOrder)) return true;
    const pending = s.log.range(s.appliedIndex + 1).flatMap((entry) => (entry.op.kind === 'licenseSwitch' ? [entry.op.identity] : []));
    return [s.identity, s.previousIdentity, ...pending].some((known) => known !== null && sameIdentity(known, identity));
  }

  /** May stand for master: the primary or secondary, not while catching up as a learner. */
  private mayCampaign(): boolean {
    return isEligible(this.config.self) && !this.state.persisted.learner;
  }

  /** Up peers whose votes and acknowledgements count (learners' do not). */
  private votingPeers(): Rank[] {
    return this.upPeers().filter((rank) => !this.state.peers[rank].standing?.learner);
  }

  /** End of every step: peer joins and losses, role and serving changes, with their log lines. */
  private settle(): void {
    const s = this.state;
    if (s.role !== 'master' && s.lastMasterHeardAt !== null && s.nowMs - s.lastMasterHeardAt >= this.timings.peerLostMs) {
      s.masterRank = null;
    }
    for (const rank of this.otherRanks()) {
      const peer = s.peers[rank];
      const up = this.peerUp(rank);
      if (up === peer.up) continue;
      peer.up = up;
      this.narration.peerLink(rank, up, s.reported.serving);
    }
    if (s.role !== s.reported.role || s.masterRank !== s.reported.masterRank) {
      s.reported.role = s.role;
      s.reported.masterRank = s.masterRank;
      this.ready.role = { role: s.role, masterRank: s.masterRank };
    }
    const serving = this.canServe(s.nowMs);
    if (serving === s.reported.serving) return;
    s.reported.serving = serving;
    this.narration.serving(serving);
    this.ready.serving = serving;
  }

  private send(to: Rank, message: PeerMessage): void {
    this.ready.messages.push({ to, message });
  }

  private line(line: DebugLine): void {
    this.ready.debugLines.push(line);
  }
}
