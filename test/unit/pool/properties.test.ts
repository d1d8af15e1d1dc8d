/**
 * Invariants of the pool state machine over random command sequences (fast-check):
 * seats in use never exceed the count (reservations and MAX included), a checkin frees exactly
 * what its grant took, and restore(leases) reproduces the state.
 */
import { at } from '../../support/instant';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesTarget, parseOptionsFile, selectorMatches } from '../../../src/core/options';
import { PoolSet, policyFeatureOf, type PoolLine } from '../../../src/core/pool';
import { NOW, line, request } from './builders';

const users = ['ann', 'ben', 'cy', 'dee', 'robert'];
const policy = parseOptionsFile(
  ['GROUP devs ann ben', 'RESERVE 2 f1 USER robert', 'RESERVE 1 f1 GROUP devs', 'MAX 2 f1 USER cy', 'MAX 3 f2 GROUP devs'].join('\n'),
  'p.opt',
).options;

type Command =
  | { kind: 'checkout'; user: number; feature: 'f1' | 'f2'; version: '1.0' | '2.0'; count: number }
  | { kind: 'checkin'; pick: number }
  | { kind: 'heartbeat'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'remove'; user: number; feature: 'f1' | 'f2' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('checkout' as const),
      user: fc.nat(users.length - 1),
      feature: fc.constantFrom('f1' as const, 'f2' as const),
      version: fc.constantFrom('1.0' as const, '2.0' as const),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('checkin' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('remove' as const), user: fc.nat(users.length - 1), feature: fc.constantFrom('f1' as const, 'f2' as const) }),
  },
);

const linesArb: fc.Arbitrary<PoolLine[]> = fc.array(
  fc.record({
    keyword: fc.constantFrom('FEATURE' as const, 'INCREMENT' as const),
    name: fc.constantFrom('f1', 'f2'),
    version: fc.constantFrom('1.0', '2.0'),
    count: fc.integer({ min: 1, max: 6 }),
    linger: fc.constantFrom(null, 0, 15),
    dupGroup: fc.constantFrom(null, 'UHD', 'U'),
  }).map((l) => line(l)),
  { minLength: 1, maxLength: 5 },
);

const idle = { heartbeatIntervalMs: 10_000 };

/** Runs commands, calling `check` after every step with the step's grant (if any). */
function run(
  lines: PoolLine[],
  commands: Command[],
  withPolicy: boolean,
  check: (pools: PoolSet, now: number, step: Command, freed: number | null) => void,
): PoolSet {
  const pools = new PoolSet(lines);
  let now = NOW;
  for (const command of commands) {
    let freed: number | null = null;
    switch (command.kind) {
      case 'checkout':
        pools.checkout(
          request({ user: users[command.user], feature: command.feature, version: command.version, count: command.count }),
          at(now),
          withPolicy ? policy : null,
        );
        break;
      case 'checkin': {
        const active = pools.leases().filter((l) => l.lingerUntilMs === null);
        if (active.length === 0) break;
        const lease = active[command.pick % active.length];
        const before = totalInUse(pools, now);
        pools.checkin(lease.leaseId, now);
        freed = before - totalInUse(pools, now);
        break;
      }
      case 'heartbeat': {
        const all = pools.leases();
        if (all.length > 0) pools.heartbeat(all[command.pick % all.length].leaseId, now);
        break;
      }
      case 'advance':
        now += command.ms;
        {
          const found = pools.idleLeases(now, idle);
          for (const lease of [...found.timedOut, ...found.lingerEnded]) pools.removeLease(lease.leaseId);
        }
        break;
      case 'remove':
        for (const lease of pools.matching({ feature: command.feature, user: users[command.user], host: 'ws1' })) pools.removeLease(lease.leaseId);
        break;
    }
    check(pools, now, command, freed);
  }
  return pools;
}

function totalInUse(pools: PoolSet, now: number): number {
  return pools.usage(at(now)).reduce((sum, u) => sum + u.inUse, 0);
}

