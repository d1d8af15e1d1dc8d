import { at } from '../../support/instant';
import { describe, expect, it } from 'vitest';
import { parseOptionsFile } from '../../../src/core/options';
import { PoolSet, type CheckoutDecision, type IdlePolicy, type Lease, type RemoveTarget } from '../../../src/core/pool';
import { DAY, NOW, line, request } from './builders';

const opts = (text: string) => parseOptionsFile(text, 'ibmratl.opt').options;

function granted(decision: CheckoutDecision): Lease {
  if (!('granted' in decision)) throw new Error(`expected a grant, got ${decision.denied.reason}`);
  return decision.granted;
}

function deniedCode(decision: CheckoutDecision): string {
  return 'denied' in decision ? decision.denied.code : 'GRANTED';
}

/** What the licensing service does once a release is durable: idle or named leases leave the pools. */
function reclaim(pools: PoolSet, monoMs: number, idle: IdlePolicy) {
  const found = pools.idleLeases(monoMs, idle);
  for (const lease of [...found.timedOut, ...found.lingerEnded]) pools.removeLease(lease.leaseId);
  return found;
}

function remove(pools: PoolSet, target: RemoveTarget) {
  const found = pools.matching(target);
  for (const lease of found) pools.removeLease(lease.leaseId);
  return found;
}

describe('checkout denials', () => {
  it('grants until the count, then says the licensed number of users is reached', () => {
    const pools = new PoolSet([line({ count: 2 })]);
    granted(pools.checkout(request(), at(NOW), null));
    granted(pools.checkout(request({ user: 'ben' }), at(NOW), null));
    const third = pools.checkout(request({ user: 'cy' }), at(NOW), null);
    expect(third).toEqual({ denied: { code: 'MAX_USERS', major: -4, minor: 342, reason: 'Licensed number of users already reached. (-4,342)' } });
    expect(deniedCode(pools.checkout(request({ count: 3 }), at(NOW), null))).toBe('MAX_USERS');
  });

  it('names unknown features, too-high versions, bad counts', () => {
    const pools = new PoolSet([line({ version: '2.0' })]);
    expect(pools.checkout(request({ feature: 'nope' }), at(NOW), null)).toMatchObject({
      denied: { code: 'NO_SUCH_FEATURE', reason: 'No such feature exists. (-5,222)' },
    });
    expect(pools.checkout(request({ version: '2.1' }), at(NOW), null)).toMatchObject({
      denied: { code: 'VERSION_TOO_HIGH', reason: expect.stringMatching(/^License server does not support this version of this feature\. \(-25,\d+\)$/) },
    });
    granted(pools.checkout(request({ version: '1.5' }), at(NOW), null));
    expect(deniedCode(pools.checkout(request({ count: 0 }), at(NOW), null))).toBe('BAD_REQUEST');
  });

  it('refuses expired, not yet started and not served lines', () => {
    const expired = new PoolSet([line({ expiry: { year: 2026, month: 6, day: 14 } })]);
    expect(expired.checkout(request(), at(NOW), null)).toMatchObject({
      denied: { code: 'EXPIRED', major: -10, reason: expect.stringContaining('Feature has expired.') },
    });
    const future = new PoolSet([line({ startMs: NOW + DAY })]);
    expect(future.checkout(request(), at(NOW), null)).toMatchObject({ denied: { code: 'NOT_STARTED', major: -31 } });
    granted(future.checkout(request(), at(NOW + DAY), null));
    const unsigned = new PoolSet([line({ notServed: { code: 'BAD_SIGNATURE', detail: 'no trusted key for ibmratl' } })]);
    expect(unsigned.checkout(request(), at(NOW), null)).toMatchObject({
      denied: { code: 'BAD_SIGNATURE', reason: expect.stringMatching(/^Invalid license signature; no trusted key for ibmratl\. \(-8,\d+\)$/) },
    });
  });

  it('applies the options file: EXCLUDE, INCLUDE and MAX', () => {
    const pools = new PoolSet([line({ count: 10 })]);
    expect(pools.checkout(request({ user: 'lori' }), at(NOW), opts('EXCLUDE f1 USER lori'))).toMatchObject({
      denied: { code: 'EXCLUDED', reason: expect.stringContaining('User/host on EXCLUDE list for feature. (-38,') },
    });
    expect(pools.checkout(request({ user: 'eve' }), at(NOW), opts('INCLUDE f1 USER bob'))).toMatchObject({
      denied: { code: 'NOT_INCLUDED', reason: expect.stringContaining('User/host not on INCLUDE list for feature. (-39,') },
    });
    const max = opts('GROUP devs ann ben\nMAX 2 f1 GROUP devs');
    granted(pools.checkout(request({ user: 'ann' }), at(NOW), max));
    granted(pools.checkout(request({ user: 'ben' }), at(NOW), max));
    expect(deniedCode(pools.checkout(request({ user: 'ann' }), at(NOW), max))).toBe('OPTIONS_MAX');
    granted(pools.checkout(request({ user: 'zed' }), at(NOW), max));
  });

  it('serves USER_BASED features only to users named on INCLUDE lines', () => {
    const pools = new PoolSet([line({ userBased: true, count: 5 })]);
    const policy = opts('INCLUDE f1 USER ann');
    granted(pools.checkout(request({ user: 'ann' }), at(NOW), policy));
    expect(pools.checkout(request({ user: 'bob' }), at(NOW), policy)).toMatchObject({
      denied: { code: 'NOT_AUTHORIZED_USER', major: -39, reason: expect.stringContaining('INCLUDE f1 USER bob') },
    });
    expect(deniedCode(pools.checkout(request({ user: 'ann' }), at(NOW), null))).toBe('NOT_AUTHORIZED_USER');
  });

  it('reports the most telling denial across pools of the same feature', () => {
    const pools = new PoolSet([line({ version: '2.0', expiry: { year: 2020, month: 1, day: 1 } }), line({ version: '1.0', count: 1 })]);
    granted(pools.checkout(request(), at(NOW), null));
    expect(deniedCode(pools.checkout(request(), at(NOW), null))).toBe('MAX_USERS');
  });
});

