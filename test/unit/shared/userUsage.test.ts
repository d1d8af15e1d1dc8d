import { describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../../src/shared/usage';
import { buildUserUsage, userUsageToCsv } from '../../../src/shared/userUsage';

const HOUR = 3_600_000;
const ev = (time: number, event: UsageEvent['event'], user: string, leaseId: string | null, feature = 'cad', count = 1): UsageEvent => ({
  time,
  event,
  feature,
  user,
  host: 'ws',
  count,
  reason: null,
  leaseId,
});

describe('usage by user', () => {
  it('counts checkouts, seat-hours held inside the range and denials per user and feature', () => {
    const events = [
      ev(0, 'OUT', 'ann', 'a1'), // before the range: counts from its start
      ev(2 * HOUR, 'OUT', 'bob', 'b1', 'cad', 2),
      ev(3 * HOUR, 'IN', 'ann', 'a1'),
      ev(4 * HOUR, 'DENIED', 'cy', null),
      ev(5 * HOUR, 'IN', 'bob', 'b1', 'cad', 2),
      ev(6 * HOUR, 'OUT', 'ann', 'a2'), // held past the end: counts to its end
      ev(20 * HOUR, 'IN', 'ann', 'a2'),
    ];
    const users = buildUserUsage(events, { sinceMs: HOUR, untilMs: 8 * HOUR });
    expect(users).toEqual([
      { user: 'ann', feature: 'cad', checkouts: 1, heldMs: 2 * HOUR + 2 * HOUR, denials: 0, lastUsed: 8 * HOUR },
      { user: 'bob', feature: 'cad', checkouts: 1, heldMs: 2 * 3 * HOUR, denials: 0, lastUsed: 5 * HOUR },
      { user: 'cy', feature: 'cad', checkouts: 0, heldMs: 0, denials: 1, lastUsed: null },
    ]);
  });

  it('a reclaimed or removed seat ends where the server took it back', () => {
    const users = buildUserUsage(
      [ev(0, 'OUT', 'ann', 'a'), ev(HOUR, 'RECLAIM', 'ann', 'a'), ev(2 * HOUR, 'OUT', 'ann', 'b'), ev(2.5 * HOUR, 'REMOVE', 'ann', 'b')],
      { sinceMs: 0, untilMs: 10 * HOUR },
    );
    expect(users[0]).toMatchObject({ checkouts: 2, heldMs: 1.5 * HOUR });
  });

  it('exports as CSV with hours and quoted names', () => {
    const csv = userUsageToCsv([{ user: 'o"neil, p', feature: 'cad', checkouts: 3, heldMs: 90 * 60_000, denials: 1, lastUsed: 0 }]);
    expect(csv.split('\r\n')).toEqual(['user,feature,checkouts,hours,denials,last used', '"o""neil, p",cad,3,1.50,1,1970-01-01T00:00:00.000Z', '']);
  });
});
