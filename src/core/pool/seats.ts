/**
 * Seat arithmetic for one pool: DUP_GROUP sharing and RESERVE accounting. Pure.
 */
import { matchesTarget, type CountRule, type Options, type Requester } from '../options';
import type { Lease } from './types';

/** A lease holds its seat until checkin, or until its linger ends (monotonic time, as in a PoolSet). */
export function holdsSeat(lease: Lease, monoMs: number): boolean {
  return lease.lingerUntilMs === null || lease.lingerUntilMs > monoMs;
}

/**
 * The DUP_GROUP bucket a lease shares its seats with (the bucket takes the largest count), or
 * null when it shares with nobody: U, H, D of the pool's DUP_GROUP select user, host, display;
 * SITE shares everything; NONE or no DUP_GROUP shares nothing. V (vendor-defined) has no meaning
 * in Triad and is ignored.
 */
export function shareKey(dupGroup: string | null, lease: Pick<Lease, 'user' | 'host' | 'display'>): string | null {
  const group = (dupGroup ?? 'NONE').toUpperCase();
  if (group === 'SITE') return 'site';
  if (group === 'NONE') return null;
  const parts = [group.includes('U') ? lease.user : null, group.includes('H') ? lease.host : null, group.includes('D') ? lease.display : null];
  return parts.every((p) => p === null) ? null : JSON.stringify(parts);
}

export function leaseRequester(lease: Lease): Requester {
  return { user: lease.user, host: lease.host, display: lease.display, ip: lease.ip, project: lease.project ?? undefined };
}

/** A RESERVE rule and the seats it still holds back (nobody it covers holds them yet). */
export interface OpenReservation {
  rule: CountRule;
  remaining: number;
}

/**
 * What each RESERVE rule still holds back. Reservations are taken in file order and capped so they
 * never add up to more than the issued seats (reference 5.1: excess reservations are ignored);
 * `issued` null (uncounted) caps nothing. Each current lease fills the first reservation it matches.
 */
export function openReservations(options: Options, rules: readonly CountRule[], issued: number | null, leases: Iterable<Lease>): OpenReservation[] {
  let budget = issued ?? Infinity;
  const open = rules.map((rule) => {
    const count = Math.min(rule.count, budget);
    budget -= count;
    return { rule, remaining: count };
  });
  for (const lease of leases) {
    const holder = leaseRequester(lease);
    const slot = open.find((c) => c.remaining > 0 && matchesTarget(options, c.rule.target, holder));
    if (slot) slot.remaining = Math.max(0, slot.remaining - lease.count);
  }
  return open;
}

/** Seats held back for RESERVE rules the requester is not covered by. */
export function seatsReservedForOthers(options: Options, rules: readonly CountRule[], issued: number, leases: Iterable<Lease>, who: Requester): number {
  return openReservations(options, rules, issued, leases)
    .filter((c) => !matchesTarget(options, c.rule.target, who))
    .reduce((sum, c) => sum + c.remaining, 0);
}
