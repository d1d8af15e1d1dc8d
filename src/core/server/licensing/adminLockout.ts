/**
 * Rate limit on refused admin requests, per source address (issue 7): after `maxFailures` wrong
 * or missing tokens (or remote requests while remote admin is off) within `windowMs`, the address
 * is locked out for `lockoutMs`: its bad requests are then refused without a log line or an
 * audit row, so a flood costs no disk. The right token still gets in (it is 256 random bits;
 * guessing is hopeless, and nobody may lock the administrator out).
 * Pure: time is passed in. Memory is bounded by `maxTrackedAddresses`.
 */

export interface AdminLockoutPolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  maxTrackedAddresses: number;
}

export const defaultAdminLockoutPolicy: AdminLockoutPolicy = {
  maxFailures: 5,
  windowMs: 60_000,
  lockoutMs: 5 * 60_000,
  maxTrackedAddresses: 10_000,
};

interface AddressRecord {
  windowStartMs: number;
  failures: number;
  lockedUntilMs: number;
}

export class AdminLockout {
  private readonly addresses = new Map<string, AddressRecord>();
  private failureCount = 0;
  private lockoutCount = 0;

  constructor(readonly policy: AdminLockoutPolicy = defaultAdminLockoutPolicy) {}

  /** When the address may try again, or null when it is not locked out. */
  lockedUntil(address: string, nowMs: number): number | null {
    const record = this.addresses.get(address);
    return record && record.lockedUntilMs > nowMs ? record.lockedUntilMs : null;
  }

  /** Counts a failed authentication; returns the end of the lockout when this failure starts one. */
  recordFailure(address: string, nowMs: number): number | null {
    this.failureCount += 1;
    let record = this.addresses.get(address);
    if (!record || nowMs - record.windowStartMs >= this.policy.windowMs) {
      if (!record) this.makeRoom(nowMs);
      record = { windowStartMs: nowMs, failures: 0, lockedUntilMs: record?.lockedUntilMs ?? 0 };
      // re-inserted so the map's order stays oldest-activity first
      this.addresses.delete(address);
      this.addresses.set(address, record);
    }
    record.failures += 1;
    if (record.failures < this.policy.maxFailures) return null;
    record.lockedUntilMs = nowMs + this.policy.lockoutMs;
    record.failures = 0;
    record.windowStartMs = nowMs;
    this.lockoutCount += 1;
    return record.lockedUntilMs;
  }

  /** A correct token clears the address's failures. */
  recordSuccess(address: string): void {
    this.addresses.delete(address);
  }

  get failures(): number {
    return this.failureCount;
  }

  get lockouts(): number {
    return this.lockoutCount;
  }

  private makeRoom(nowMs: number): void {
    if (this.addresses.size < this.policy.maxTrackedAddresses) return;
    for (const [address, record] of this.addresses) {
      if (record.lockedUntilMs <= nowMs && nowMs - record.windowStartMs >= this.policy.windowMs) this.addresses.delete(address);
    }
    // still full (a flood from many addresses): forget the oldest failures, lockouts last
    for (const [address, record] of this.addresses) {
      if (this.addresses.size < this.policy.maxTrackedAddresses) return;
      if (record.lockedUntilMs <= nowMs) this.addresses.delete(address);
    }
    while (this.addresses.size >= this.policy.maxTrackedAddresses) this.addresses.delete(this.addresses.keys().next().value!);
  }
}
