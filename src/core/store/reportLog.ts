/** The report log: one row per checkout, checkin, denial, reclaim and lmremove (usage history). */
import type BetterSqlite3 from 'better-sqlite3';
import { buildLogQuery, type Condition, type LogRange } from './logQuery';
import { createLogTableRetention, type LogTableRetention } from './logTable';

export type ReportEvent = 'OUT' | 'IN' | 'DENIED' | 'RECLAIM' | 'REMOVE';

export interface ReportLogEntry {
  id: number;
  timeMs: number;
  event: ReportEvent;
  feature: string;
  version: string;
  user: string;
  host: string;
  display: string;
  /** Null for denials (no lease was made). */
  leaseId: string | null;
  count: number;
  /** Server (host) that handled the request. */
  server: string;
  /** Denial reason, or why a lease was reclaimed/removed. */
  reason: string | null;
}

export interface ReportLogQuery extends LogRange {
  feature?: string;
  event?: ReportEvent;
}

export interface ReportLogRepository {
  append(entry: Omit<ReportLogEntry, 'id'>): number;
  /**
   * The row of a release of `leaseId` (IN, RECLAIM, REMOVE), its seat read from the lease table in
   * the same statement; nothing when the table does not hold it or its seat lingers already (its
   * IN row was written at its checkin). True when a row was written.
   */
  appendRelease(leaseId: string, row: { timeMs: number; event: 'IN' | 'RECLAIM' | 'REMOVE'; server: string; reason: string | null }): boolean;
  query(filter?: ReportLogQuery): ReportLogEntry[];
  /** Sizes, age and trimming of the oldest rows (log retention). */
  readonly retention: LogTableRetention<ReportLogEntry>;
  /**
   * Seats each feature had out after the rows up to `throughId` (checkouts minus checkins,
   * reclaims and removals): what the usage replay must start from once those rows are gone.
   */
  seatsOutThrough(throughId: number): Map<string, number>;
  /** The checkout, checkin, reclaim and removal rows up to `throughId` that name a lease, oldest first (who held which seat). */
  leaseEventsThrough(throughId: number): LeaseEvent[];
}

/** A report row as the per-user replay of seats reads it. */
export interface LeaseEvent {
  time: number;
  event: Exclude<ReportEvent, 'DENIED'>;
  feature: string;
  user: string;
  count: number;
  leaseId: string;
}

interface Row {
  id: number;
  time_ms: number;
  event: ReportEvent;
  feature: string;
  version: string;
  user: string;
  host: string;
  display: string;
  lease_id: string | null;
  count: number;
  server: string;
  reason: string | null;
}

const toEntry = (row: Row): ReportLogEntry => ({
  id: row.id,
  timeMs: row.time_ms,
  event: row.event,
  feature: row.feature,
  version: row.version,
  user: row.user,
  host: row.host,
  display: row.display,
  leaseId: row.lease_id,
  count: row.count,
  server: row.server,
  reason: row.reason,
});

/** The texts of a report row, for its size estimate (lease_id and reason may be NULL). */
const variableBytes = [
  'event',
  'feature',
  'version',
  'user',
  'host',
  'display',
  'server',
  'coalesce(octet_length(lease_id), 0)',
  'coalesce(octet_length(reason), 0)',
]
  .map((column) => (column.includes('(') ? column : `octet_length(${column})`))
  .join(' + ');

export function createReportLogRepository(db: BetterSqlite3.Database): ReportLogRepository {
  const insert = db.prepare(
    'INSERT INTO report_log (time_ms, event, feature, version, user, host, display, lease_id, count, server, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // one statement: the lease is not read into JS (a checkin's row on the hot path)
  const insertRelease = db.prepare(
    'INSERT INTO report_log (time_ms, event, feature, version, user, host, display, lease_id, count, server, reason) ' +
      'SELECT ?, ?, feature, version, user, host, display, lease_id, count, ?, ? FROM leases WHERE lease_id = ? AND linger_until IS NULL',
  );
  const seatsOut = db.prepare<[number], { feature: string; seats: number }>(
    "SELECT feature, sum(CASE event WHEN 'OUT' THEN count ELSE -count END) AS seats FROM report_log WHERE id <= ? AND event != 'DENIED' GROUP BY feature",
  );
  const leaseEvents = db.prepare<[number], LeaseEvent>(
    'SELECT time_ms AS time, event, feature, user, count, lease_id AS leaseId FROM report_log ' +
      "WHERE id <= ? AND event != 'DENIED' AND lease_id IS NOT NULL ORDER BY id",
  );
  return {
    append(e) {
      return Number(insert.run(e.timeMs, e.event, e.feature, e.version, e.user, e.host, e.display, e.leaseId, e.count, e.server, e.reason).lastInsertRowid);
    },
    appendRelease(leaseId, r) {
      return insertRelease.run(r.timeMs, r.event, r.server, r.reason, leaseId).changes > 0;
    },
    query(filter = {}) {
      const extra: Condition[] = [];
      if (filter.feature !== undefined) extra.push(['feature = ?', filter.feature]);
      if (filter.event !== undefined) extra.push(['event = ?', filter.event]);
      const { sql, params } = buildLogQuery('report_log', filter, extra);
      return (db.prepare(sql).all(...params) as Row[]).map(toEntry);
    },
    retention: createLogTableRetention(db, { table: 'report_log', variableBytes, fixedBytes: 42, toEntry }),
    seatsOutThrough: (throughId) => new Map(seatsOut.all(throughId).map((row) => [row.feature, row.seats])),
    leaseEventsThrough: (throughId) => leaseEvents.all(throughId),
  };
}