describe('pool invariants', () => {
  it('in use never exceeds the count; reserved seats and MAX limits hold', () => {
    fc.assert(
      fc.property(linesArb, fc.array(commandArb, { maxLength: 60 }), (lines, commands) => {
        run(lines, commands, true, (pools, now) => {
          for (const usage of pools.usage(at(now))) {
            if (usage.issued !== null) expect(usage.inUse).toBeLessThanOrEqual(usage.issued);
          }
          for (const rule of policy.maxes) {
            let used = 0;
            for (const usage of pools.usage(at(now))) {
              if (!selectorMatches(rule.feature, policyFeatureOf(usage.pool))) continue;
              for (const lease of usage.leases) {
                if (matchesTarget(policy, rule.target, { user: lease.user, host: lease.host, display: lease.display, ip: lease.ip })) used += lease.count;
              }
            }
            expect(used).toBeLessThanOrEqual(rule.count);
          }
          // Seats robert may still claim are never taken by others: others hold at most count - 2,
          // in the pool that holds the feature's reservations (the first f1 pool).
          for (const usage of pools.usage(at(now))) {
            if (pools.reservationRules(usage.pool, policy).length === 0 || usage.issued === null || usage.pool.dupGroup !== null) continue;
            const others = usage.leases.filter((l) => l.user !== 'robert' && !['ann', 'ben'].includes(l.user)).reduce((s, l) => s + l.count, 0);
            expect(others).toBeLessThanOrEqual(Math.max(0, usage.issued - Math.min(2, usage.issued) - Math.min(1, Math.max(0, usage.issued - 2))));
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a checkin frees exactly the seats its grant took (no linger, no DUP_GROUP)', () => {
    const plainLines = linesArb.map((ls) => ls.map((l) => ({ ...l, linger: null, dupGroup: null })));
    fc.assert(
      fc.property(plainLines, fc.array(commandArb, { maxLength: 60 }), (lines, commands) => {
        const granted = new Map<string, number>();
        const pools = new PoolSet(lines);
        let now = NOW;
        for (const command of commands) {
          if (command.kind === 'checkout') {
            const decision = pools.checkout(
              request({ user: users[command.user], feature: command.feature, version: command.version, count: command.count }),
              at(now),
              null,
            );
            if ('granted' in decision) granted.set(decision.granted.leaseId, decision.granted.count);
          } else if (command.kind === 'checkin') {
            const all = pools.leases();
            if (all.length === 0) continue;
            const lease = all[command.pick % all.length];
            const before = totalInUse(pools, now);
            expect(pools.checkin(lease.leaseId, now)).not.toBeNull();
            expect(before - totalInUse(pools, now)).toBe(granted.get(lease.leaseId));
          } else if (command.kind === 'advance') {
            now += command.ms;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('restore(leases) reproduces usage and future decisions; a lingering seat lingers its whole LINGER again', () => {
    fc.assert(
      fc.property(
        linesArb,
        fc.array(commandArb, { maxLength: 60 }),
        fc.nat(users.length - 1),
        fc.integer({ min: 1, max: 3 }),
        (lines, commands, user, count) => {
          const original = run(lines, commands, true, () => {});
          const restoredAt = NOW + 10_000_000;
          const restored = new PoolSet(lines);
          restored.restore(original.leases(), restoredAt);
          // no wall-clock deadline is trusted across a restart: the linger starts again, never shorter
          const relingered = original.leases().map((l) => (l.lingerUntilMs === null ? l : { ...l, lingerUntilMs: restoredAt + l.lingerSeconds * 1000 }));
          expect(restored.leases()).toEqual(relingered);
          // once every linger is over, both agree on everything
          const later = restoredAt + 1 + Math.max(0, ...original.leases().map((l) => l.lingerSeconds * 1000));
          expect(restored.usage(at(later))).toEqual(original.usage(at(later)));
          const probe = request({ user: users[user], count });
          // Handles only need to be unique among current leases, so the next one may differ.
          const withoutHandle = (d: ReturnType<PoolSet['evaluate']>) => ('granted' in d ? { ...d, granted: { ...d.granted, handle: 0 } } : d);
          expect(withoutHandle(restored.evaluate(probe, at(later), policy))).toEqual(withoutHandle(original.evaluate(probe, at(later), policy)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
