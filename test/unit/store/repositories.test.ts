import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Lease } from '../../../src/core/pool';
import Database from 'better-sqlite3';
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import path, { join } from 'node:path';
import { databaseFile, databaseReplaced, recordDatabaseIdentity, sha256Hex } from '../../../src/core/store';
import { licenseSwitchesSql } from '../../../src/core/store/quorumState';
import { aLease } from '../../support/lease';
import { useTempStores } from './tempStore';

const temp = useTempStores();

const lease = (id: string, overrides: Partial<Lease> = {}): Lease => aLease(id, { display: '/dev/pts/1', grantedAt: 1000, ...overrides });

describe('settings', () => {
  it('stores JSON values, validates reads and survives reopening', () => {
    const dir = temp.newDir();
    const store = temp.open(dir);
    store.settings.set('ui', { theme: 'dark', zoom: 1.5 });
    store.settings.set('ui', { theme: 'light', zoom: 1 });
    store.settings.set('count', 'not a number');
    store.close();
    const again = temp.open(dir);
    expect(again.settings.get('ui')).toEqual({ theme: 'light', zoom: 1 });
    expect(again.settings.read('count', z.number(), 7)).toBe(7);
    again.settings.delete('ui');
    expect(again.settings.get('ui')).toBeUndefined();
  });
});

