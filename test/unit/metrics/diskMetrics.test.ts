import { describe, expect, it } from 'vitest';
import { diskMetricFamilies, formatOpenMetrics } from '../../../src/core/metrics';
import { parseOpenMetrics } from '../../support/openMetricsParser';
import type { DiskStatus } from '../../../src/shared/logRetention';

const logs = {
  debug: { rows: 10, estimatedBytes: 1000, oldestMs: 1, newestMs: 2, rotatedThroughMs: null },
  report: { rows: 20, estimatedBytes: 3000, oldestMs: 1, newestMs: 2, rotatedThroughMs: 0 },
};
const disk = (state: DiskStatus['state']): DiskStatus => ({
  folder: '/d',
  freeBytes: 123,
  totalBytes: 1000,
  reusableBytes: 0,
  warnBelowBytes: 500,
  refuseGrantsBelowBytes: 100,
  state,
  message: state === 'ok' ? null : 'x',
  checkedAt: 1,
});

describe('disk and log metrics', () => {
  it("expose free bytes, the warning and refusing flags, and each log's rows, size, rotated rows and the longest rotation step", () => {
    const scrape = (d: DiskStatus | null) =>
      parseOpenMetrics(formatOpenMetrics(diskMetricFamilies({ disk: d, logs, rotatedRows: { debug: 5, report: 7 }, longestStepMs: 2.5 })));
    const ok = scrape(disk('ok'));
    expect(ok.get('triad_disk_free_bytes')!.samples[0]!.value).toBe(123);
    expect(ok.get('triad_disk_low')!.samples[0]!.value).toBe(0);
    expect(ok.get('triad_disk_refusing_grants')!.samples[0]!.value).toBe(0);
    expect(ok.get('triad_log_rows')!.samples.map((s) => [s.labels.log, s.value])).toEqual([
      ['debug', 10],
      ['report', 20],
    ]);
    expect(ok.get('triad_log_size_bytes')!.samples.map((s) => s.value)).toEqual([1000, 3000]);
    expect(ok.get('triad_log_rotated_rows')!.samples.map((s) => [s.name, s.value])).toEqual([
      ['triad_log_rotated_rows_total', 5],
      ['triad_log_rotated_rows_total', 7],
    ]);
    expect(ok.get('triad_log_rotation_longest_step_seconds')!.samples[0]!.value).toBe(0.0025);
    expect(scrape(disk('low')).get('triad_disk_low')!.samples[0]!.value).toBe(1);
    for (const state of ['refusing', 'full'] as const) expect(scrape(disk(state)).get('triad_disk_refusing_grants')!.samples[0]!.value).toBe(1);
    expect(scrape(null).has('triad_disk_free_bytes')).toBe(false);
  });
});
