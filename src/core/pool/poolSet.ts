/**
 * All feature pools of one server and the leases on them. Pure state machine: time, lease ids
 * and resume tokens come in as arguments (dates on the wall clock; heartbeat timeouts and LINGER
 * on the monotonic clock, so a lease's `lingerUntilMs` is monotonic time while it is in here); the driver persists leases (store) and replicates
 * them (quorum).
 *
 * A new seat is held while its grant is made durable, not after: `checkout` decides and takes
 * the seat at once (single server and triad master alike), the licensing service then writes the
 * grant (group commit, or replication) and only then tells the client; if the write fails,
 * `undoCheckout` gives the seat back, and the lingering seats the grant took over. Holding it
 * meanwhile is what keeps two checkouts written at the same time from both getting the last seat;
 * the client never hears of a seat before it is durable, and no seat is left taken by a failed
 * write. `evaluate` only decides (a replica's `grant` applies a grant decided elsewhere).
 */
import {
  compareVersions,
  isAllowed,
  isAuthorizedUser,
  lingerFor,
  matchesTarget,
  maxFor,
  reservationsFor,
  selectorMatches,
  type CountRule,
  type Options,
  type PolicyFeature,
  type Requester,
} from '../options';
import { denial, type Denial, type DenialCode } from '../protocol/denial';
import { buildPools, issuedSeats, poolProblem } from './pools';
import { PoolLedger } from './poolLedger';
import { leaseRequester, openReservations, seatsReservedForOthers, type OpenReservation } from './seats';
import type { Instant } from '../instant';
import type { IgnoredLine, Lease, Pool, PoolCheckout, PoolLine, PoolUsage } from './types';

export type CheckoutDecision =
  | { granted: Lease; /** Lingering leases of the same user/host/display this grant takes over. */ releases: string[] }
  | { denied: Denial };

export type CheckoutOutcome = { granted: Lease; releases: string[]; released: Lease[] } | { denied: Denial };

export interface IdlePolicy {
  /** How often clients heartbeat; a lease is idle after `missedHeartbeats` of them. */
  heartbeatIntervalMs: number;
  /** Default 3 (DESIGN: three missed heartbeats). */
  missedHeartbeats?: number;
  /** Options TIMEOUT/TIMEOUTALL for the lease's feature, in seconds, when set. */
  timeoutSecondsFor?: (lease: Lease) => number | null;
}

/** Who lmremove names. Display undefined matches any display. */
export interface RemoveTarget {
  feature: string;
  user: string;
  host: string;
  display?: string;
}

// Later stages explain more: "seats full" beats "this older version has expired".
const stageOfDenial: Partial<Record<DenialCode, number>> = {
  BAD_SIGNATURE: 0,
  WRONG_HOSTID: 0,
  NOT_STARTED: 0,
  EXPIRED: 0,
  EXCLUDED: 1,
  NOT_INCLUDED: 1,
  NOT_AUTHORIZED_USER: 1,
  OPTIONS_MAX: 3,
  MAX_USERS: 4,
};

const stageOf = (d: Denial): number => stageOfDenial[d.code] ?? -1;

export class PoolSet {
  private poolList: Pool[] = [];
  private poolsByName = new Map<string, Pool[]>();
  private poolsByKey = new Map<string, Pool>();
  private ignoredLines: IgnoredLine[] = [];
  private readonly leaseMap = new Map<string, Lease>();
  /** Per pool key, including keys of pools an lmreread took away while their leases remain. */
  private readonly ledgers = new Map<string, PoolLedger>();
  private readonly byResumeToken = new Map<string, string>();
  private readonly features = new WeakMap<Pool, PolicyFeature>();
  /** Monotonic time of each held lease's last heartbeat. */
  private readonly lastHeartbeat = new Map<string, number>();
  private nextHandle = 1;

  constructor(lines: readonly PoolLine[]) {
    this.resize(lines);
  }

