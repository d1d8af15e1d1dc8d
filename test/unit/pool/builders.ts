import type { PoolCheckout, PoolLine } from '../../../src/core/pool';

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 5, 15, 12);

export function line(overrides: Partial<PoolLine> = {}): PoolLine {
  return {
    keyword: 'INCREMENT',
    name: 'f1',
    vendor: 'ibmratl',
    version: '1.0',
    count: 2,
    expiry: { permanent: true },
    startMs: null,
    vendorString: null,
    userBased: false,
    linger: null,
    dupGroup: null,
    hostid: null,
    attrs: {},
    notServed: null,
    source: 'test.lic:1',
    ...overrides,
  };
}

let counter = 0;

export function request(overrides: Partial<PoolCheckout> = {}): PoolCheckout {
  counter += 1;
  return {
    feature: 'f1',
    version: '1.0',
    count: 1,
    user: 'ann',
    host: 'ws1',
    display: '/dev/pts/1',
    ip: '10.0.0.1',
    clientId: `client-${counter}`,
    leaseId: `lease-${counter}`,
    resumeToken: `token-${counter}`,
    server: 'srv1',
    ...overrides,
  };
}
