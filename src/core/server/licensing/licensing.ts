import { randomUUID } from 'node:crypto';
import { timeoutFor, type Options } from '../../options';
import { policyFeatureOf, PoolSet, type Lease, type PoolLine } from '../../pool';
import { notMasterDenial, type Denial } from '../../protocol';
import type { AdminCommand, LicenseRequest, CheckoutMessage, ServerMessage } from '../../protocol';
import type { FileProblem, ServerStatus, MemberStatus } from '../../../shared/status';
import type { Session, RequestHandler } from './listener';
import type { LeaseLog, LeaseOp, MasterGate } from '../seams';
import type { AuditEntry } from '../../store';
import type { ReportRow } from '../appliedLeaseOps';
import type { LogName } from '../../../shared/logRetention';
import { sameSecret } from '../../store/secrets';
import type { AdminLockout } from './adminLockout';
import { instantOf, type Clock, type Instant } from '../runtime';
import { SeatHolders } from './seatHolders';
import { explainServing } from './servingView';
import { expiryText, statusSnapshot } from './statusSnapshot';
import { ResumeTokens } from './resumeTokens';
import { AdminAuth, adminDetail } from './adminAuth';

/**
 * The licensing logic of one server: pools, leases, options, admin commands. It does not know
 * who is master: the MasterGate says whether to serve or redirect, and every change to the held
 * seats passes through the LeaseLog before the client hears about it.
 */

export type { ReportRow };
export type AuditRow = Omit<AuditEntry, 'id'>;

/** What the service writes and calls outside itself; the backend wires these to the store. */
export interface LicensingDeps {
  /** Wall clock for reports, status and dates; monotonic clock for heartbeat timeouts and lingers. */
  clock: Clock;
  log: LeaseLog;
  gate: MasterGate;
  /** `(daemon) message` lines for the debug log. */
  debug: (daemon: string, message: string) => void;
  /** A row for an event no lease op records (a denial); the rows of grants and releases the LeaseLog writes with the op. */
  report: (row: ReportRow) => void;
  /** Each seat this server granted or freed (for its metrics; the report row is the LeaseLog's). */
  served?: (event: Pick<ReportRow, 'event' | 'feature' | 'reason'>) => void;
  audit: (row: AuditRow) => void;
  adminToken: string;
  /** Failed admin authentications per address; a locked-out address is refused untried. */
  adminLockout: AdminLockout;
  /** lmdown accepted: the host stops the server once the reply is on its way. */
  requestShutdown: (reason: string) => void;
  /** lmreread: reads the files again; throws an Error whose message says what is wrong. */
  reread: () => ServingConfig;
  /** Told after every change that status listeners care about. */
  changed: () => void;
  /** The triad adds what only it knows (peer health, quorum, warnings) to every snapshot. */
  decorateStatus?: (status: ServerStatus) => ServerStatus;
  /** A triad tells the other two members to do the same (lmdown stops all three). */
  broadcastAdmin?: (type: 'lmdown' | 'lmreread') => void;
  /** Lease ids and resume tokens (random by default; the seeded simulation replays its own). */
  ids?: LeaseIdentifiers;
  /**
   * Asked before a new seat is granted (not for a resumed one), and again when its write failed:
   * a denial when the disk cannot take the grant's durable record; null to go on.
   */
  refuseNewGrant?: (feature: string) => Denial | null;
  /** lmswitch / lmswitchr: rotates the log into an archive file; resolves with what was written, rejects with why not. */
  rotateLog?: (log: LogName) => Promise<string>;
}

export interface LeaseIdentifiers {
  leaseId(): string;
  resumeToken(): string;
}

/** What the license and options files say, in the form the service serves. */
export interface ServingConfig {
  poolLines: PoolLine[];
  options: Map<string, Options | null>;
  vendors: string[];
  licenseFiles: string[];
  members: Omit<MemberStatus, 'heartbeatRttMs' | 'heartbeatAgeMs' | 'heartbeatLossPercent'>[];
  mode: ServerStatus['mode'];
  notes: string[];
  /** Problems of the options files, per vendor daemon: written to its debug log and shown in every status. */
  optionsProblems: ReadonlyMap<string, readonly FileProblem[]>;
}

