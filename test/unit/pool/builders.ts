import type { PoolCheckout } from '../../../src/core/pool';

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 5, 15, 12);

export { poolLine as line } from '../../support/poolLine';

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