  get pools(): readonly Pool[] {
    return this.poolList;
  }

  /** Lines left out (repeated FEATURE lines), with the reason, for the debug log. */
  get ignored(): readonly IgnoredLine[] {
    return this.ignoredLines;
  }

  /** Every lease, lingering ones included, in grant order. */
  leases(): Lease[] {
    return [...this.leaseMap.values()];
  }

  lease(leaseId: string): Lease | undefined {
    return this.leaseMap.get(leaseId);
  }

  /** The held (not lingering) lease a client's resume token names, if it is still there. */
  leaseByResumeToken(resumeToken: string): Lease | undefined {
    const leaseId = this.byResumeToken.get(resumeToken);
    const lease = leaseId === undefined ? undefined : this.leaseMap.get(leaseId);
    return lease && lease.lingerUntilMs === null ? lease : undefined;
  }

  pool(key: string): Pool | undefined {
    return this.poolsByKey.get(key);
  }

  /** Pools serving a feature name, in file order. */
  poolsNamed(name: string): readonly Pool[] {
    return this.poolsByName.get(name) ?? [];
  }

  /**
   * lmreread: new lines take effect at once. Current leases stay, even on seats that are gone
   * (no new grants until the pool is back under its count) or in pools that no longer exist.
   */
  resize(lines: readonly PoolLine[]): void {
    const { pools, ignored } = buildPools(lines);
    this.poolList = pools;
    this.ignoredLines = ignored;
    this.poolsByKey = new Map(pools.map((pool) => [pool.key, pool]));
    this.poolsByName = new Map();
    for (const pool of pools) this.poolsByName.set(pool.name, [...this.poolsNamed(pool.name), pool]);
  }

  evaluate(request: PoolCheckout, at: Instant, policy: Options | null): CheckoutDecision {
    if (!Number.isInteger(request.count) || request.count < 1) {
      return { denied: denial('BAD_REQUEST', `count must be a whole number >= 1, not ${request.count}`) };
    }
    const named = this.poolsNamed(request.feature);
    if (named.length === 0) return { denied: denial('NO_SUCH_FEATURE') };
    const candidates = named
      .filter((pool) => compareVersions(pool.version, request.version) >= 0)
      .sort((a, b) => compareVersions(b.version, a.version));
    if (candidates.length === 0) return { denied: denial('VERSION_TOO_HIGH') };
    let best: Denial | null = null;
    for (const pool of candidates) {
      const decision = this.evaluatePool(pool, request, at, policy);
      if ('granted' in decision) return decision;
      if (best === null || stageOf(decision.denied) > stageOf(best)) best = decision.denied;
    }
    return { denied: best ?? denial('NO_SUCH_FEATURE') };
  }

  /**
   * Decides and takes the seat at once, so two checkouts can never both take the last seat. The
   * seat is held before the grant is durable; if that fails, `undoCheckout` gives it back along
   * with the lingering seats the grant released (`released`).
   */
  checkout(request: PoolCheckout, at: Instant, policy: Options | null): CheckoutOutcome {
    const decision = this.evaluate(request, at, policy);
    if ('denied' in decision) return decision;
    const released = decision.releases.flatMap((leaseId) => this.leaseMap.get(leaseId) ?? []);
    for (const leaseId of decision.releases) this.removeLease(leaseId);
    this.grant(decision.granted, at.monoMs);
    return { ...decision, released };
  }

  /** A checkout whose grant could not be made durable: its seat, and those it took over, as before it. */
  undoCheckout(granted: Lease, released: readonly Lease[]): void {
    this.removeLease(granted.leaseId);
    for (const lease of released) this.store(lease);
  }

  /** Applies a decided (or replicated) grant at monotonic time `monoMs`. Idempotent for the same lease id. */
  grant(lease: Lease, monoMs: number): void {
    this.store(lease);
    this.lastHeartbeat.set(lease.leaseId, monoMs);
    this.nextHandle = Math.max(this.nextHandle, lease.handle + 1);
  }