export interface ServiceSettings {
  /** SERVER-line host and the port actually bound. */
  host: string;
  port: number;
  version: string;
  /** Clients heartbeat this often; a lease is reclaimed after three missed ones. */
  clientHeartbeatIntervalMs: number;
  /** Admin commands from other machines (DESIGN.md section 4: off until the admin turns it on). */
  allowRemoteAdmin: boolean;
}

export class LicensingService implements RequestHandler {
  private readonly pools: PoolSet;
  private config: ServingConfig;
  private readonly holders = new SeatHolders();
  /** When sweep() last ran (monotonic), to tell a paused process from silent clients. */
  private lastSweepMonoMs: number | null = null;
  /** Leases whose release (checkin, reclaim, remove) is being made durable: they keep their seat meanwhile. */
  private readonly releasing = new Set<string>();
  private readonly ids: LeaseIdentifiers;
  private readonly adminAuth: AdminAuth;

  constructor(
    config: ServingConfig,
    private readonly settings: ServiceSettings,
    private readonly deps: LicensingDeps,
  ) {
    this.config = config;
    this.adminAuth = new AdminAuth({ ...deps, allowRemoteAdmin: settings.allowRemoteAdmin });
    const tokens = new ResumeTokens();
    this.ids = deps.ids ?? { leaseId: randomUUID, resumeToken: () => tokens.next() };
    this.pools = new PoolSet(config.poolLines);
    this.pools.restore(deps.log.recover(), deps.clock.monoMs());
    // One source of truth for seats: the pools are rebuilt from the committed lease table only
    // when this member becomes the master in a new term. A new term's master has committed
    // everything it adopted before it serves, so the table is then exact; within a term the pools
    // already hold every grant, the pending ones included, so a lease that lapses and is renewed
    // must not rebuild them (the pending grants would be forgotten and their seats granted again).
    let servedTerm = deps.gate.role() === 'master' ? deps.gate.term() : null;
    let serving = servedTerm !== null;
    deps.gate.onChange(() => {
      const wasServing = serving;
      serving = deps.gate.role() === 'master';
      if (!serving) return;
      if (deps.gate.term() !== servedTerm) {
        servedTerm = deps.gate.term();
        // fresh inactivity timeouts, so no live client loses its seat in a failover (QUORUM.md)
        this.pools.restore(deps.log.recover(), deps.clock.monoMs());
      } else if (!wasServing) {
        // serving again in the same term (its lease lapsed and was renewed): clients heard
        // "not serving" meanwhile, so their silence is no reason to reclaim their seats
        this.pools.restartTimeouts(deps.clock.monoMs());
      }
    });
  }

  private instant(): Instant {
    return instantOf(this.deps.clock);
  }

  describe() {
    return { server: this.settings.host, port: this.settings.port, serverVersion: this.settings.version };
  }

  /** Pools left out of serving and repeated FEATURE lines, for the start-up log. */
  private get startupNotes(): string[] {
    return [...this.config.notes, ...this.pools.ignored.map((i) => `${i.line.source}: ${i.reason}`)];
  }

  /** The start-up lines of each vendor daemon: what it serves, what has expired, or that it has nothing. */
  announce(): void {
    const usage = this.pools.usage(this.instant());
    for (const note of this.startupNotes) this.deps.debug('lmgrd', note);
    for (const vendor of this.config.vendors) {
      for (const p of this.config.optionsProblems.get(vendor) ?? [])
        this.deps.debug(vendor, `${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}\n  hint: ${p.hint}`);
      const own = usage.filter((u) => u.pool.vendor === vendor);
      for (const u of own) if (u.notServed?.code === 'EXPIRED') this.deps.debug(vendor, `EXPIRED: ${u.pool.name}`);
      const served = [...new Set(own.filter((u) => u.notServed === null).map((u) => u.pool.name))];
      if (served.length === 0) this.deps.debug(vendor, 'No features to serve');
      else this.deps.debug(vendor, `Server started on ${this.settings.host} for: ${served.join(' ')}`);
    }
  }

  /** Whether the connection holds a seat now (it may then stay idle for the long idle timeout). */
  holdsSeat(session: Session): boolean {
    return this.holders.holdsAny(session);
  }

  get vendors(): string[] {
    return this.config.vendors;
  }

  /** Every lease this server's pools hold now, lingering ones included (what it answers for). */
  leases(): Lease[] {
    return this.pools.leases();
  }

