/**
 * The seat index (PoolLedger, kept up to date on every change) must agree with a full scan of
 * the leases over random command sequences: seats in use per pool, and every checkout decision.
 * The scan below is the plain definition of DUP_GROUP sharing, written independently of src.
 */
import { at } from '../../support/instant';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../../src/core/options';
import { issuedSeats, PoolSet, type Lease, type Pool, type PoolLine } from '../../../src/core/pool';
import { NOW, line, request } from './builders';

const users = ['ann', 'ben', 'cy'];
const hosts = ['ws1', 'ws2'];

/** DUP_GROUP key by definition: which of user, host, display the group shares on. */
function scanKey(pool: Pool, lease: Lease): string {
  const group = (pool.dupGroup ?? 'NONE').toUpperCase();
  if (group === 'SITE') return 'site';
  const parts = [group.includes('U') ? lease.user : '', group.includes('H') ? lease.host : '', group.includes('D') ? lease.display : ''];
  return group === 'NONE' || parts.every((p) => p === '') ? `own:${lease.leaseId}` : parts.join('|');
}

function scanBuckets(pool: Pool, leases: readonly Lease[]): Map<string, number> {
  const buckets = new Map<string, number>();
  for (const lease of leases) buckets.set(scanKey(pool, lease), Math.max(buckets.get(scanKey(pool, lease)) ?? 0, lease.count));
  return buckets;
}

const scanSeatsUsed = (pool: Pool, leases: readonly Lease[]) => [...scanBuckets(pool, leases).values()].reduce((a, b) => a + b, 0);

/** Whether a full scan finds room in some pool for this request (no options file). */
function scanHasRoom(pools: PoolSet, now: number, req: ReturnType<typeof request>): boolean {
  return pools
    .usage(at(now))
    .filter((u) => u.pool.name === req.feature && compareVersions(u.pool.version, req.version) >= 0 && u.notServed === null)
    .some((u) => {
      const issued = issuedSeats(u.pool, now);
      if (issued === null) return true;
      // a lingering lease of the same user/host/display is taken over, so it does not count
      const remaining = u.leases.filter((l) => !(l.lingerUntilMs !== null && l.user === req.user && l.host === req.host && l.display === req.display));
      const candidate = { ...remaining[0], leaseId: req.leaseId, user: req.user, host: req.host, display: req.display, count: req.count } as Lease;
      const held = scanBuckets(u.pool, remaining).get(scanKey(u.pool, candidate)) ?? 0;
      return Math.max(0, req.count - held) <= issued - scanSeatsUsed(u.pool, remaining);
    });
}

type Command =
  | { kind: 'checkout'; user: number; host: number; display: number; version: '1.0' | '2.0'; count: number }
  | { kind: 'checkin'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'remove'; user: number; host: number }
  | { kind: 'reread'; drop: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('checkout' as const),
      user: fc.nat(users.length - 1),
      host: fc.nat(hosts.length - 1),
      display: fc.nat(1),
      version: fc.constantFrom('1.0' as const, '2.0' as const),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('checkin' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), user: fc.nat(users.length - 1), host: fc.nat(hosts.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reread' as const), drop: fc.nat() }) },
);

const linesArb: fc.Arbitrary<PoolLine[]> = fc.array(
  fc
    .record({
      keyword: fc.constantFrom('FEATURE' as const, 'INCREMENT' as const),
      version: fc.constantFrom('1.0', '2.0'),
      count: fc.integer({ min: 1, max: 3 }),
      linger: fc.constantFrom(null, 0, 15, 15),
      dupGroup: fc.constantFrom(null, 'NONE', 'UHD', 'U', 'H', 'UH', 'SITE', 'V'),
    })
    .map((l) => line(l)),
  { minLength: 1, maxLength: 4 },
);

describe('seat index agrees with a full scan', () => {
  it('seats in use and checkout decisions, through grants, lingers, checkins, reclaims, removes, rereads and restores', () => {
    fc.assert(
      fc.property(linesArb, fc.array(commandArb, { maxLength: 60 }), (lines, commands) => {
        let pools = new PoolSet(lines);
        let now = NOW;
        const check = () => {
          for (const u of pools.usage(at(now))) expect(u.inUse).toBe(scanSeatsUsed(u.pool, u.leases));
        };
        for (const [step, command] of commands.entries()) {
          switch (command.kind) {
            case 'checkout': {
              const req = request({
                user: users[command.user],
                host: hosts[command.host],
                display: `:${command.display}`,
                version: command.version,
                count: command.count,
              });
              const expected = scanHasRoom(pools, now, req);
              const decision = pools.checkout(req, at(now), null);
              expect('granted' in decision).toBe(expected);
              break;
            }
            case 'checkin': {
              const active = pools.leases().filter((l) => l.lingerUntilMs === null);
              if (active.length > 0) pools.checkin(active[command.pick % active.length].leaseId, now);
              break;
            }
            case 'advance':
              now += command.ms;
              {
                const idle = pools.idleLeases(now, { heartbeatIntervalMs: 10_000 });
                for (const lease of [...idle.timedOut, ...idle.lingerEnded]) pools.removeLease(lease.leaseId);
              }
              break;
            case 'remove':
              for (const lease of pools.matching({ feature: 'f1', user: users[command.user], host: hosts[command.host] })) pools.removeLease(lease.leaseId);
              break;
            case 'reread':
              // an lmreread that drops a line: leases stay, possibly in a pool that is gone
              pools.resize(lines.filter((_, i) => lines.length === 1 || i !== command.drop % lines.length));
              break;
          }
          check();
          if (step % 10 === 9) {
            // a restart: the index is rebuilt from the lease list (lingering seats linger anew) and must agree as well
            const restored = new PoolSet([]);
            restored.restore(pools.leases(), now);
            restored.resize(pools.pools.flatMap((pool) => pool.lines));
            pools = restored;
            check();
          }
        }
      }),
      { numRuns: 600 },
    );
  });

  it('finds a client seat by its resume token until it is checked in', () => {
    const pools = new PoolSet([line({ count: 2, linger: 10 })]);
    const first = pools.checkout(request({ resumeToken: 'tok-a' }), at(NOW), null);
    expect('granted' in first && pools.leaseByResumeToken('tok-a')?.leaseId).toBe('granted' in first ? first.granted.leaseId : '');
    if ('granted' in first) pools.checkin(first.granted.leaseId, NOW);
    expect(pools.leaseByResumeToken('tok-a')).toBeUndefined();
    expect(pools.leaseByResumeToken('unknown')).toBeUndefined();
  });
});
