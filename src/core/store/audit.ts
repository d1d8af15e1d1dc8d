/** Admin actions (lmdown, lmreread, lmremove, imports), refused ones included. */
import type BetterSqlite3 from 'better-sqlite3';

export interface AuditEntry {
  id: number;
  timeMs: number;
  /** Who asked, as far as we know (OS user, "admin-ui", "cli"). */
  who: string;
  /** Remote address, or "local". */
  fromAddress: string;
  action: string;
  detail: string;
}

export interface AuditRepository {
  append(entry: Omit<AuditEntry, 'id'>): number;
  /** Newest first. */
  recent(limit: number): AuditEntry[];
}

interface Row {
  id: number;
  time_ms: number;
  who: string;
  from_address: string;
  action: string;
  detail: string;
}

export function createAuditRepository(db: BetterSqlite3.Database): AuditRepository {
  const insert = db.prepare('INSERT INTO audit (time_ms, who, from_address, action, detail) VALUES (?, ?, ?, ?, ?)');
  const select = db.prepare<[number], Row>('SELECT * FROM audit ORDER BY id DESC LIMIT ?');
  return {
    append({ timeMs, who, fromAddress, action, detail }) {
      return Number(insert.run(timeMs, who, fromAddress, action, detail).lastInsertRowid);
    },
    recent(limit) {
      return select.all(limit).map((row) => ({
        id: row.id,
        timeMs: row.time_ms,
        who: row.who,
        fromAddress: row.from_address,
        action: row.action,
        detail: row.detail,
      }));
    },
  };
}