  /**
   * Returns the lease, or null when unknown or already checked in. With LINGER the lease stays,
   * marked with the monotonic time its seat frees (`lingerUntilMs`); otherwise it is gone.
   */
  checkin(leaseId: string, monoMs: number): Lease | null {
    const lease = this.leaseMap.get(leaseId);
    if (!lease || lease.lingerUntilMs !== null) return null;
    if (lease.lingerSeconds > 0) {
      const lingering = { ...lease, lingerUntilMs: monoMs + lease.lingerSeconds * 1000 };
      this.store(lingering);
      this.lastHeartbeat.delete(leaseId);
      return lingering;
    }
    this.removeLease(leaseId);
    return lease;
  }

  /** False when the lease is unknown or checked in (the client must check out again). */
  heartbeat(leaseId: string, monoMs: number): boolean {
    const lease = this.leaseMap.get(leaseId);
    if (!lease || lease.lingerUntilMs !== null) return false;
    this.lastHeartbeat.set(leaseId, monoMs);
    return true;
  }

  /**
   * Every seat's inactivity timeout starts again now: when clients could not reach a serving
   * master (this process paused, or a master that stopped serving and serves again), their silence
   * meanwhile says nothing about them.
   */
  restartTimeouts(monoMs: number): void {
    for (const leaseId of this.lastHeartbeat.keys()) this.lastHeartbeat.set(leaseId, monoMs);
  }

  /**
   * Leases whose client went silent, and lingering leases whose linger is over (monotonic time).
   * They keep their seats until the caller removes them, once their release is durable.
   */
  idleLeases(monoMs: number, idle: IdlePolicy): { timedOut: Lease[]; lingerEnded: Lease[] } {
    const timedOut: Lease[] = [];
    const lingerEnded: Lease[] = [];
    const missed = idle.missedHeartbeats ?? 3;
    for (const lease of this.leaseMap.values()) {
      if (lease.lingerUntilMs !== null) {
        if (lease.lingerUntilMs <= monoMs) lingerEnded.push(lease);
        continue;
      }
      const seconds = idle.timeoutSecondsFor?.(lease) ?? null;
      const timeoutMs = seconds !== null ? seconds * 1000 : missed * idle.heartbeatIntervalMs;
      if (monoMs - (this.lastHeartbeat.get(lease.leaseId) ?? monoMs) > timeoutMs) timedOut.push(lease);
    }
    return { timedOut, lingerEnded };
  }

  /** lmremove: every lease of that user, lingering ones included (removed once that is durable). */
  matching(target: RemoveTarget): Lease[] {
    return this.leases().filter(
      (lease) =>
        lease.feature === target.feature &&
        lease.user === target.user &&
        lease.host.toLowerCase() === target.host.toLowerCase() &&
        (target.display === undefined || lease.display === target.display),
    );
  }

  removeLease(leaseId: string): Lease | null {
    const lease = this.leaseMap.get(leaseId) ?? null;
    if (!lease) return null;
    this.leaseMap.delete(leaseId);
    this.lastHeartbeat.delete(leaseId);
    if (this.byResumeToken.get(lease.resumeToken) === leaseId) this.byResumeToken.delete(lease.resumeToken);
    const ledger = this.ledgers.get(lease.poolKey);
    ledger?.delete(leaseId);
    if (ledger?.size === 0) this.ledgers.delete(lease.poolKey);
    return lease;
  }

  /** Adds or replaces a lease in every index (replacing keeps its place in grant order). */
  private store(lease: Lease): void {
    const previous = this.leaseMap.get(lease.leaseId);
    if (previous && previous.poolKey !== lease.poolKey) this.removeLease(lease.leaseId);
    this.leaseMap.set(lease.leaseId, lease);
    this.byResumeToken.set(lease.resumeToken, lease.leaseId);
    let ledger = this.ledgers.get(lease.poolKey);
    if (!ledger) {
      ledger = new PoolLedger();
      this.ledgers.set(lease.poolKey, ledger);
    }
    ledger.set(lease);
  }

