/**
 * What retention needs from an append-only log table (debug_log, report_log). Their ids are
 * INTEGER PRIMARY KEY without gaps: a new row takes the largest id plus one, and retention only
 * removes rows from the oldest end and never the newest row (so no id is ever handed out twice).
 * That makes the row count `last.id - first.id + 1` and every query below a seek, not a scan.
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface LogRowEnd {
  id: number;
  timeMs: number;
}

export interface LogTableRetention<Entry> {
  /** The oldest and the newest row; null when the table is empty. */
  ends(): { first: LogRowEnd; last: LogRowEnd } | null;
  /** Estimated bytes a row takes in the database, its index entry included, from the newest rows. */
  bytesPerRow(): number;
  timeOf(id: number): number | null;
  /** The newest id among rows older than `timeMs` (by the time index); null when there is none. */
  lastIdBefore(timeMs: number): number | null;
  /** Up to `limit` rows with `afterId < id <= throughId`, oldest first. */
  rowsAfter(afterId: number, throughId: number, limit: number): Entry[];
  /** Deletes every row with `id <= throughId`; returns how many went. */
  deleteThrough(throughId: number): number;
}

export interface LogTableShape<Row, Entry> {
  table: string;
  /** SQL for the bytes of a row's variable columns (texts), e.g. `octet_length(message)`. */
  variableBytes: string;
  /**
   * Bytes a row takes beyond its texts: record header, integers, cell and rowid, and its entry in
   * the time index. Calibrated against SQLite's dbstat (test/unit/store/logTable.test.ts).
   */
  fixedBytes: number;
  toEntry: (row: Row) => Entry;
}

/** Newest rows sampled for the average row size: recent rows are what the next ones look like. */
const SIZE_SAMPLE_ROWS = 1000;

export function createLogTableRetention<Row, Entry>(db: BetterSqlite3.Database, shape: LogTableShape<Row, Entry>): LogTableRetention<Entry> {
  const { table } = shape;
  const first = db.prepare<[], { id: number; time_ms: number }>(`SELECT id, time_ms FROM ${table} ORDER BY id LIMIT 1`);
  const last = db.prepare<[], { id: number; time_ms: number }>(`SELECT id, time_ms FROM ${table} ORDER BY id DESC LIMIT 1`);
  const sample = db.prepare<[number], { rows: number; bytes: number | null }>(
    `SELECT count(*) AS rows, sum(${shape.variableBytes}) AS bytes FROM (SELECT * FROM ${table} ORDER BY id DESC LIMIT ?)`,
  );
  const time = db.prepare<[number], { time_ms: number }>(`SELECT time_ms FROM ${table} WHERE id = ?`);
  const before = db.prepare<[number], { id: number }>(`SELECT id FROM ${table} WHERE time_ms < ? ORDER BY time_ms DESC, id DESC LIMIT 1`);
  const page = db.prepare<[number, number, number], Row>(`SELECT * FROM ${table} WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`);
  const remove = db.prepare<[number]>(`DELETE FROM ${table} WHERE id <= ?`);
  const end = (row: { id: number; time_ms: number }): LogRowEnd => ({ id: row.id, timeMs: row.time_ms });
  return {
    ends() {
      const oldest = first.get();
      const newest = last.get();
      return oldest && newest ? { first: end(oldest), last: end(newest) } : null;
    },
    bytesPerRow() {
      const { rows, bytes } = sample.get(SIZE_SAMPLE_ROWS)!;
      return (rows > 0 ? (bytes ?? 0) / rows : 0) + shape.fixedBytes;
    },
    timeOf: (id) => time.get(id)?.time_ms ?? null,
    lastIdBefore: (timeMs) => before.get(timeMs)?.id ?? null,
    rowsAfter: (afterId, throughId, limit) => page.all(afterId, throughId, limit).map(shape.toEntry),
    deleteThrough: (throughId) => remove.run(throughId).changes,
  };
}