describe('pool choice', () => {
  it('serves a request from a pool whose version is at least the one asked, highest first', () => {
    const pools = new PoolSet([line({ version: '1.0', count: 1 }), line({ version: '3.0', count: 1 })]);
    expect(granted(pools.checkout(request({ version: '2.0' }), at(NOW), null)).poolKey).toBe(pools.pools[1].key);
    expect(deniedCode(pools.checkout(request({ version: '2.0' }), at(NOW), null))).toBe('MAX_USERS');
    expect(granted(pools.checkout(request({ version: '1.0' }), at(NOW), null)).poolKey).toBe(pools.pools[0].key);
  });
});

describe('reservations', () => {
  const policy = opts('RESERVE 1 f1 USER robert');

  it('holds reserved seats for their owner only', () => {
    const pools = new PoolSet([line({ count: 2 })]);
    granted(pools.checkout(request({ user: 'ann' }), at(NOW), policy));
    expect(deniedCode(pools.checkout(request({ user: 'ben' }), at(NOW), policy))).toBe('MAX_USERS');
    granted(pools.checkout(request({ user: 'robert' }), at(NOW), policy));
  });

  it('lets the owner use unreserved seats too, and ignores reservations beyond the count', () => {
    const pools = new PoolSet([line({ count: 2 })]);
    granted(pools.checkout(request({ user: 'robert' }), at(NOW), policy));
    granted(pools.checkout(request({ user: 'ann' }), at(NOW), policy));
    const big = new PoolSet([line({ count: 2 })]);
    const overbooked = opts('RESERVE 5 f1 USER robert\nRESERVE 5 f1 USER ann');
    granted(big.checkout(request({ user: 'robert' }), at(NOW), overbooked));
    granted(big.checkout(request({ user: 'robert' }), at(NOW), overbooked));
    expect(deniedCode(big.checkout(request({ user: 'ann' }), at(NOW), overbooked))).toBe('MAX_USERS');
  });

  it('holds a RESERVE once per feature, in its first pool, not once in every pool (issue 15)', () => {
    const pools = new PoolSet([line({ version: '1.0', count: 2 }), line({ version: '2.0', count: 2 })]);
    // 4 seats, 1 reserved for robert: three other users fit
    for (const user of ['ann', 'ben', 'cy']) granted(pools.checkout(request({ user }), at(NOW), policy));
    expect(deniedCode(pools.checkout(request({ user: 'dee' }), at(NOW), policy))).toBe('MAX_USERS');
    expect(granted(pools.checkout(request({ user: 'robert' }), at(NOW), policy)).poolKey).toBe(pools.pools[0].key);
    expect(pools.reservationRules(pools.pools[0], policy).map((rule) => rule.target.name)).toEqual(['robert']);
    expect(pools.reservationRules(pools.pools[1], policy)).toEqual([]);
  });
});

