import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  archiveFileName,
  debugArchiveText,
  fileStamp,
  parseArchiveFileName,
  REPORT_CSV_HEADER,
  reportArchiveCsv,
} from '../../../src/core/retention/archiveFormat';
import { debugLogLinePattern } from '../../../src/shared/debugLogText';
import { fuzzSettings } from '../../support/fuzzSettings';

const at = (y: number, mo: number, d: number, h: number, mi: number, s: number) => new Date(y, mo - 1, d, h, mi, s).getTime();

describe('archive files', () => {
  it('are named after the log and the local times of their first and last row', () => {
    expect(archiveFileName('debug', at(2026, 11, 29, 8, 15, 0), at(2026, 11, 30, 9, 30, 12))).toBe('debug-log_20261129-081500_20261130-093012.log.gz');
    expect(archiveFileName('report', at(2026, 1, 2, 3, 4, 5), at(2026, 1, 2, 3, 4, 5), 2)).toBe('report-log_20260102-030405_20260102-030405_2.csv.gz');
    expect(fileStamp(at(2027, 12, 31, 23, 59, 59))).toBe('20271231-235959');
  });

  it('name property: the range read back from a name is the range it was made from, to the second (local time)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('debug' as const, 'report' as const),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 1e10 }),
        fc.integer({ min: 1, max: 9 }),
        (log, from, span, copy) => {
          const parsed = parseArchiveFileName(archiveFileName(log, from, from + span, copy))!;
          expect(parsed.log).toBe(log);
          // compared as local stamps: an hour repeated at the end of summer time names two instants
          expect(fileStamp(parsed.fromMs)).toBe(fileStamp(from));
          expect(fileStamp(parsed.toMs)).toBe(fileStamp(from + span));
        },
      ),
      fuzzSettings({ seed: 2101, numRuns: 300 }),
    );
  });

  it('other files in the folder are not taken for archives', () => {
    for (const name of ['debug-log_20261129-081500_20261130-093012.csv.gz', 'notes.txt', '.debug-log_1_2.partial', 'report-log_2026_2026.csv.gz'])
      expect(parseArchiveFileName(name)).toBeNull();
  });

  it('hold the debug log as lmgrd writes it: a TIMESTAMP line at the start and at each new day, across batches', () => {
    const day = { day: '' };
    const row = (id: number, timeMs: number, message: string) => ({ id, timeMs, daemon: 'ibmratl', message });
    const first = debugArchiveText([row(1, at(2026, 11, 29, 7, 47, 3), 'OUT: "DOORS" ann@ws1')], day);
    const second = debugArchiveText(
      [row(2, at(2026, 11, 29, 23, 59, 0), 'IN: "DOORS" ann@ws1'), row(3, at(2026, 11, 30, 0, 0, 1), 'OUT: "DOORS" bob@ws2')],
      day,
    );
    expect(first + second).toBe(
      [
        '7:47:03 (lmgrd) TIMESTAMP 11/29/2026',
        '7:47:03 (ibmratl) OUT: "DOORS" ann@ws1',
        '23:59:00 (ibmratl) IN: "DOORS" ann@ws1',
        '0:00:01 (lmgrd) TIMESTAMP 11/30/2026',
        '0:00:01 (ibmratl) OUT: "DOORS" bob@ws2',
        '',
      ].join('\n'),
    );
    for (const line of (first + second).trimEnd().split('\n')) expect(line).toMatch(debugLogLinePattern);
  });

  it('hold the report log as CSV with ISO times, quoting what needs it', () => {
    const rows = reportArchiveCsv([
      {
        id: 1,
        timeMs: Date.UTC(2026, 10, 29, 8, 0, 0, 5),
        event: 'OUT',
        feature: 'DOORS',
        version: '9.7',
        user: 'ann',
        host: 'ws1',
        display: ':0',
        leaseId: 'L1',
        count: 2,
        server: 'lic1',
        reason: null,
      },
      {
        id: 2,
        timeMs: Date.UTC(2026, 10, 29, 8, 0, 1),
        event: 'DENIED',
        feature: 'DOORS',
        version: '9.7',
        user: 'o"neil, jr',
        host: 'ws2',
        display: ':0',
        leaseId: null,
        count: 1,
        server: 'lic1',
        reason: 'Licensed number of users already reached. (-4,342)',
      },
    ]);
    expect(REPORT_CSV_HEADER + rows).toBe(
      'time,event,feature,version,user,host,display,lease_id,count,server,reason\r\n' +
        '2026-11-29T08:00:00.005Z,OUT,DOORS,9.7,ann,ws1,:0,L1,2,lic1,\r\n' +
        '2026-11-29T08:00:01.000Z,DENIED,DOORS,9.7,"o""neil, jr",ws2,:0,,1,lic1,"Licensed number of users already reached. (-4,342)"\r\n',
    );
  });
});