  async handle(request: LicenseRequest, session: Session): Promise<ServerMessage> {
    switch (request.type) {
      case 'checkout':
        return this.checkout(request, session);
      case 'heartbeat': {
        const elsewhere = this.notServing(request.id);
        if (elsewhere) return elsewhere;
        const now = this.deps.clock.monoMs();
        // a seat another connection holds is as good as unknown to this one
        const unknown = request.leaseIds.filter((id) => !this.holders.owns(id, session) || !this.pools.heartbeat(id, now));
        return { type: 'heartbeatAck', id: request.id, unknown };
      }
      case 'checkin':
        return this.notServing(request.id) ?? this.checkin(request, session);
      case 'status':
        return { type: 'statusReply', id: request.id, status: this.status() };
      case 'lmdown':
      case 'lmreread':
      case 'lmremove':
      case 'lmswitch':
        return this.admin(request, session);
    }
  }

  /**
   * A member that is not the master must not answer for seats (it would call them unknown): it
   * sends the client to the master, or asks it to retry while no master is known.
   */
  private notServing(id: number): ServerMessage | null {
    if (this.deps.gate.role() === 'master') return null;
    const master = this.deps.gate.master();
    if (master) return { type: 'redirect', id, ...master };
    return { type: 'refused', id, reason: 'this server is not serving now (no master); keep the seat and retry' };
  }

  private vendorOf(feature: string): string | null {
    return this.pools.poolsNamed(feature)[0]?.vendor ?? null;
  }

  private optionsFor(vendor: string | null): Options | null {
    return vendor === null ? null : (this.config.options.get(vendor) ?? null);
  }

  private daemonFor(feature: string): string {
    return this.vendorOf(feature) ?? this.config.vendors[0] ?? 'lmgrd';
  }

  private async checkout(request: CheckoutMessage, session: Session): Promise<ServerMessage> {
    if (this.deps.gate.role() !== 'master') {
      const master = this.deps.gate.master();
      if (master) return { type: 'redirect', id: request.id, ...master };
      const refusal = notMasterDenial(null);
      return { type: 'denied', id: request.id, code: refusal.major, reason: refusal.reason };
    }
    const at = this.instant();
    const now = at.wallMs;
    const resumed = request.resumeToken ? this.findResumable(request) : undefined;
    if (resumed) {
      this.pools.heartbeat(resumed.leaseId, at.monoMs);
      this.holders.bind(resumed.leaseId, session);
      return this.granted(request.id, resumed, true);
    }
    const held = this.deps.refuseNewGrant?.(request.feature);
    if (held) return { type: 'denied', id: request.id, code: held.major, reason: held.reason };
    const daemon = this.daemonFor(request.feature);
    const who = `"${request.feature}" ${request.user}@${request.host}`;
    const decision = this.pools.checkout(
      {
        ...request,
        ip: session.remoteIp,
        clientId: session.id,
        leaseId: this.ids.leaseId(),
        resumeToken: this.ids.resumeToken(),
        server: this.settings.host,
      },
      at,
      this.optionsFor(this.vendorOf(request.feature)),
    );
    if ('denied' in decision) {
      this.deps.debug(daemon, `DENIED: ${who}  (${decision.denied.reason})`);
      this.deps.report({ ...this.reportBase(request, now), event: 'DENIED', leaseId: null, reason: decision.denied.reason });
      return { type: 'denied', id: request.id, code: decision.denied.major, reason: decision.denied.reason };
    }
    const lease = decision.granted;
    // the OUT row is the log's: written where the grant is applied, in the same transaction
    const failure = await this.commitGrant(decision.releases, lease, now);
    if (failure !== null) {
      this.pools.undoCheckout(lease, decision.released);
      // a full disk says so, in a denial that moves the client on to its next server
      const held = this.deps.refuseNewGrant?.(request.feature);
      if (held) return { type: 'denied', id: request.id, code: held.major, reason: held.reason };
      return { type: 'refused', id: request.id, reason: `the grant could not be made durable (${failure}); try again` };
    }
    this.deps.debug(daemon, `OUT: ${who}${lease.count > 1 ? `  (${lease.count} licenses)` : ''}`);
    this.deps.served?.({ event: 'OUT', feature: lease.feature, reason: null });
    this.holders.bind(lease.leaseId, session);
    this.deps.changed();
    return this.granted(request.id, lease, false);
  }

