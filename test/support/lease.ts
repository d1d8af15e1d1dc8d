import type { Lease } from '../../src/core/pool';

/** A seat as the lease table holds it, for tests that need one and care about few of its fields. */
export function aLease(leaseId: string, overrides: Partial<Lease> = {}): Lease {
  return {
    leaseId,
    poolKey: '["v","f"]',
    feature: 'f',
    vendor: 'v',
    version: '1.0',
    user: 'ann',
    host: 'ws1',
    display: ':0',
    ip: '10.0.0.1',
    project: null,
    count: 1,
    grantedAt: 1_780_000_000_000,
    resumeToken: `rt-${leaseId}`,
    clientId: 'c1',
    server: 'srv',
    handle: 1,
    lingerSeconds: 0,
    lingerUntilMs: null,
    ...overrides,
  };
}
