import type { PoolLine } from '../../src/core/pool';

/** A permanent counted INCREMENT line for `f1` (2 seats, vendor ibmratl, no options); `overrides` change any field. */
export function poolLine(overrides: Partial<PoolLine> = {}): PoolLine {
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
