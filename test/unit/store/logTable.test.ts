import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/core/store';
import { defaultRetentionSettings } from '../../../src/shared/logRetention';
import { useTempStores } from './tempStore';

const temp = useTempStores();

/** Bytes SQLite really uses for a table and its indexes (the dbstat virtual table: reads every page). */
function measured(store: Store, table: string): number {
  const db = new Database(store.path, { readonly: true });
  try {
    return (
      db.prepare('SELECT sum(pgsize) AS bytes FROM dbstat WHERE aggregate = 1 AND name IN (SELECT name FROM sqlite_schema WHERE tbl_name = ?)').get(table) as {
        bytes: number;
      }
    ).bytes;
  } finally {
    db.close();
  }
}

const report = (i: number, over: Record<string, unknown> = {}) => ({
  timeMs: 1_700_000_000_000 + i,
  event: (i % 2 === 0 ? 'OUT' : 'IN') as 'OUT' | 'IN',
  feature: `Feature${i % 7}`,
  version: '1.0',
  user: `user${i % 300}`,
  host: `workstation-${i % 50}.example.com`,
  display: ':0',
  leaseId: randomUUID(),
  count: 1,
  server: 'license1.example.com',
  reason: null,
  ...over,
});

describe('log tables as retention sees them', () => {
  it('estimates the debug log size within 5% of what SQLite uses (rows, index, pages)', () => {
    const store = temp.open();
    store.transaction(() => {
      for (let i = 0; i < 40_000; i++)
        store.debugLog.append({
          timeMs: 1_700_000_000_000 + i * 7,
          daemon: i % 3 ? 'ibmratl' : 'lmgrd',
          message: `OUT: "Feature${i % 7}" user${i % 300}@workstation-${i % 50}`,
        });
    });
    const estimate = store.debugLog.retention.bytesPerRow() * 40_000;
    expect(Math.abs(estimate / measured(store, 'debug_log') - 1)).toBeLessThan(0.05);
  });

  it('estimates the report log size within 5% of what SQLite uses, denials (no lease, a reason) included', () => {
    const store = temp.open();
    store.transaction(() => {
      for (let i = 0; i < 40_000; i++) {
        store.reportLog.append(
          i % 10 === 9 ? report(i, { event: 'DENIED', leaseId: null, reason: 'Licensed number of users already reached. (-4,342)' }) : report(i),
        );
      }
    });
    const estimate = store.reportLog.retention.bytesPerRow() * 40_000;
    expect(Math.abs(estimate / measured(store, 'report_log') - 1)).toBeLessThan(0.05);
  });

  it('finds the ends, the rows older than a time, a page of rows, and deletes from the oldest end', () => {
    const store = temp.open();
    const table = store.debugLog.retention;
    expect(table.ends()).toBeNull();
    for (let i = 1; i <= 10; i++) store.debugLog.append({ timeMs: i * 100, daemon: 'lmgrd', message: `line ${i}` });
    expect(table.ends()).toEqual({ first: { id: 1, timeMs: 100 }, last: { id: 10, timeMs: 1000 } });
    expect(table.lastIdBefore(450)).toBe(4);
    expect(table.lastIdBefore(100)).toBeNull();
    expect(table.timeOf(7)).toBe(700);
    expect(table.rowsAfter(2, 6, 3).map((row) => row.message)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(table.rowsAfter(4, 6, 10).map((row) => row.id)).toEqual([5, 6]);
    expect(table.deleteThrough(4)).toBe(4);
    expect(table.ends()!.first).toEqual({ id: 5, timeMs: 500 });
    // the next row still takes the next id: ids are never handed out twice while the newest row stays
    expect(store.debugLog.append({ timeMs: 1100, daemon: 'lmgrd', message: 'line 11' })).toBe(11);
  });

  it('sums the seats the oldest report rows leave out, per feature', () => {
    const store = temp.open();
    const rows = [
      report(0, { feature: 'A', event: 'OUT', count: 2 }),
      report(1, { feature: 'B', event: 'OUT' }),
      report(2, { feature: 'A', event: 'IN', count: 1 }),
      report(3, { feature: 'B', event: 'DENIED', leaseId: null, reason: 'no' }),
      report(4, { feature: 'B', event: 'RECLAIM' }),
      report(5, { feature: 'A', event: 'OUT' }),
    ];
    for (const row of rows) store.reportLog.append(row);
    expect(store.reportLog.seatsOutThrough(4)).toEqual(
      new Map([
        ['A', 1],
        ['B', 1],
      ]),
    );
    expect(store.reportLog.seatsOutThrough(5)).toEqual(
      new Map([
        ['A', 1],
        ['B', 0],
      ]),
    );
  });

  it("keeps the retention settings and each log's rotation state, with defaults when none (or a bad value) is stored", () => {
    const store = temp.open();
    expect(store.retention.settings()).toEqual(defaultRetentionSettings);
    const settings = { ...defaultRetentionSettings, debugLog: { maxAgeDays: 7, maxMegabytes: 10 } };
    store.retention.saveSettings(settings);
    expect(store.retention.settings()).toEqual(settings);
    store.settings.set('logRetention', { debugLog: 'forever' });
    expect(store.retention.settings()).toEqual(defaultRetentionSettings);
    expect(() => store.retention.saveSettings({ ...settings, debugLog: { maxAgeDays: -1, maxMegabytes: 1 } })).toThrow();

    expect(store.retention.state('report')).toEqual({ archivedThroughId: 0, rotatedThroughMs: null, carriedSeats: {}, carriedLeases: {} });
    const carriedLeases = { L1: { user: 'ann', feature: 'A', count: 3, sinceMs: 900 } };
    store.retention.saveState('report', { archivedThroughId: 42, rotatedThroughMs: 1000, carriedSeats: { A: 3 }, carriedLeases });
    expect(store.retention.state('report')).toEqual({ archivedThroughId: 42, rotatedThroughMs: 1000, carriedSeats: { A: 3 }, carriedLeases });
    // a state saved before leases were carried is still read (nothing carried by lease)
    store.settings.set('logRetention.state.report', { archivedThroughId: 43, rotatedThroughMs: 1001, carriedSeats: { A: 2 } });
    expect(store.retention.state('report')).toEqual({ archivedThroughId: 43, rotatedThroughMs: 1001, carriedSeats: { A: 2 }, carriedLeases: {} });
    expect(store.retention.state('debug').archivedThroughId).toBe(0);
  });

  it('reports the free pages inside the database that new rows reuse', () => {
    const store = temp.open();
    store.transaction(() => {
      for (let i = 0; i < 20_000; i++) store.debugLog.append({ timeMs: i, daemon: 'lmgrd', message: `a line of some length, number ${i}` });
    });
    expect(store.reusableBytes()).toBe(0);
    store.transaction(() => store.debugLog.retention.deleteThrough(19_000));
    expect(store.reusableBytes()).toBeGreaterThan(500_000);
  });
});
