import { describe, expect, it } from 'vitest';
import { applyAndRecord } from '../../../src/core/server/appliedLeaseOps';
import { openMemoryStore } from '../../../src/core/store';
import { aLease } from '../../support/lease';

/** A lease op applied with its report row, in one write (issue 18: one durable write per grant). */

const events = (store: ReturnType<typeof openMemoryStore>) =>
  store.reportLog.query({}).map((row) => [row.event, row.leaseId, row.timeMs, row.server, row.reason]);

describe('applyAndRecord', () => {
  it('records OUT from the grant, and IN, RECLAIM, REMOVE from the seat in the lease table as the op frees it', () => {
    const store = openMemoryStore();
    for (const id of ['a', 'b', 'c']) applyAndRecord(store, { kind: 'grant', lease: aLease(id, { grantedAt: 1_000, server: 'master' }) }, 'me');
    expect(applyAndRecord(store, { kind: 'checkin', leaseId: 'a', atMs: 2_000 }, 'me')).toBe(true);
    expect(applyAndRecord(store, { kind: 'reclaim', leaseId: 'b', atMs: 3_000 }, 'me')).toBe(true);
    expect(applyAndRecord(store, { kind: 'remove', leaseId: 'c', atMs: 4_000 }, 'me')).toBe(true);
    expect(events(store)).toEqual([
      ['OUT', 'a', 1_000, 'master', null],
      ['OUT', 'b', 1_000, 'master', null],
      ['OUT', 'c', 1_000, 'master', null],
      ['IN', 'a', 2_000, 'me', null],
      ['RECLAIM', 'b', 3_000, 'me', 'no heartbeat within the timeout'],
      ['REMOVE', 'c', 4_000, 'me', 'lmremove'],
    ]);
    expect(store.leases.list()).toEqual([]);
  });

  it("records nothing for a lingering seat's end (its IN row was written at its checkin) or a seat it does not hold", () => {
    const store = openMemoryStore();
    applyAndRecord(store, { kind: 'grant', lease: aLease('l', { grantedAt: 1_000, lingerSeconds: 30 }) }, 'me');
    applyAndRecord(store, { kind: 'checkin', leaseId: 'l', atMs: 2_000 }, 'me');
    expect(store.leases.get('l')?.lingerUntilMs).toBe(32_000);
    expect(applyAndRecord(store, { kind: 'reclaim', leaseId: 'l', atMs: 32_000 }, 'me')).toBe(false);
    expect(applyAndRecord(store, { kind: 'checkin', leaseId: 'unknown', atMs: 33_000 }, 'me')).toBe(false);
    expect(events(store).map(([event]) => event)).toEqual(['OUT', 'IN']);
    expect(store.leases.list()).toEqual([]);
  });

  it('writes the same row on every member: a release names the master that accepted it, whose clock stamped it', () => {
    const rows = ['master', 'standby'].map((recorder) => {
      const store = openMemoryStore();
      applyAndRecord(store, { kind: 'grant', lease: aLease('a', { grantedAt: 1_000, server: 'master' }) }, recorder);
      applyAndRecord(store, { kind: 'checkin', leaseId: 'a', atMs: 2_000, by: 'master' }, recorder);
      return events(store);
    });
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[1]).toContainEqual(['IN', 'a', 2_000, 'master', null]);
  });
});