describe('checkin, linger, heartbeat, reclaim, remove', () => {
  it('frees the seat at checkin', () => {
    const pools = new PoolSet([line({ count: 1 })]);
    const lease = granted(pools.checkout(request(), at(NOW), null));
    expect(pools.checkin(lease.leaseId, NOW)).toEqual(lease);
    expect(pools.checkin(lease.leaseId, NOW)).toBeNull();
    granted(pools.checkout(request({ user: 'ben' }), at(NOW), null));
  });

  it('keeps a lingering seat until the linger ends, and gives it back to the same user at once', () => {
    const pools = new PoolSet([line({ count: 1, linger: 30 })]);
    const lease = granted(pools.checkout(request(), at(NOW), null));
    expect(pools.checkin(lease.leaseId, NOW)?.lingerUntilMs).toBe(NOW + 30_000);
    expect(pools.usage(at(NOW))[0].inUse).toBe(1);
    expect(deniedCode(pools.checkout(request({ user: 'ben' }), at(NOW + 29_000), null))).toBe('MAX_USERS');
    const again = pools.checkout(request(), at(NOW + 10_000), null);
    expect(again).toMatchObject({ releases: [lease.leaseId] });
    expect(pools.leases().map((l) => l.leaseId)).toEqual([granted(again).leaseId]);
  });

  it('holds a seat while its grant is written (a second checkout of the last seat is denied); a failed write gives back it and the lingering seat', () => {
    const pools = new PoolSet([line({ count: 2, linger: 30 })]);
    const lingering = granted(pools.checkout(request(), at(NOW), null));
    pools.checkin(lingering.leaseId, NOW);
    granted(pools.checkout(request({ user: 'ben' }), at(NOW), null));
    // ann takes her lingering seat back; while that grant is being written the pool is full
    const pending = pools.checkout(request(), at(NOW + 1_000), null);
    if (!('granted' in pending)) throw new Error('expected a grant');
    expect(pending.released.map((lease) => lease.leaseId)).toEqual([lingering.leaseId]);
    expect(deniedCode(pools.checkout(request({ user: 'cy' }), at(NOW + 1_000), null))).toBe('MAX_USERS');
    // its write failed (an fsync error, a lost quorum): nothing granted, nothing leaked
    pools.undoCheckout(pending.granted, pending.released);
    expect(pools.lease(pending.granted.leaseId)).toBeUndefined();
    expect(pools.lease(lingering.leaseId)?.lingerUntilMs).toBe(NOW + 30_000);
    expect(pools.usage(at(NOW + 1_000))[0].inUse).toBe(2);
    // the lingering seat is still ann's to take back
    expect(pools.checkout(request(), at(NOW + 2_000), null)).toMatchObject({ releases: [lingering.leaseId] });
  });

  it('MAX does not count the lingering seat a user is taking back', () => {
    const pools = new PoolSet([line({ count: 5, linger: 60 })]);
    const max = opts('MAX 1 f1 USER ann');
    const lease = granted(pools.checkout(request({ user: 'ann' }), at(NOW), max));
    pools.checkin(lease.leaseId, NOW);
    expect(pools.checkout(request({ user: 'ann' }), at(NOW + 1_000), max)).toMatchObject({ releases: [lease.leaseId] });
    // a second seat while the first is held is still over the MAX
    expect(deniedCode(pools.checkout(request({ user: 'ann', host: 'other' }), at(NOW + 2_000), max))).toBe('OPTIONS_MAX');
  });

  it('ends linger (idleLeases); the options file LINGER counts too', () => {
    const pools = new PoolSet([line({ count: 1 })]);
    const lease = granted(pools.checkout(request(), at(NOW), opts('LINGER f1 20')));
    expect(lease.lingerSeconds).toBe(20);
    pools.checkin(lease.leaseId, NOW);
    expect(pools.idleLeases(NOW + 19_999, { heartbeatIntervalMs: 1000 }).lingerEnded).toEqual([]);
    expect(pools.usage(at(NOW + 20_000))[0].inUse).toBe(0);
    expect(reclaim(pools, NOW + 20_000, { heartbeatIntervalMs: 1000 }).lingerEnded.map((l) => l.leaseId)).toEqual([lease.leaseId]);
    expect(pools.leases()).toEqual([]);
  });

  it('reclaims a lease after three missed heartbeats, or after its options TIMEOUT', () => {
    const pools = new PoolSet([line({ count: 5 })]);
    const quiet = granted(pools.checkout(request(), at(NOW), null));
    const alive = granted(pools.checkout(request(), at(NOW), null));
    const idle = { heartbeatIntervalMs: 10_000 };
    expect(pools.heartbeat(alive.leaseId, NOW + 25_000)).toBe(true);
    expect(reclaim(pools, NOW + 30_000, idle).timedOut).toEqual([]);
    // found idle, the seat stays taken until the caller frees it (once that is durable)
    expect(pools.idleLeases(NOW + 30_001, idle).timedOut.map((l) => l.leaseId)).toEqual([quiet.leaseId]);
    expect(pools.usage(at(NOW + 30_001))[0].inUse).toBe(2);
    expect(reclaim(pools, NOW + 30_001, idle).timedOut.map((l) => l.leaseId)).toEqual([quiet.leaseId]);
    expect(pools.heartbeat(quiet.leaseId, NOW + 30_002)).toBe(false);
    const custom = { ...idle, timeoutSecondsFor: () => 3600 };
    expect(reclaim(pools, NOW + 25_000 + 3_600_000, custom).timedOut).toEqual([]);
    expect(reclaim(pools, NOW + 25_001 + 3_600_000, custom).timedOut.map((l) => l.leaseId)).toEqual([alive.leaseId]);
  });

  it('lmremove frees every lease of that user, host and feature, lingering ones too', () => {
    const pools = new PoolSet([line({ count: 5, linger: 60 })]);
    const a = granted(pools.checkout(request(), at(NOW), null));
    const b = granted(pools.checkout(request({ display: ':1' }), at(NOW), null));
    granted(pools.checkout(request({ user: 'ben' }), at(NOW), null));
    pools.checkin(a.leaseId, NOW);
    expect(remove(pools, { feature: 'f1', user: 'ann', host: 'WS1', display: ':1' }).map((l) => l.leaseId)).toEqual([b.leaseId]);
    expect(remove(pools, { feature: 'f1', user: 'ann', host: 'ws1' }).map((l) => l.leaseId)).toEqual([a.leaseId]);
    expect(pools.leases().map((l) => l.user)).toEqual(['ben']);
  });
});

