/**
 * Who used which feature, how often and for how long, and how often they were denied: the
 * per-user report license administrators buy separately today. Replays the report log's
 * checkout and checkin rows, matched by lease; a seat held past the end of the range counts up
 * to its end, and one taken before its start counts from the start (also one whose checkout row
 * was rotated out: `carried`). Pure.
 */
import type { UsageByUser } from './contract';
import { csvField } from './csv';
import type { UsageEvent } from './usage';

/** A seat out whose checkout row was rotated out of the report log: the per-user replay starts with it open. */
export interface CarriedLease {
  user: string;
  feature: string;
  count: number;
  sinceMs: number;
}

type LeaseEvent = Pick<UsageEvent, 'time' | 'event' | 'feature' | 'user' | 'count' | 'leaseId'>;

/** The seats still out after `events`, by lease, starting from `carried` (checkouts not yet checked in, reclaimed or removed). */
export function leasesOutAfter(carried: Readonly<Record<string, CarriedLease>>, events: readonly LeaseEvent[]): Record<string, CarriedLease> {
  const open = new Map(Object.entries(carried));
  for (const e of events) {
    if (e.event === 'DENIED' || !e.leaseId) continue;
    if (e.event === 'OUT') open.set(e.leaseId, { user: e.user, feature: e.feature, count: e.count, sinceMs: e.time });
    else open.delete(e.leaseId);
  }
  return Object.fromEntries(open);
}

export function buildUserUsage(
  events: readonly UsageEvent[],
  range: { sinceMs: number; untilMs: number },
  carried: Readonly<Record<string, CarriedLease>> = {},
): UsageByUser[] {
  const { sinceMs, untilMs } = range;
  const rows = new Map<string, UsageByUser>();
  const row = (user: string, feature: string): UsageByUser => {
    const key = `${user}\u0000${feature}`;
    let found = rows.get(key);
    if (!found) {
      found = { user, feature, checkouts: 0, heldMs: 0, denials: 0, lastUsed: null };
      rows.set(key, found);
    }
    return found;
  };
  const open = new Map<string, CarriedLease>(Object.entries(carried));
  const close = (held: CarriedLease, at: number) => {
    const from = Math.max(held.sinceMs, sinceMs);
    const to = Math.min(at, untilMs);
    if (to > from) row(held.user, held.feature).heldMs += (to - from) * held.count;
  };
  for (const e of events) {
    if (e.time > untilMs) break;
    const inRange = e.time >= sinceMs;
    if (e.event === 'DENIED') {
      if (inRange) row(e.user, e.feature).denials += 1;
      continue;
    }
    if (e.event === 'OUT') {
      if (e.leaseId) open.set(e.leaseId, { user: e.user, feature: e.feature, count: e.count, sinceMs: e.time });
      if (inRange) {
        const used = row(e.user, e.feature);
        used.checkouts += 1;
        used.lastUsed = Math.max(used.lastUsed ?? 0, e.time);
      }
      continue;
    }
    const held = e.leaseId ? open.get(e.leaseId) : undefined;
    if (!held) continue;
    open.delete(e.leaseId!);
    close(held, e.time);
    if (e.time > sinceMs) {
      const used = row(held.user, held.feature);
      used.lastUsed = Math.max(used.lastUsed ?? 0, Math.min(e.time, untilMs));
    }
  }
  for (const held of open.values()) {
    close(held, untilMs);
    if (untilMs > sinceMs && held.sinceMs < untilMs) row(held.user, held.feature).lastUsed = untilMs;
  }
  return [...rows.values()].sort((a, b) => a.user.localeCompare(b.user) || a.feature.localeCompare(b.feature));
}

/** CSV (RFC 4180): user, feature, checkouts, hours held (seat-hours), denials, last used. */
export function userUsageToCsv(users: readonly UsageByUser[]): string {
  const rows = users.map((u) =>
    [
      u.user,
      u.feature,
      String(u.checkouts),
      (u.heldMs / 3_600_000).toFixed(2),
      String(u.denials),
      u.lastUsed === null ? '' : new Date(u.lastUsed).toISOString(),
    ]
      .map(csvField)
      .join(','),
  );
  return ['user,feature,checkouts,hours,denials,last used', ...rows].join('\r\n') + '\r\n';
}
