import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalVersion, compareVersions } from '../../../src/core/options/version';
import { fuzzSettings } from '../../support/fuzzSettings';

describe('feature versions are decimals (reference 1.5)', () => {
  it('orders them as numbers, not part by part', () => {
    expect(compareVersions('6.01', '6.1')).toBe(-1); // IBM's 6.01 line does not serve a 6.1 request
    expect(compareVersions('1.10', '1.9')).toBe(-1);
    expect(compareVersions('1.10', '1.1')).toBe(0);
    expect(compareVersions('2', '2.0')).toBe(0);
    expect(compareVersions('10.0', '9.99')).toBe(1);
    expect(compareVersions('2022.0315', '2022.1')).toBe(-1);
    expect(compareVersions('007.5', '7.50')).toBe(0);
  });

  it('writes one canonical form per number, so 1.0 and 1.00 make one pool', () => {
    expect(['1.0', '1.00', '01', '1.'].map(canonicalVersion)).toEqual(['1', '1', '1', '1']);
    expect(canonicalVersion('6.010')).toBe('6.01');
    expect(canonicalVersion('beta')).toBe('beta');
  });

  it('agrees with the numeric order of the decimals', () => {
    const decimal = fc
      .tuple(fc.nat(9999), fc.nat(9999), fc.integer({ min: 0, max: 3 }))
      .map(([whole, part, pad]) => `${whole}.${String(part).padStart(pad + 1, '0')}`);
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const numeric = Math.sign(Number(a) - Number(b));
        expect(compareVersions(a, b)).toBe(numeric === 0 ? 0 : numeric);
      }),
      fuzzSettings({ seed: 61, numRuns: 2_000 }),
    );
  });
});
