import { describe, expect, it } from 'vitest';
import { applyRetentionPatch, defaultRetentionSettings, describeRetention } from '../../../src/shared/logRetention';
import { describeRetentionIssues, retentionPatchFrom } from '../../../src/cli/retentionFlags';

const apply = (patch: Parameters<typeof applyRetentionPatch>[1]) => applyRetentionPatch(defaultRetentionSettings, patch);

describe('retention settings', () => {
  it('default to 90 days / 1 GB per log, archives on (2 GB), warnings below 1 GB free, new licenses refused below 64 MB', () => {
    expect(defaultRetentionSettings).toEqual({
      debugLog: { maxAgeDays: 90, maxMegabytes: 1024 },
      reportLog: { maxAgeDays: 90, maxMegabytes: 1024 },
      archive: { enabled: true, folder: null, maxMegabytes: 2048 },
      disk: { warnBelowMegabytes: 1024, refuseGrantsBelowMegabytes: 64 },
    });
    expect(describeRetention(defaultRetentionSettings, '/data/archive')).toBe(
      'debug log 90 days / 1024 MB, report log 90 days / 1024 MB; rotated rows archived in /data/archive (up to 2048 MB); ' +
        'disk warning below 1024 MB free, new licenses refused below 64 MB',
    );
  });

  it('change one field at a time and keep the rest', () => {
    const cases = [
      [{ debugLog: { maxAgeDays: 7 } }, { debugLog: { maxAgeDays: 7, maxMegabytes: 1024 } }],
      [{ debugLog: { maxMegabytes: 50 } }, { debugLog: { maxAgeDays: 90, maxMegabytes: 50 } }],
      [{ reportLog: { maxAgeDays: 0 } }, { reportLog: { maxAgeDays: 0, maxMegabytes: 1024 } }],
      [{ reportLog: { maxMegabytes: 0 } }, { reportLog: { maxAgeDays: 90, maxMegabytes: 0 } }],
      [{ archive: { enabled: false } }, { archive: { enabled: false, folder: null, maxMegabytes: 2048 } }],
      [{ archive: { folder: '/srv/triad-archive' } }, { archive: { enabled: true, folder: '/srv/triad-archive', maxMegabytes: 2048 } }],
      [{ archive: { maxMegabytes: 0 } }, { archive: { enabled: true, folder: null, maxMegabytes: 0 } }],
      [{ disk: { warnBelowMegabytes: 5000 } }, { disk: { warnBelowMegabytes: 5000, refuseGrantsBelowMegabytes: 64 } }],
      [{ disk: { refuseGrantsBelowMegabytes: 0 } }, { disk: { warnBelowMegabytes: 1024, refuseGrantsBelowMegabytes: 0 } }],
    ] as const;
    for (const [patch, changed] of cases) expect(apply(patch)).toEqual({ ok: true, value: { ...defaultRetentionSettings, ...changed } });
  });

  it('refuse wrong values, saying which setting and why', () => {
    expect(apply({ debugLog: { maxAgeDays: -1 } })).toMatchObject({ ok: false, error: 'debugLog.maxAgeDays: Use 0 to keep rows whatever their age.' });
    expect(apply({ reportLog: { maxMegabytes: 1.5 } })).toMatchObject({ ok: false, error: 'reportLog.maxMegabytes: Whole megabytes, please.' });
    expect(apply({ archive: { folder: '  ' } })).toMatchObject({ ok: false, error: expect.stringMatching(/^archive.folder: Give a folder/) });
    const inverted = apply({ disk: { warnBelowMegabytes: 10, refuseGrantsBelowMegabytes: 20 } });
    expect(inverted).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^disk.warnBelowMegabytes: The warning threshold must not be below the threshold at which new licenses are refused/),
    });
    if (!inverted.ok) expect(describeRetentionIssues(inverted.issues)).toMatch(/^--disk-warn-mb: The warning threshold/);
  });

  it('come from the flags that were given, and only those', () => {
    expect(retentionPatchFrom({})).toBeUndefined();
    expect(retentionPatchFrom({ debugLogDays: 30, reportLogMb: 50, archive: false, diskReserveMb: 10 })).toEqual({
      debugLog: { maxAgeDays: 30 },
      reportLog: { maxMegabytes: 50 },
      archive: { enabled: false },
      disk: { refuseGrantsBelowMegabytes: 10 },
    });
    expect(retentionPatchFrom({ archiveDir: 'old-logs', archiveMb: 0, diskWarnMb: 0, debugLogMb: 0, reportLogDays: 365 })).toEqual({
      debugLog: { maxMegabytes: 0 },
      reportLog: { maxAgeDays: 365 },
      archive: { folder: 'old-logs', maxMegabytes: 0 },
      disk: { warnBelowMegabytes: 0 },
    });
  });
});
