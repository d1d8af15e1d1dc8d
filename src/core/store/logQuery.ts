/**
 * Shared filter for the two append-only logs: time range, id cursor and limit, plus the
 * equality/substring conditions each log adds. Results come oldest first.
 */
export interface LogRange {
  /** Inclusive lower bound, epoch ms. */
  sinceMs?: number;
  /** Exclusive upper bound, epoch ms. */
  untilMs?: number;
  /** Only rows after this id (paging, live tailing). */
  afterId?: number;
  /** At most this many rows (default 1000). */
  limit?: number;
  /** Take the newest `limit` matching rows instead of the oldest (still returned oldest first). */
  newest?: boolean;
}

export type Condition = [sql: string, value: string | number];

export function buildLogQuery(table: string, range: LogRange, extra: Condition[]): { sql: string; params: (string | number)[] } {
  const conditions: Condition[] = [...extra];
  if (range.sinceMs !== undefined) conditions.push(['time_ms >= ?', range.sinceMs]);
  if (range.untilMs !== undefined) conditions.push(['time_ms < ?', range.untilMs]);
  if (range.afterId !== undefined) conditions.push(['id > ?', range.afterId]);
  const where = conditions.length > 0 ? `WHERE ${conditions.map(([sql]) => sql).join(' AND ')}` : '';
  const params = [...conditions.map(([, value]) => value), range.limit ?? 1000];
  if (range.newest) return { sql: `SELECT * FROM (SELECT * FROM ${table} ${where} ORDER BY id DESC LIMIT ?) ORDER BY id`, params };
  return { sql: `SELECT * FROM ${table} ${where} ORDER BY id LIMIT ?`, params };
}

/** `text` as a LIKE pattern that matches it literally anywhere. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