  /**
   * Rebuilds the lease table after a restart or failover. Inactivity timeouts restart at
   * monotonic `monoMs` (QUORUM.md: client heartbeats are not replicated, so a live client keeps
   * its seat), and a lingering seat lingers its whole LINGER again: the stored end of a linger is
   * wall-clock time, and no wall-clock deadline is trusted across a restart or failover.
   */
  restore(leases: readonly Lease[], monoMs: number): void {
    this.leaseMap.clear();
    this.lastHeartbeat.clear();
    this.ledgers.clear();
    this.byResumeToken.clear();
    this.nextHandle = 1;
    for (const lease of [...leases].sort((a, b) => a.grantedAt - b.grantedAt || a.handle - b.handle)) {
      const lingering = lease.lingerUntilMs !== null;
      this.store(lingering ? { ...lease, lingerUntilMs: monoMs + lease.lingerSeconds * 1000 } : lease);
      if (!lingering) this.lastHeartbeat.set(lease.leaseId, monoMs);
      this.nextHandle = Math.max(this.nextHandle, lease.handle + 1);
    }
  }

  /** Per pool: seats issued now, seats in use and the leases holding them (for status/lmstat). */
  usage(at: Instant): PoolUsage[] {
    return this.poolList.map((pool) => {
      const leases = this.heldLeases(pool, at.monoMs);
      const problem = poolProblem(pool, at.wallMs);
      return {
        pool,
        issued: issuedSeats(pool, at.wallMs),
        inUse: this.ledgers.get(pool.key)?.seats(pool.dupGroup, at.monoMs).used ?? 0,
        notServed: problem ? { code: problem.code, reason: problem.reason } : null,
        leases,
      };
    });
  }

  private heldLeases(pool: Pool, monoMs: number): Lease[] {
    const ledger = this.ledgers.get(pool.key);
    return ledger ? [...ledger.held(monoMs)] : [];
  }

  /**
   * The RESERVE rules whose seats this pool holds. A rule reserves its seats once per feature,
   * in the first pool (file order) its selector matches, which is where lmstat shows it: real
   * lmstat prints a feature's reservations once, under one pool (reference 4.2, app6 sample).
   */
  reservationRules(pool: Pool, policy: Options): CountRule[] {
    return reservationsFor(policy, this.featureOf(pool)).filter(
      (rule) => this.poolsNamed(pool.name).find((candidate) => selectorMatches(rule.feature, this.featureOf(candidate))) === pool,
    );
  }

  /**
   * The reservations this pool shows (reservationRules), each with the seats it still holds back
   * now: lmstat counts those as in use and prints them as RESERVATION lines (reference 4.2).
   */
  openReservations(pool: Pool, policy: Options, at: Instant): OpenReservation[] {
    return openReservations(policy, this.reservationRules(pool, policy), issuedSeats(pool, at.wallMs), this.heldLeases(pool, at.monoMs));
  }

  /** policyFeatureOf, once per pool (pools are rebuilt, never changed, by an lmreread). */
  private featureOf(pool: Pool): PolicyFeature {
    let feature = this.features.get(pool);
    if (!feature) {
      feature = policyFeatureOf(pool);
      this.features.set(pool, feature);
    }
    return feature;
  }

