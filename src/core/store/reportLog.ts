/** The report log: one row per checkout, checkin, denial, reclaim and lmremove (usage history). */
import type BetterSqlite3 from 'better-sqlite3';
import { buildLogQuery, type Condition, type LogRange } from './logQuery';

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
  query(filter?: ReportLogQuery): ReportLogEntry[];
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

export function createReportLogRepository(db: BetterSqlite3.Database): ReportLogRepository {
  const insert = db.prepare(
    'INSERT INTO report_log (time_ms, event, feature, version, user, host, display, lease_id, count, server, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  return {
    append(e) {
      return Number(insert.run(e.timeMs, e.event, e.feature, e.version, e.user, e.host, e.display, e.leaseId, e.count, e.server, e.reason).lastInsertRowid);
    },
    query(filter = {}) {
      const extra: Condition[] = [];
      if (filter.feature !== undefined) extra.push(['feature = ?', filter.feature]);
      if (filter.event !== undefined) extra.push(['event = ?', filter.event]);
      const { sql, params } = buildLogQuery('report_log', filter, extra);
      return (db.prepare(sql).all(...params) as Row[]).map((row) => ({
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
      }));
    },
  };
}
