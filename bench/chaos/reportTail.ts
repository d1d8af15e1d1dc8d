import Database from 'better-sqlite3';
import path from 'node:path';
import { databaseFile } from '../../src/core/store/store';
import type { ReportRow } from './checker';
import { PUBLIC_HOSTS, type Member } from './cluster';
import { toRealTime, type OffsetChange } from './wallClock';

/**
 * Reads each member's report log while the drill runs, so rows survive a wiped or rolled-back
 * disk, and puts every row on the drill's real time. Every member records every committed lease
 * op with the same row, stamped by the wall clock of the master that accepted it (the row's
 * server): one copy of each event is kept, the first read, and its real time comes from its
 * timestamp and that master's clock offset in force when it was first read (see toRealTime).
 */
export class ReportLogTail {
  readonly rows: ReportRow[] = [];
  private readonly connections: (Database.Database | null)[];
  private readonly afterId: number[];
  private readonly lastPollAt: number[];
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataDirs: readonly string[],
    private readonly clockHistory: (m: Member) => readonly OffsetChange[],
    private readonly everyMs = 250,
  ) {
    this.connections = dataDirs.map(() => null);
    this.afterId = dataDirs.map(() => 0);
    this.lastPollAt = dataDirs.map(() => Date.now());
  }

  start(): void {
    this.timer ??= setInterval(() => this.pollAll(), this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pollAll();
    this.dataDirs.forEach((_, m) => this.release(m as Member));
  }

  pollAll(): void {
    this.dataDirs.forEach((_, m) => this.poll(m as Member));
  }

  /** Reads the rows a member wrote since the last poll. */
  poll(m: Member): void {
    const now = Date.now();
    const seenFrom = this.lastPollAt[m];
    this.lastPollAt[m] = now;
    const db = this.open(m);
    if (!db) return;
    let rows: { id: number; lease_id: string | null; event: string; time_ms: number; server: string }[];
    try {
      rows = db.prepare('SELECT id, lease_id, event, time_ms, server FROM report_log WHERE id > ? ORDER BY id').all(this.afterId[m]) as typeof rows;
    } catch {
      return;
    }
    for (const row of rows) {
      this.afterId[m] = row.id;
      // another member's copy, or a restored copy, of a row read before: the same event at the same stamp is one row
      const key = `${row.lease_id} ${row.event} ${row.time_ms} ${row.server}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const stampedBy = PUBLIC_HOSTS.indexOf(row.server);
      const history = this.clockHistory(stampedBy >= 0 ? (stampedBy as Member) : m);
      this.rows.push({ member: m, leaseId: row.lease_id, event: row.event, timeMs: toRealTime(row.time_ms, seenFrom, now, history) });
    }
  }

  /**
   * Before the member's database is replaced: read what it holds, then let go of it. The next
   * read opens the new database and starts from its first row (copies of known rows are skipped).
   */
  replaceDatabase(m: Member): void {
    this.poll(m);
    this.release(m);
    this.afterId[m] = 0;
  }

  private release(m: Member): void {
    this.connections[m]?.close();
    this.connections[m] = null;
  }

  private open(m: Member): Database.Database | null {
    if (this.connections[m]) return this.connections[m];
    try {
      this.connections[m] = new Database(path.join(this.dataDirs[m], databaseFile), { readonly: true, fileMustExist: true });
    } catch {
      return null;
    }
    return this.connections[m];
  }
}