describe('license files', () => {
  it('keeps every import with its hash; current() is the latest', () => {
    const store = temp.open();
    expect(store.licenseFiles.current()).toBeNull();
    store.licenseFiles.import({ path: '/a.lic', text: 'SERVER a ANY 27000\n', importedAt: 1 });
    const second = store.licenseFiles.import({ path: '/b.lic', text: 'SERVER b ANY 27000\n', importedAt: 2 });
    expect(second.sha256).toBe(sha256Hex('SERVER b ANY 27000\n'));
    expect(second.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(store.licenseFiles.current()).toEqual(second);
    expect(store.licenseFiles.list().map((f) => f.path)).toEqual(['/a.lic', '/b.lic']);
  });
});

describe('trusted keys', () => {
  it('adds once per vendor and key, lists per vendor, removes', () => {
    const store = temp.open();
    store.trustedKeys.add({ vendor: 'ibmratl', publicKey: 'PEM1', addedAt: 1 });
    store.trustedKeys.add({ vendor: 'ibmratl', publicKey: 'PEM1', addedAt: 5 });
    store.trustedKeys.add({ vendor: 'other', publicKey: 'PEM2', addedAt: 2 });
    expect(store.trustedKeys.forVendor('ibmratl')).toEqual([{ vendor: 'ibmratl', publicKey: 'PEM1', addedAt: 1 }]);
    expect(store.trustedKeys.list()).toHaveLength(2);
    expect(store.trustedKeys.remove('other', 'PEM2')).toBe(true);
    expect(store.trustedKeys.remove('other', 'PEM2')).toBe(false);
  });
});

describe('debug log', () => {
  it('filters by time range, daemon, text (literal, case-insensitive) and pages by id', () => {
    const store = temp.open();
    const ids = [
      store.debugLog.append({ timeMs: 100, daemon: 'lmgrd', message: 'lmgrd tcp-port 27000' }),
      store.debugLog.append({ timeMs: 200, daemon: 'ibmratl', message: 'OUT: "f" ann@ws1' }),
      store.debugLog.append({ timeMs: 300, daemon: 'ibmratl', message: 'IN: "f" ann@ws1' }),
      store.debugLog.append({ timeMs: 400, daemon: 'ibmratl', message: 'progress 100% done' }),
    ];
    expect(store.debugLog.query().map((e) => e.id)).toEqual(ids);
    expect(store.debugLog.query({ sinceMs: 200, untilMs: 400 }).map((e) => e.timeMs)).toEqual([200, 300]);
    expect(store.debugLog.query({ daemon: 'lmgrd' }).map((e) => e.message)).toEqual(['lmgrd tcp-port 27000']);
    expect(store.debugLog.query({ text: 'out:' }).map((e) => e.id)).toEqual([ids[1]]);
    expect(store.debugLog.query({ text: '0%' }).map((e) => e.id)).toEqual([ids[3]]);
    expect(store.debugLog.query({ text: '_' })).toEqual([]);
    expect(store.debugLog.query({ afterId: ids[1], limit: 1 }).map((e) => e.id)).toEqual([ids[2]]);
  });
});

describe('report log', () => {
  it('records every event kind and queries by feature, event and time', () => {
    const store = temp.open();
    const base = { version: '1.0', user: 'ann', host: 'ws1', display: ':0', count: 1, server: 'srv' };
    store.reportLog.append({ ...base, timeMs: 1, event: 'OUT', feature: 'f', leaseId: 'L1', reason: null });
    store.reportLog.append({ ...base, timeMs: 2, event: 'DENIED', feature: 'g', leaseId: null, reason: 'Licensed number of users already reached. (-4,342)' });
    store.reportLog.append({ ...base, timeMs: 3, event: 'IN', feature: 'f', leaseId: 'L1', reason: null });
    store.reportLog.append({ ...base, timeMs: 4, event: 'RECLAIM', feature: 'f', leaseId: 'L2', reason: 'idle' });
    store.reportLog.append({ ...base, timeMs: 5, event: 'REMOVE', feature: 'f', leaseId: 'L3', reason: 'lmremove' });
    expect(store.reportLog.query({ feature: 'f' }).map((e) => e.event)).toEqual(['OUT', 'IN', 'RECLAIM', 'REMOVE']);
    expect(store.reportLog.query({ event: 'DENIED' })[0]).toMatchObject({ feature: 'g', leaseId: null, reason: expect.stringContaining('(-4,342)') });
    expect(store.reportLog.query({ sinceMs: 3, untilMs: 5 }).map((e) => e.timeMs)).toEqual([3, 4]);
  });
});

describe('leases', () => {
  it('puts, replaces, deletes and lists leases exactly as given', () => {
    const store = temp.open();
    const a = lease('a', { project: 'proj', lingerSeconds: 30, lingerUntilMs: 5000 });
    store.leases.put(a);
    store.leases.put(lease('b', { grantedAt: 2000, handle: 2 }));
    expect(store.leases.get('a')).toEqual(a);
    store.leases.put({ ...a, count: 3 });
    expect(store.leases.get('a')?.count).toBe(3);
    expect(store.leases.delete('b')).toBe(true);
    expect(store.leases.delete('b')).toBe(false);
    expect(store.leases.list().map((l) => l.leaseId)).toEqual(['a']);
    store.leases.replaceAll([lease('x'), lease('y', { handle: 2 })]);
    expect(store.leases.list().map((l) => l.leaseId)).toEqual(['x', 'y']);
  });
});

describe('quorum state', () => {
  it('starts at epoch 0 with no vote, never lowers the epoch, records one vote per latest epoch', () => {
    const store = temp.open();
    expect(store.quorum.state()).toEqual({ epoch: 0, votedFor: null, commitIndex: 0, triadId: null, learner: false });
    store.quorum.setEpoch(3);
    store.quorum.setEpoch(2);
    expect(store.quorum.state().epoch).toBe(3);
    store.quorum.vote(4, '0000bbbb0002');
    expect(store.quorum.state()).toMatchObject({ epoch: 4, votedFor: { epoch: 4, member: '0000bbbb0002' } });
    store.quorum.setCommitIndex(7);
    expect(store.quorum.state().commitIndex).toBe(7);
    store.quorum.setStanding('a1b2c3', true);
    expect(store.quorum.state()).toMatchObject({ triadId: 'a1b2c3', learner: true });
    store.quorum.reset();
    expect(store.quorum.state()).toEqual({ epoch: 0, votedFor: null, commitIndex: 0, triadId: null, learner: false });
  });

  it('knows whether its database file is the one it last ran on (a restored copy is not)', () => {
    const dir = temp.newDir();
    let store = temp.open(dir);
    expect(databaseReplaced(store)).toBe(false);
    recordDatabaseIdentity(store);
    store.close();
    store = temp.open(dir);
    expect(databaseReplaced(store)).toBe(false);
    store.close();
    // a backup put back: same bytes, another file
    const file = path.join(dir, databaseFile);
    copyFileSync(file, `${file}.backup`);
    rmSync(file);
    renameSync(`${file}.backup`, file);
    store = temp.open(dir);
    expect(databaseReplaced(store)).toBe(true);
    recordDatabaseIdentity(store);
    expect(databaseReplaced(store)).toBe(false);
    store.close();
  });

  it('appends contiguously, refuses gaps, truncates a suffix and reads from an index', () => {
    const dir = temp.newDir();
    const store = temp.open(dir);
    store.quorum.append([
      { epoch: 1, idx: 1, op: { type: 'noop' } },
      { epoch: 1, idx: 2, op: { type: 'grant', leaseId: 'a' } },
      { epoch: 2, idx: 3, op: { type: 'checkin', leaseId: 'a' } },
    ]);
    expect(() => store.quorum.append([{ epoch: 2, idx: 5, op: null }])).toThrow(/expected index 4/);
    expect(() => store.quorum.append([{ epoch: 2, idx: 4, op: 1 }, { epoch: 2, idx: 6, op: 2 }])).toThrow();
    expect(store.quorum.last()).toEqual({ epoch: 2, idx: 3 });
    store.quorum.truncateFrom(3);
    expect(store.quorum.last()).toEqual({ epoch: 1, idx: 2 });
    store.quorum.append([{ epoch: 3, idx: 3, op: { type: 'noop' } }]);
    store.close();
    const again = temp.open(dir);
    expect(again.quorum.readFrom(2)).toEqual([
      { epoch: 1, idx: 2, op: { type: 'grant', leaseId: 'a' } },
      { epoch: 3, idx: 3, op: { type: 'noop' } },
    ]);
    expect(again.quorum.readFrom(1, 1)).toHaveLength(1);
  });

  it('finds the license switches up to an index through their partial index, not by scanning the log', () => {
    const dir = temp.newDir();
    const store = temp.open(dir);
    const switchOp = (to: string) => ({
      kind: 'licenseSwitch',
      payload: to,
      identity: { licenseHash: to, serverOrder: [] },
      previous: { licenseHash: 'x', serverOrder: [] },
    });
    store.quorum.append([
      { epoch: 1, idx: 1, op: { kind: 'noop' } },
      { epoch: 1, idx: 2, op: switchOp('v1') },
      { epoch: 1, idx: 3, op: { kind: 'grant', payload: { leaseId: 'a' } } },
      { epoch: 2, idx: 4, op: switchOp('v2') },
    ]);
    expect(store.quorum.licenseSwitchesUpTo(3)).toEqual([{ epoch: 1, idx: 2, op: switchOp('v1') }]);
    expect(store.quorum.licenseSwitchesUpTo(4).map((entry) => entry.idx)).toEqual([2, 4]);
    const db = new Database(join(dir, databaseFile), { readonly: true });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${licenseSwitchesSql}`).all(4) as { detail: string }[]).map((row) => row.detail).join('\n');
    db.close();
    expect(plan).toMatch(/USING (COVERING )?INDEX quorum_log_license_switches/);
  });
});

describe('audit', () => {
  it('returns the newest actions first', () => {
    const store = temp.open();
    store.audit.append({ timeMs: 1, who: 'cli', fromAddress: 'local', action: 'lmreread', detail: '' });
    store.audit.append({ timeMs: 2, who: 'cli', fromAddress: '10.0.0.9', action: 'lmdown', detail: 'refused: bad token' });
    expect(store.audit.recent(1)).toEqual([{ id: 2, timeMs: 2, who: 'cli', fromAddress: '10.0.0.9', action: 'lmdown', detail: 'refused: bad token' }]);
  });
});
