import { describe, expect, it } from 'vitest';
import { AdminLockout } from '../../../src/core/server/licensing/adminLockout';

const policy = { maxFailures: 3, windowMs: 10_000, lockoutMs: 60_000, maxTrackedAddresses: 4 };

describe('AdminLockout', () => {
  it('locks an address out on the Nth failure within the window, until the lockout ends', () => {
    const lockout = new AdminLockout(policy);
    expect(lockout.recordFailure('10.0.0.1', 0)).toBeNull();
    expect(lockout.recordFailure('10.0.0.1', 1_000)).toBeNull();
    expect(lockout.lockedUntil('10.0.0.1', 1_000)).toBeNull();
    expect(lockout.recordFailure('10.0.0.1', 2_000)).toBe(62_000);
    expect(lockout.lockedUntil('10.0.0.1', 61_999)).toBe(62_000);
    expect(lockout.lockedUntil('10.0.0.2', 5_000)).toBeNull();
    expect(lockout.lockedUntil('10.0.0.1', 62_000)).toBeNull();
    expect({ failures: lockout.failures, lockouts: lockout.lockouts }).toEqual({ failures: 3, lockouts: 1 });
  });

  it('forgets failures older than the window, and all failures after a success', () => {
    const lockout = new AdminLockout(policy);
    lockout.recordFailure('a', 0);
    lockout.recordFailure('a', 1);
    expect(lockout.recordFailure('a', 10_000)).toBeNull();
    lockout.recordFailure('a', 10_001);
    lockout.recordSuccess('a');
    expect(lockout.recordFailure('a', 10_002)).toBeNull();
  });

  it('keeps at most maxTrackedAddresses addresses; a flood of new ones does not lift a lockout', () => {
    const lockout = new AdminLockout(policy);
    for (let i = 0; i < 3; i++) lockout.recordFailure('old', i);
    for (let i = 0; i < 100; i++) lockout.recordFailure(`flood-${i}`, 5);
    expect(lockout.lockedUntil('old', 6)).toBe(60_002);
    // flood-99 is tracked: two more failures lock it out
    lockout.recordFailure('flood-99', 6);
    expect(lockout.recordFailure('flood-99', 7)).toBe(60_007);
    // and the oldest failures were forgotten to make room
    lockout.recordFailure('flood-0', 8);
    expect(lockout.recordFailure('flood-0', 9)).toBeNull();
  });
});
