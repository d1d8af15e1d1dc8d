/** The debug log (FlexLM `H:MM:SS (daemon) message` lines), one row per line. */
import type BetterSqlite3 from 'better-sqlite3';
import { buildLogQuery, containsPattern, type Condition, type LogRange } from './logQuery';

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
}

interface Row {
  id: number;
  time_ms: number;
  daemon: string;
  message: string;
}

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
      return (db.prepare(sql).all(...params) as Row[]).map((row) => ({ id: row.id, timeMs: row.time_ms, daemon: row.daemon, message: row.message }));
    },
  };
}
