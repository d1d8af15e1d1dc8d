import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageCutoff, planTrim, SIZE_TRIM_TARGET, type LogSnapshot } from '../../../src/core/retention/plan';
import { fuzzSettings } from '../../support/fuzzSettings';

const MB = 1024 * 1024;
const snapshot = (over: Partial<LogSnapshot> = {}): LogSnapshot => ({
  firstId: 1,
  lastId: 100_000,
  rows: 100_000,
  bytesPerRow: 100,
  lastIdTooOld: null,
  ...over,
});

describe('planTrim', () => {
  it('leaves a log within its limits alone', () => {
    expect(planTrim(snapshot(), { maxAgeDays: 90, maxMegabytes: 100 }, 1e9)).toBeNull();
    expect(planTrim(snapshot({ lastIdTooOld: 500 }), { maxAgeDays: 0, maxMegabytes: 0 }, 1e9)).toBeNull();
  });

  it('removes the rows older than the age limit', () => {
    expect(planTrim(snapshot({ lastIdTooOld: 500 }), { maxAgeDays: 30, maxMegabytes: 0 }, 1e9)).toEqual({ throughId: 500, rows: 500, reason: 'age' });
  });

  it('trims a log over its size limit to 90% of it, from the oldest end', () => {
    // 100,000 rows of 100 bytes = 9.5 MB against 5 MB
    const plan = planTrim(snapshot(), { maxAgeDays: 0, maxMegabytes: 5 }, 1e9)!;
    const keep = Math.floor((5 * MB * SIZE_TRIM_TARGET) / 100);
    expect(plan).toEqual({ throughId: 100_000 - keep, rows: 100_000 - keep, reason: 'size' });
  });

  it('takes the wider of the two limits, bounded per pass, and never the newest row', () => {
    expect(planTrim(snapshot({ lastIdTooOld: 99_000 }), { maxAgeDays: 1, maxMegabytes: 5 }, 1e9)!.reason).toBe('age');
    expect(planTrim(snapshot({ lastIdTooOld: 100 }), { maxAgeDays: 1, maxMegabytes: 5 }, 1e9)!.reason).toBe('size');
    expect(planTrim(snapshot({ lastIdTooOld: 100_000 }), { maxAgeDays: 1, maxMegabytes: 0 }, 1e9)!.throughId).toBe(99_999);
    expect(planTrim(snapshot({ lastIdTooOld: 100_000 }), { maxAgeDays: 1, maxMegabytes: 0 }, 1_000)).toEqual({ throughId: 1_000, rows: 1_000, reason: 'age' });
    expect(planTrim(snapshot({ firstId: 7, lastId: 7, rows: 1, lastIdTooOld: 7 }), { maxAgeDays: 1, maxMegabytes: 0 }, 1e9)).toBeNull();
  });

  it('counts the age window back from now in whole days (0: no age limit)', () => {
    expect(ageCutoff({ maxAgeDays: 2, maxMegabytes: 0 }, 10 * 86_400_000)).toBe(8 * 86_400_000);
    expect(ageCutoff({ maxAgeDays: 0, maxMegabytes: 0 }, 10 * 86_400_000)).toBeNull();
  });

  it('property: a plan removes a prefix that keeps the newest row, and leaves the log within its size limit when unbounded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 0, max: 2e6 }),
        fc.integer({ min: 30, max: 500 }),
        fc.option(fc.integer({ min: 0, max: 3e6 }), { nil: null }),
        fc.record({ maxAgeDays: fc.integer({ min: 0, max: 400 }), maxMegabytes: fc.integer({ min: 0, max: 300 }) }),
        (firstId, extra, bytesPerRow, tooOld, limits) => {
          const lastId = firstId + extra;
          const rows = extra + 1;
          const lastIdTooOld = tooOld === null ? null : Math.min(lastId, firstId + tooOld);
          const plan = planTrim({ firstId, lastId, rows, bytesPerRow, lastIdTooOld }, limits, Number.MAX_SAFE_INTEGER);
          if (plan === null) return;
          expect(plan.throughId).toBeGreaterThanOrEqual(firstId);
          expect(plan.throughId).toBeLessThan(lastId);
          expect(plan.rows).toBe(plan.throughId - firstId + 1);
          if (limits.maxMegabytes > 0 && lastId - plan.throughId > 1)
            expect((lastId - plan.throughId) * bytesPerRow).toBeLessThanOrEqual(limits.maxMegabytes * MB);
          if (limits.maxAgeDays > 0 && lastIdTooOld !== null && lastIdTooOld < lastId) expect(plan.throughId).toBeGreaterThanOrEqual(lastIdTooOld);
        },
      ),
      fuzzSettings({ seed: 21, numRuns: 500 }),
    );
  });
});
