/**
 * What a rotated log looks like on disk (issue 21, FlexLM's lmswitch / lmswitchr):
 * - the debug log as the FlexLM text lmgrd writes (`H:MM:SS (daemon) message`, with lmgrd's
 *   `TIMESTAMP M/D/YYYY` line at the start and at each new day), the same text the Debug log
 *   screen exports;
 * - the report log as CSV (RFC 4180), one row per event, times in ISO 8601 UTC. FlexNet's own
 *   report log is an encrypted binary only its reporting tools read; CSV is what anyone can.
 * Each file is gzip-compressed and named after the kind of log and the local times of its first
 * and last row: `debug-log_20261129-081500_20261130-093012.log.gz`,
 * `report-log_..._....csv.gz` (a `_2`, `_3`... before the extension when the name is taken).
 * Pure: formatting only; the driver reads the rows and writes the files.
 */
import { formatDebugLogText, type DebugTextDay } from '../../shared/debugLogText';
import { csvField } from '../../shared/csv';
import type { LogName } from '../../shared/logRetention';
import type { DebugLogEntry, ReportLogEntry } from '../store';

export const REPORT_CSV_HEADER = 'time,event,feature,version,user,host,display,lease_id,count,server,reason\r\n';

/** Debug-log rows as FlexLM text; `continues` carries the current day from one batch to the next. */
export function debugArchiveText(rows: readonly DebugLogEntry[], continues: DebugTextDay): string {
  return formatDebugLogText(
    rows.map((row) => ({ time: row.timeMs, daemon: row.daemon, message: row.message })),
    continues,
  );
}

export function reportArchiveCsv(rows: readonly ReportLogEntry[]): string {
  return rows
    .map(
      (r) =>
        [new Date(r.timeMs).toISOString(), r.event, r.feature, r.version, r.user, r.host, r.display, r.leaseId ?? '', String(r.count), r.server, r.reason ?? '']
          .map(csvField)
          .join(',') + '\r\n',
    )
    .join('');
}

const extension: Record<LogName, string> = { debug: 'log', report: 'csv' };

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time as `YYYYMMDD-HHMMSS` (file names sort by it). */
export function fileStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

function parseStamp(stamp: string): number {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(stamp)!;
  return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime();
}

/** The archive's name; `copy` > 1 when a file of that name exists already. */
export function archiveFileName(log: LogName, fromMs: number, toMs: number, copy = 1): string {
  return `${log}-log_${fileStamp(fromMs)}_${fileStamp(toMs)}${copy > 1 ? `_${copy}` : ''}.${extension[log]}.gz`;
}

const ARCHIVE_NAME = /^(debug|report)-log_(\d{8}-\d{6})_(\d{8}-\d{6})(?:_\d+)?\.(log|csv)\.gz$/;

/** What a file name in the archive folder says, or null when it is not one of our archives. */
export function parseArchiveFileName(name: string): { log: LogName; fromMs: number; toMs: number } | null {
  const match = ARCHIVE_NAME.exec(name);
  if (!match || extension[match[1] as LogName] !== match[4]) return null;
  return { log: match[1] as LogName, fromMs: parseStamp(match[2]!), toMs: parseStamp(match[3]!) };
}