  /** Commits the seats a checkout released and then its grant; resolves with why it failed, or null. */
  private async commitGrant(releases: readonly string[], lease: Lease, now: number): Promise<string | null> {
    try {
      // queued together, in order: one transaction on a single server, one append batch in a triad
      await Promise.all([
        ...releases.map((released) => this.deps.log.commit({ kind: 'remove', leaseId: released, atMs: now, by: this.settings.host })),
        this.deps.log.commit({ kind: 'grant', lease }),
      ]);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** A resume token finds the client's own seat, if it is still held (not reclaimed or removed, nor being so). */
  private findResumable(request: CheckoutMessage): Lease | undefined {
    const lease = request.resumeToken ? this.pools.leaseByResumeToken(request.resumeToken) : undefined;
    // a seat whose release is being written is going: resuming it would grant a seat about to vanish
    return lease?.feature === request.feature && !this.releasing.has(lease.leaseId) ? lease : undefined;
  }

  private reportBase(request: Pick<Lease, 'feature' | 'version' | 'user' | 'host' | 'display' | 'count'>, now: number) {
    return {
      timeMs: now,
      feature: request.feature,
      version: request.version,
      user: request.user,
      host: request.host,
      display: request.display,
      count: request.count,
      server: this.settings.host,
    };
  }

  /** Where and how long a triad's client may resume its seat when this master fails. */
  private triadResumeHints() {
    const members = this.config.members.flatMap((m) => (m.port === null ? [] : [{ host: m.host, port: m.port }]));
    return { members, failoverMs: this.deps.gate.failoverMs() };
  }

  private granted(id: number, lease: Lease, resumed: boolean): ServerMessage {
    const pool = this.pools.pool(lease.poolKey);
    return {
      type: 'granted',
      id,
      leaseId: lease.leaseId,
      resumeToken: lease.resumeToken,
      feature: lease.feature,
      version: pool?.version ?? lease.version,
      count: lease.count,
      heartbeatIntervalMs: this.settings.clientHeartbeatIntervalMs,
      timeoutMs: this.timeoutMsFor(lease),
      expiry: pool ? expiryText(pool) : 'permanent',
      server: this.settings.host,
      port: this.settings.port,
      handle: lease.handle,
      resumed,
      ...(this.config.mode === 'triad' ? this.triadResumeHints() : {}),
    };
  }

  private async checkin(request: Extract<LicenseRequest, { type: 'checkin' }>, session: Session): Promise<ServerMessage> {
    const { id, leaseId } = request;
    const now = this.deps.clock.wallMs();
    const lease = this.pools.lease(leaseId);
    if (!lease || lease.lingerUntilMs !== null)
      return { type: 'refused', id, reason: `lease ${leaseId} is not checked out here (already checked in, reclaimed or removed)` };
    const tokenHolder = request.resumeToken !== undefined && sameSecret(request.resumeToken, lease.resumeToken);
    if (!tokenHolder && !this.holders.owns(leaseId, session)) {
      return {
        type: 'refused',
        id,
        reason: `lease ${leaseId} is not held by this connection; check it in on the connection that checked it out, or give its resume token`,
      };
    }
    this.holders.release(leaseId);
    // the IN row is written with the checkin op (appliedLeaseOps.ts)
    const released = await this.release({ kind: 'checkin', leaseId, atMs: now }, () => this.pools.checkin(leaseId, this.deps.clock.monoMs()));
    if (released) {
      this.deps.debug(lease.vendor, `IN: "${lease.feature}" ${lease.user}@${lease.host}`);
      this.deps.served?.({ event: 'IN', feature: lease.feature, reason: null });
    }
    this.deps.changed();
    // the client is done with the seat either way: one whose release was not durable frees at its timeout
    return { type: 'checkedIn', id, leaseId };
  }

  /**
   * Frees a seat (checkin, reclaim, remove) once its release is durable, never before: the pools
   * then never hold fewer seats than the log, so a release that fails (the master lost its
   * quorum) leaves the seat taken until its timeout instead of granting it to someone else
   * while the log still holds it. Resolves whether the seat was freed.
   */
  private async release(op: Omit<Extract<LeaseOp, { leaseId: string }>, 'by'>, free: () => void): Promise<boolean> {
    if (this.releasing.has(op.leaseId)) return false;
    this.releasing.add(op.leaseId);
    try {
      // stamped by this master's clock: every member's report row names it
      await this.deps.log.commit({ ...op, by: this.settings.host });
      free();
      return true;
    } catch (error) {
      this.deps.debug(
        'lmgrd',
        `could not record ${op.kind} of ${op.leaseId}: ${error instanceof Error ? error.message : String(error)}; the seat stays taken until its timeout`,
      );
      return false;
    } finally {
      this.releasing.delete(op.leaseId);
    }
  }

  private timeoutMsFor(lease: Lease): number {
    const seconds = this.timeoutSecondsFor(lease);
    return seconds !== null ? seconds * 1000 : 3 * this.settings.clientHeartbeatIntervalMs;
  }

  /**
   * TIMEOUT / TIMEOUTALL from the options file. Values below two client heartbeat intervals are
   * raised to that, or live clients would lose their seats between two heartbeats.
   */
  private timeoutSecondsFor(lease: Lease): number | null {
    const options = this.optionsFor(lease.vendor);
    const pool = options ? this.pools.pool(lease.poolKey) : undefined;
    if (!pool || !options) return null;
    return timeoutFor(options, policyFeatureOf(pool), Math.ceil((2 * this.settings.clientHeartbeatIntervalMs) / 1000));
  }

  /** How often the host's timer calls sweep(): half a heartbeat interval, between 0.1 and 5 s. */
  get sweepEveryMs(): number {
    return Math.max(100, Math.min(this.settings.clientHeartbeatIntervalMs / 2, 5_000));
  }

  /**
   * Called by the host's timer every sweepEveryMs: frees seats of silent clients and ended lingers.
   * A sweep much later than that means this process was not running (stopped, its machine
   * suspended, a long stall): the heartbeats sent meanwhile wait in its sockets and are read after
   * this turn, so every seat's timeout starts again instead of counting the pause as silence (a
   * seat then lasts longer, never shorter).
   */
  async sweep(): Promise<void> {
    const monoMs = this.deps.clock.monoMs();
    const lateMs = this.lastSweepMonoMs === null ? 0 : monoMs - this.lastSweepMonoMs - this.sweepEveryMs;
    this.lastSweepMonoMs = monoMs;
    if (lateMs > this.sweepEveryMs) this.pools.restartTimeouts(monoMs);
    if (this.deps.gate.role() !== 'master') return;
    const now = this.deps.clock.wallMs();
    const { timedOut, lingerEnded } = this.pools.idleLeases(monoMs, {
      heartbeatIntervalMs: this.settings.clientHeartbeatIntervalMs,
      timeoutSecondsFor: (lease) => this.timeoutSecondsFor(lease),
    });
    const reclaimed = await Promise.all(timedOut.map((lease) => this.takeBack(lease, 'reclaim', now)));
    // an ended linger frees a seat nobody holds: no one to tell
    const endLinger = (lease: Lease) => this.release({ kind: 'reclaim', leaseId: lease.leaseId, atMs: now }, () => this.pools.removeLease(lease.leaseId));
    const ended = await Promise.all(lingerEnded.map(endLinger));
    if ([...reclaimed, ...ended].includes(true)) this.deps.changed();
  }

  /**
   * Takes a held seat back from its client (a timeout, or lmremove) once the release is durable:
   * the holder is told, the debug log says so. Resolves whether the seat was taken back.
   */
  private async takeBack(lease: Lease, kind: keyof typeof TAKE_BACK, now: number): Promise<boolean> {
    if (!(await this.release({ kind, leaseId: lease.leaseId, atMs: now }, () => this.pools.removeLease(lease.leaseId)))) return false;
    const { revoked, tag, event, reason } = TAKE_BACK[kind];
    this.holders.holder(lease.leaseId)?.send({ type: 'revoked', leaseIds: [lease.leaseId], reason: revoked });
    this.holders.release(lease.leaseId);
    this.deps.debug(lease.vendor, `IN: "${lease.feature}" ${lease.user}@${lease.host}  (${tag})`);
    this.deps.served?.({ event, feature: lease.feature, reason });
    return true;
  }

  private async admin(command: AdminCommand, session: Session): Promise<ServerMessage> {
    return this.adminAuth.refusal(command, session) ?? this.performAdmin(command, session.agent ?? 'admin tool', session.remoteAddress);
  }

  /**
   * Carries out an authorised admin command: one that came with the token, or from the app on
   * this machine (`who`/`from` say which, for the audit table).
   */
  async performAdmin(command: AdminCommand, who: string, from: string): Promise<Extract<ServerMessage, { type: 'done' | 'refused' }>> {
    const now = this.deps.clock.wallMs();
    const detail = adminDetail(command);
    const held = command.type === 'lmdown' && !command.force ? this.seatsOut() : null;
    if (held) {
      this.deps.audit({ timeMs: now, who, fromAddress: from, action: 'lmdown refused', detail: `${held}, no --force` });
      return {
        type: 'refused',
        id: command.id,
        code: 'SEATS_OUT',
        reason: `${held}; their users lose them until the servers are back. Pass --force to shut down anyway.`,
      };
    }
    this.deps.audit({ timeMs: now, who, fromAddress: from, action: command.type, detail });
    switch (command.type) {
      case 'lmdown': {
        this.deps.debug('lmgrd', 'SERVER shutdown requested');
        // the reply goes out first; then the other two members hear it, and the host tells every
        // client and closes the port
        setImmediate(() => {
          this.deps.broadcastAdmin?.('lmdown');
          this.deps.requestShutdown(`lmdown from ${from}`);
        });
        return { type: 'done', id: command.id, message: this.shutdownReach() };
      }
      case 'lmreread': {
        const reply = this.reread(command.id);
        if (reply.type === 'done') this.deps.broadcastAdmin?.('lmreread');
        return reply;
      }
      case 'lmremove':
        return this.remove(command, now);
      case 'lmswitch':
        return this.rotate(command);
    }
  }

  private async rotate(command: Extract<AdminCommand, { type: 'lmswitch' }>): Promise<Extract<ServerMessage, { type: 'done' | 'refused' }>> {
    if (!this.deps.rotateLog) return { type: 'refused', id: command.id, reason: 'this server does not rotate its logs' };
    try {
      return { type: 'done', id: command.id, message: await this.deps.rotateLog(command.log) };
    } catch (error) {
      return { type: 'refused', id: command.id, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Seats checked out now, in words (`3 licenses are checked out (DOORS: 2, Tau: 1)`), or null.
   * From the lease table the log keeps, which a triad's standby holds up to date too.
   */
  private seatsOut(): string | null {
    const byFeature = new Map<string, number>();
    for (const lease of this.deps.log.recover())
      if (lease.lingerUntilMs === null) byFeature.set(lease.feature, (byFeature.get(lease.feature) ?? 0) + lease.count);
    const total = [...byFeature.values()].reduce((sum, n) => sum + n, 0);
    if (total === 0) return null;
    const list = [...byFeature].map(([feature, n]) => `${feature}: ${n}`).join(', ');
    return `${total} license${total === 1 ? ' is' : 's are'} checked out (${list})`;
  }

  /** What lmdown stops: this server, and in a triad the members it can tell, and why not the others. */
  private shutdownReach(): string {
    const status = this.status();
    if (status.mode !== 'triad') return 'shutting down';
    const others = status.members.filter((member) => !member.self);
    const told = others.filter((member) => member.up).map((member) => member.host);
    const parts = [`shutting down ${[status.host, ...told].join(', ')}`];
    for (const member of others.filter((m) => !m.up)) {
      parts.push(
        `${member.host} cannot be told (${member.problem ?? 'not in the quorum'}): stop it on its own machine with \`triad lmdown -c ` +
          `${member.port}@${member.host}\``,
      );
    }
    return parts.join('; ');
  }

  /** A peer's lmreread reached this member: reread here, without passing it on again. */
  rereadForPeer(): { ok: boolean; message: string } {
    const reply = this.reread(0);
    return reply.type === 'done' ? { ok: true, message: reply.message } : { ok: false, message: reply.reason };
  }

  private reread(id: number): Extract<ServerMessage, { type: 'done' | 'refused' }> {
    let config: ServingConfig;
    try {
      config = this.deps.reread();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.debug('lmgrd', `lmreread failed, still serving the previous files: ${reason}`);
      return { type: 'refused', id, reason: `lmreread failed; the server keeps serving the previous files:\n${reason}` };
    }
    this.config = config;
    this.pools.resize(config.poolLines);
    this.deps.debug('lmgrd', 'Rereading license file...');
    this.announce();
    const served = this.pools.usage(this.instant()).filter((u) => u.notServed === null).length;
    this.deps.changed();
    return { type: 'done', id, message: `license and options files reread; ${served} feature pool${served === 1 ? '' : 's'} served` };
  }

  private async remove(command: Extract<AdminCommand, { type: 'lmremove' }>, now: number): Promise<Extract<ServerMessage, { type: 'done' | 'refused' }>> {
    // a standby's seats are not the served ones: taking one back is the master's (a replicated op)
    if (this.deps.gate.role() !== 'master') {
      const master = this.deps.gate.master();
      const where = master
        ? `the master, ${master.host}: run \`triad lmremove -c ${master.port}@${master.host} ...\` on that machine`
        : 'the master, and there is none now (no quorum)';
      return { type: 'refused', id: command.id, reason: `this server is not serving licenses; lmremove runs on ${where}` };
    }
    const held = this.removeTargets(command);
    if (held.length === 0) {
      return { type: 'refused', id: command.id, reason: `no license of "${command.feature}" is held by ${removalTarget(command)}; check \`triad lmstat -a\`` };
    }
    const removed: Lease[] = [];
    for (const lease of held) if (await this.takeBack(lease, 'remove', now)) removed.push(lease);
    this.deps.changed();
    if (removed.length === 0) {
      return {
        type: 'refused',
        id: command.id,
        reason: `the removal of "${command.feature}" held by ${removalTarget(command)} could not be made durable; try again`,
      };
    }
    const holders = [...new Set(removed.map((lease) => `${lease.user}@${lease.host}`))].join(', ');
    return {
      type: 'done',
      id: command.id,
      message: `removed ${removed.length} license${removed.length === 1 ? '' : 's'} of "${command.feature}" held by ${holders}`,
    };
  }

  /** The seats an lmremove names: one by its handle, or every one of the feature that user holds on that host and display. */
  private removeTargets(command: Extract<AdminCommand, { type: 'lmremove' }>): Lease[] {
    if (command.handle !== undefined) {
      const lease = this.pools.leases().find((held) => held.handle === command.handle && held.feature === command.feature);
      return lease ? [lease] : [];
    }
    return this.pools.matching({ feature: command.feature, user: command.user!, host: command.host!, display: command.display! });
  }

  status(): ServerStatus {
    const at = this.instant();
    const role = this.deps.gate.role();
    const master = role === 'master' ? this.settings.host : (this.deps.gate.master()?.host ?? null);
    const own = statusSnapshot({ at, role, master, settings: this.settings, config: this.config, pools: this.poolsFor(role, at) });
    return explainServing(this.deps.decorateStatus ? this.deps.decorateStatus(own) : own);
  }

  /**
   * The pools with the seats in use as this server knows them: its own on the master; on a triad
   * member that is not, the replicated lease table (its own pools are reloaded only when it becomes master).
   */
  private poolsFor(role: ServerStatus['role'], at: Instant): PoolSet {
    if (role === 'master' || !this.deps.log.replicated) return this.pools;
    const replica = new PoolSet(this.config.poolLines);
    replica.restore(this.deps.log.recover(), at.monoMs);
    return replica;
  }
}

/** How each way of taking a seat back is told to its holder, the debug log and the metrics. */
const TAKE_BACK = {
  // FlexLM's wording for a timed-out seat is not in our reference; INACTIVE is our choice
  reclaim: { revoked: 'no heartbeat within the timeout', tag: 'INACTIVE', event: 'RECLAIM', reason: 'no heartbeat within the timeout' },
  remove: { revoked: 'removed by the administrator (lmremove)', tag: 'REMOVED', event: 'REMOVE', reason: 'lmremove' },
} as const;

/** Whose seats an lmremove takes, in words. */
function removalTarget(command: Extract<AdminCommand, { type: 'lmremove' }>): string {
  return command.handle !== undefined ? `handle ${command.handle}` : `${command.user} on ${command.host} at ${command.display}`;
}
