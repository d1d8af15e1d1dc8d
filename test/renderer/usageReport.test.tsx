// The Usage screen's data: report-log events replayed into seats in use over time (src/shared/usage).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildUsageReport, usageToCsv, type UsageEvent } from '../../src/shared/usage';

const ev = (time: number, event: UsageEvent['event'], feature = 'f', count = 1, reason: string | null = null): UsageEvent => ({
  time,
  event,
  feature,
  user: 'u',
  host: 'h',
  count,
  reason,
});

describe('usage report', () => {
  it('counts seats held before the range, and finds the peak and denials inside it', () => {
    const events = [
      ev(5, 'OUT'),
      ev(15, 'OUT', 'f', 2),
      ev(20, 'DENIED', 'f', 1, 'Licensed number of users already reached.'),
      ev(25, 'IN', 'f', 2),
      ev(30, 'RECLAIM'),
    ];
    const report = buildUsageReport(events, { sinceMs: 10, untilMs: 40, points: 4 }, new Map([['f', 3]]));
    // each point: the most in use since the previous one (3 held from 15 to 25)
    expect(report.points.map((p) => [p.time, p.inUse.f])).toEqual([
      [10, 1],
      [20, 3],
      [30, 3],
      [40, 0],
    ]);
    expect(report.peaks).toEqual([{ feature: 'f', peak: 3, at: 15, issued: 3 }]);
    expect(report.denials).toEqual([{ time: 20, feature: 'f', user: 'u', host: 'h', reason: 'Licensed number of users already reached.' }]);
    expect(usageToCsv(report).split('\r\n').slice(0, 2)).toEqual(['time,f', `${new Date(10).toISOString()},1`]);
  });

  it('shows a checkout shorter than the spacing of the points', () => {
    const report = buildUsageReport([ev(1_000, 'OUT', 'f', 2), ev(2_000, 'IN', 'f', 2)], { sinceMs: 0, untilMs: 100_000, points: 3 });
    expect(report.points.map((p) => p.inUse.f)).toEqual([0, 2, 0]);
    expect(report.peaks[0]!.peak).toBe(2);
  });

  it('never reports negative use or a point above the peak, for any event order', () => {
    const event = fc.record({
      time: fc.integer({ min: 0, max: 1000 }),
      event: fc.constantFrom<UsageEvent['event']>('OUT', 'IN', 'DENIED', 'RECLAIM', 'REMOVE'),
      feature: fc.constantFrom('a', 'b'),
      user: fc.constant('u'),
      host: fc.constant('h'),
      count: fc.integer({ min: 1, max: 3 }),
      reason: fc.constant(null),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.integer({ min: 2, max: 50 }), fc.integer({ min: 0, max: 1000 }), (raw, points, sinceMs) => {
        const events = [...raw].sort((x, y) => x.time - y.time);
        const report = buildUsageReport(events, { sinceMs, untilMs: 1000, points }, new Map());
        expect(report.points).toHaveLength(points);
        for (const p of report.points) {
          for (const feature of report.features) {
            const used = p.inUse[feature] ?? 0;
            expect(used).toBeGreaterThanOrEqual(0);
            expect(used).toBeLessThanOrEqual(report.peaks.find((k) => k.feature === feature)!.peak);
          }
        }
      }),
      { seed: 6, numRuns: 300 },
    );
  });
});
