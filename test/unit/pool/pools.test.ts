import { describe, expect, it } from 'vitest';
import { buildPools, expiresAtMs, issuedSeats, poolKeyOf } from '../../../src/core/pool';
import { DAY, NOW, line } from './builders';

describe('buildPools (reference 1.5)', () => {
  it('adds every INCREMENT of the same key to one pool', () => {
    const { pools, ignored } = buildPools([line({ count: 2 }), line({ count: 3, source: 'b:2' })]);
    expect(pools).toHaveLength(1);
    expect(issuedSeats(pools[0], NOW)).toBe(5);
    expect(ignored).toEqual([]);
  });

  it('counts only the first FEATURE line of a pool, reporting the others', () => {
    const first = line({ keyword: 'FEATURE', count: 4, source: 'l:1' });
    const again = line({ keyword: 'FEATURE', count: 9, source: 'l:2' });
    const { pools, ignored } = buildPools([first, again, line({ count: 1 })]);
    expect(issuedSeats(pools[0], NOW)).toBe(5);
    expect(ignored).toEqual([{ line: again, reason: expect.stringContaining('only the first FEATURE line of "f1" counts (l:1)') }]);
  });

  it('counts a pasted copy of a signed line once (the same SIGN= is the same signed line)', () => {
    const signed = line({ count: 5, attrs: { SIGN: 'AB12 CD34' }, source: 'l:1' });
    const copy = line({ count: 5, attrs: { SIGN: 'AB12 CD34', sort: '1' }, source: 'l:9' });
    const { pools, ignored } = buildPools([signed, copy, line({ count: 1, attrs: { SIGN: 'EF56' }, source: 'l:12' })]);
    expect(issuedSeats(pools[0], NOW)).toBe(6);
    expect(ignored).toEqual([{ line: copy, reason: 'a copy of l:1 (the same signed line): a line\'s seats count once' }]);
  });

  it('counts only the first FEATURE line of a feature name, whatever its version', () => {
    const first = line({ keyword: 'FEATURE', count: 5, source: 'l:1' });
    const other = line({ keyword: 'FEATURE', version: '2.0', count: 5, source: 'l:2' });
    const { pools, ignored } = buildPools([first, other]);
    expect(pools).toHaveLength(1);
    expect(ignored).toEqual([{ line: other, reason: expect.stringContaining('only the first FEATURE line of "f1" counts (l:1)') }]);
  });

  it('does not let a FEATURE line the server cannot serve hide the good one after it', () => {
    const edited = line({ keyword: 'FEATURE', count: 50, notServed: { code: 'BAD_SIGNATURE', detail: 'its SIGN= does not verify' }, source: 'l:1' });
    const good = line({ keyword: 'FEATURE', count: 5, source: 'l:2' });
    const { pools, ignored } = buildPools([edited, good]);
    expect(pools[0].lines).toEqual([good]);
    expect(issuedSeats(pools[0], NOW)).toBe(5);
    expect(ignored).toEqual([]);
  });

  it('puts a FEATURE line first even when an INCREMENT of its pool came before it', () => {
    const { pools } = buildPools([line({ count: 1 }), line({ keyword: 'FEATURE', count: 4 })]);
    expect(pools[0].lines.map((l) => l.keyword)).toEqual(['FEATURE', 'INCREMENT']);
  });

  it('separates pools by version, VENDOR_STRING, DUP_GROUP, HOSTID, USER_BASED and the listed keywords', () => {
    const variants = [
      line(),
      line({ version: '2.0' }),
      line({ vendorString: 'pro' }),
      line({ dupGroup: 'UHD' }),
      line({ hostid: '001122334455' }),
      line({ userBased: true }),
      line({ vendor: 'other' }),
      ...['BORROW', 'FLOAT_OK', 'HOST_BASED', 'PLATFORMS', 'TZ', 'VM_PLATFORMS'].map((key) => line({ attrs: { [key]: '1' } })),
    ];
    const { pools } = buildPools(variants);
    expect(pools).toHaveLength(variants.length);
    expect(new Set(variants.map(poolKeyOf)).size).toBe(variants.length);
  });

  it('keeps lines that differ only in count, expiry, notices or other attributes together', () => {
    const { pools } = buildPools([line({ expiry: { year: 2027, month: 1, day: 1 } }), line({ attrs: { NOTICE: 'x', ISSUED: '1-jan-2026' } })]);
    expect(pools).toHaveLength(1);
  });
});

describe('line validity in time', () => {
  it('a dated line is served through the end of its expiry day (UTC); year 0 is permanent', () => {
    const dated = line({ expiry: { year: 2026, month: 6, day: 15 } });
    expect(expiresAtMs(dated)).toBe(Date.UTC(2026, 5, 16));
    expect(expiresAtMs(line({ expiry: { year: 0, month: 1, day: 1 } }))).toBeNull();
    const { pools } = buildPools([dated, line({ expiry: { year: 2026, month: 6, day: 14 }, count: 5 })]);
    expect(issuedSeats(pools[0], NOW)).toBe(2);
    expect(issuedSeats(pools[0], NOW + DAY)).toBe(0);
  });

  it('uncounted anywhere in force makes the pool uncounted; lines not served add nothing', () => {
    const { pools } = buildPools([line({ count: 'uncounted' }), line({ count: 3 })]);
    expect(issuedSeats(pools[0], NOW)).toBeNull();
    const bad = buildPools([line({ count: 3, notServed: { code: 'BAD_SIGNATURE', detail: 'x' } }), line({ count: 1 })]);
    expect(issuedSeats(bad.pools[0], NOW)).toBe(1);
  });
});
