/** The debug log (FlexLM `H:MM:SS (daemon) message` lines), one row per line. */
import type BetterSqlite3 from 'better-sqlite3';
import { buildLogQuery, containsPattern, type Condition, type LogRange } from './logQuery';
import { createLogTableRetention, type LogTableRetention } from './logTable';

export interface DebugLogEntry {
  id: number;
  timeMs: number;
  /** `lmgrd` or the vendor daemon name. */
  daemon: string;
  message: string;
}

export interface DebugLogQuery extends LogRange {
  daemon?: string;
  /** Substring of the message, case-insensitive for ASCII. */
  text?: string;
}

export interface DebugLogRepository {
  append(entry: Omit<DebugLogEntry, 'id'>): number;
  query(filter?: DebugLogQuery): DebugLogEntry[];
  /** Sizes, age and trimming of the oldest rows (log retention). */
  readonly retention: LogTableRetention<DebugLogEntry>;
}

interface Row {
  id: number;
  time_ms: number;
  daemon: string;
  message: string;
}

const toEntry = (row: Row): DebugLogEntry => ({ id: row.id, timeMs: row.time_ms, daemon: row.daemon, message: row.message });

export function createDebugLogRepository(db: BetterSqlite3.Database): DebugLogRepository {
  const insert = db.prepare('INSERT INTO debug_log (time_ms, daemon, message) VALUES (?, ?, ?)');
  return {
    append({ timeMs, daemon, message }) {
      return Number(insert.run(timeMs, daemon, message).lastInsertRowid);
    },
    query(filter = {}) {
      const extra: Condition[] = [];
      if (filter.daemon !== undefined) extra.push(['daemon = ?', filter.daemon]);
      if (filter.text !== undefined) extra.push(["message LIKE ? ESCAPE '\\'", containsPattern(filter.text)]);
      const { sql, params } = buildLogQuery('debug_log', filter, extra);
      return (db.prepare(sql).all(...params) as Row[]).map(toEntry);
    },
    retention: createLogTableRetention(db, { table: 'debug_log', variableBytes: 'octet_length(daemon) + octet_length(message)', fixedBytes: 35, toEntry }),
  };
}