describe('DUP_GROUP', () => {
  it('lets the same user, host and display share one seat', () => {
    const pools = new PoolSet([line({ count: 1, dupGroup: 'UHD' })]);
    const a = granted(pools.checkout(request(), at(NOW), null));
    const b = granted(pools.checkout(request(), at(NOW), null));
    expect(pools.usage(at(NOW))[0].inUse).toBe(1);
    expect(deniedCode(pools.checkout(request({ display: ':9' }), at(NOW), null))).toBe('MAX_USERS');
    pools.checkin(a.leaseId, NOW);
    expect(deniedCode(pools.checkout(request({ user: 'ben' }), at(NOW), null))).toBe('MAX_USERS');
    pools.checkin(b.leaseId, NOW);
    granted(pools.checkout(request({ user: 'ben' }), at(NOW), null));
  });
});

describe('resize (lmreread) and restore', () => {
  it('keeps current leases; added seats serve at once; removed seats block new grants only', () => {
    const pools = new PoolSet([line({ count: 2 })]);
    const a = granted(pools.checkout(request(), at(NOW), null));
    granted(pools.checkout(request(), at(NOW), null));
    pools.resize([line({ count: 3 })]);
    granted(pools.checkout(request(), at(NOW), null));
    pools.resize([line({ count: 1 })]);
    expect(pools.leases()).toHaveLength(3);
    expect(pools.usage(at(NOW))[0]).toMatchObject({ issued: 1, inUse: 3 });
    expect(deniedCode(pools.checkout(request(), at(NOW), null))).toBe('MAX_USERS');
    pools.checkin(a.leaseId, NOW);
    expect(deniedCode(pools.checkout(request(), at(NOW), null))).toBe('MAX_USERS');
  });

  it('restore rebuilds leases, handles and fresh heartbeat clocks', () => {
    const pools = new PoolSet([line({ count: 3 })]);
    const a = granted(pools.checkout(request(), at(NOW), null));
    const b = granted(pools.checkout(request(), at(NOW), null));
    expect([a.handle, b.handle]).toEqual([1, 2]);
    const restored = new PoolSet([line({ count: 3 })]);
    restored.restore(pools.leases(), NOW + 100_000);
    expect(restored.leases()).toEqual(pools.leases());
    expect(restored.idleLeases(NOW + 102_000, { heartbeatIntervalMs: 1000 }).timedOut).toEqual([]);
    expect(granted(restored.checkout(request(), at(NOW + 102_000), null)).handle).toBe(3);
    expect(deniedCode(restored.checkout(request(), at(NOW + 102_000), null))).toBe('MAX_USERS');
  });

  it('evaluate decides without changing state; grant applies a replicated lease', () => {
    const leader = new PoolSet([line({ count: 1 })]);
    const follower = new PoolSet([line({ count: 1 })]);
    const decision = leader.evaluate(request(), at(NOW), null);
    expect(leader.leases()).toEqual([]);
    follower.grant(granted(decision), NOW);
    expect(deniedCode(follower.evaluate(request(), at(NOW), null))).toBe('MAX_USERS');
  });
});
