/**
 * Seat arithmetic for one pool: DUP_GROUP sharing and RESERVE accounting. Pure.
 */
import { matchesTarget, type CountRule, type Options, type Requester } from '../options';
import type { Lease, Pool } from './types';

/** A lease holds its seat until checkin, or until its linger ends. */
export function holdsSeat(lease: Lease, nowMs: number): boolean {
  return lease.lingerUntilMs === null || lease.lingerUntilMs > nowMs;
}

/**
 * Leases with the same DUP_GROUP key share their seats (the bucket takes the largest count):
 * U, H, D of the pool's DUP_GROUP select user, host, display; SITE shares everything; NONE or
 * no DUP_GROUP shares nothing. V (vendor-defined) has no meaning in Triad and is ignored.
 */
export function dupKey(pool: Pool, lease: Pick<Lease, 'leaseId' | 'user' | 'host' | 'display'>): string {
  const group = (pool.dupGroup ?? 'NONE').toUpperCase();
  if (group === 'SITE') return 'site';
  const parts = [group.includes('U') ? lease.user : null, group.includes('H') ? lease.host : null, group.includes('D') ? lease.display : null];
  if (group === 'NONE' || parts.every((p) => p === null)) return `lease:${lease.leaseId}`;
  return JSON.stringify(parts);
}

export function seatsUsed(pool: Pool, leases: readonly Lease[]): number {
  const buckets = new Map<string, number>();
  for (const lease of leases) {
    const key = dupKey(pool, lease);
    buckets.set(key, Math.max(buckets.get(key) ?? 0, lease.count));
  }
  let total = 0;
  for (const seats of buckets.values()) total += seats;
  return total;
}

/** Extra seats a new lease needs: less when it joins a DUP_GROUP bucket that already holds seats. */
export function extraSeatsNeeded(pool: Pool, leases: readonly Lease[], candidate: Pick<Lease, 'leaseId' | 'user' | 'host' | 'display' | 'count'>): number {
  const key = dupKey(pool, candidate);
  const held = leases.filter((lease) => dupKey(pool, lease) === key).reduce((max, lease) => Math.max(max, lease.count), 0);
  return Math.max(0, candidate.count - held);
}

export function leaseRequester(lease: Lease): Requester {
  return { user: lease.user, host: lease.host, display: lease.display, ip: lease.ip, project: lease.project ?? undefined };
}

/**
 * Seats held back for RESERVE rules the requester is not covered by. Reservations are taken in
 * file order and capped so they never add up to more than the issued seats (reference 5.1:
 * excess reservations are ignored). Each current lease fills the first reservation it matches.
 */
export function seatsReservedForOthers(options: Options, rules: readonly CountRule[], issued: number, leases: readonly Lease[], who: Requester): number {
  let budget = issued;
  const capped = rules.map((rule) => {
    const count = Math.min(rule.count, budget);
    budget -= count;
    return { rule, remaining: count };
  });
  for (const lease of leases) {
    const holder = leaseRequester(lease);
    const slot = capped.find((c) => c.remaining > 0 && matchesTarget(options, c.rule.target, holder));
    if (slot) slot.remaining = Math.max(0, slot.remaining - lease.count);
  }
  return capped.filter((c) => !matchesTarget(options, c.rule.target, who)).reduce((sum, c) => sum + c.remaining, 0);
}