  private evaluatePool(pool: Pool, request: PoolCheckout, at: Instant, policy: Options | null): CheckoutDecision {
    const problem = poolProblem(pool, at.wallMs);
    if (problem) return { denied: problem };
    const who: Requester = { user: request.user, host: request.host, display: request.display, ip: request.ip, project: request.project ?? undefined };
    const feature = this.featureOf(pool);
    // Before the include list: for an Authorized User license the useful answer names the fix.
    if (pool.userBased && (!policy || !isAuthorizedUser(policy, feature, who))) {
      return { denied: denial('NOT_AUTHORIZED_USER', `${pool.name} is USER_BASED; add "INCLUDE ${pool.name} USER ${request.user}" to the options file`) };
    }
    if (policy) {
      const allowed = isAllowed(policy, feature, who);
      if (!allowed.allowed) return { denied: denial(allowed.reason) };
    }
    const ledger = this.ledgers.get(pool.key) ?? new PoolLedger();
    // the requester's own lingering seats, which this grant takes back
    const releases = ledger
      .lingeringHeld(at.monoMs)
      .filter((l) => l.user === request.user && l.host === request.host && l.display === request.display)
      .map((l) => l.leaseId);
    if (policy && this.exceedsMax(policy, feature, who, request.count, at.monoMs, releases)) return { denied: denial('OPTIONS_MAX') };
    const lease: Lease = {
      leaseId: request.leaseId,
      poolKey: pool.key,
      feature: pool.name,
      vendor: pool.vendor,
      version: request.version,
      user: request.user,
      host: request.host,
      display: request.display,
      ip: request.ip,
      project: request.project ?? null,
      count: request.count,
      grantedAt: at.wallMs,
      resumeToken: request.resumeToken,
      clientId: request.clientId,
      server: request.server,
      handle: this.nextHandle,
      lingerSeconds: lingerSecondsOf(pool, policy, feature),
      lingerUntilMs: null,
    };
    const issued = issuedSeats(pool, at.wallMs);
    if (issued !== null) {
      const rules = policy ? this.reservationRules(pool, policy) : [];
      const reserved =
        policy && rules.length > 0
          ? seatsReservedForOthers(
              policy,
              rules,
              issued,
              this.heldLeases(pool, at.monoMs).filter((l) => !releases.includes(l.leaseId)),
              who,
            )
          : 0;
      const { used, heldByCandidate } = ledger.seats(pool.dupGroup, at.monoMs, releases, lease);
      if (Math.max(0, lease.count - heldByCandidate) > issued - used - reserved) return { denied: denial('MAX_USERS') };
    }
    return { granted: lease, releases };
  }

  /**
   * MAX counts this requester's seats over every pool of the feature the rule's selector names,
   * except the lingering ones this grant takes back (`releases`).
   */
  private exceedsMax(policy: Options, feature: PolicyFeature, who: Requester, count: number, monoMs: number, releases: readonly string[]): boolean {
    return maxFor(policy, feature, who).some((rule) => {
      let used = 0;
      for (const pool of this.poolList) {
        if (!selectorMatches(rule.feature, this.featureOf(pool))) continue;
        for (const lease of this.heldLeases(pool, monoMs)) {
          if (!releases.includes(lease.leaseId) && matchesTarget(policy, rule.target, leaseRequester(lease))) used += lease.count;
        }
      }
      return used + count > rule.count;
    });
  }
}

/** What an options-file qualifier can name on this pool's lines. */
export function policyFeatureOf(pool: Pool): PolicyFeature {
  const attrs: Record<string, string> = { ...pool.attrs };
  if (pool.vendorString !== null) attrs.VENDOR_STRING = pool.vendorString;
  if (pool.hostid !== null) attrs.HOSTID = pool.hostid;
  if (pool.dupGroup !== null) attrs.DUP_GROUP = pool.dupGroup;
  return { name: pool.name, version: pool.version, attrs };
}

/** The longer of the line's LINGER and the options file's LINGER. */
function lingerSecondsOf(pool: Pool, policy: Options | null, feature: PolicyFeature): number {
  const fromLines = Math.max(0, ...pool.lines.map((line) => line.linger ?? 0));
  const fromOptions = policy ? (lingerFor(policy, feature) ?? 0) : 0;
  return Math.max(fromLines, fromOptions);
}
