import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useTempStores } from './tempStore';

const temp = useTempStores();
const key = (n: number) => n.toString(16).padStart(64, '0');

describe('signature checks', () => {
  it('records results, replaces them, and keeps them across a restart', () => {
    const dir = temp.newDir();
    const store = temp.open(dir);
    store.signatureChecks.put(
      new Map([
        [key(1), { ok: true, checkedAt: 10 }],
        [key(2), { ok: false, checkedAt: 11 }],
      ]),
    );
    store.signatureChecks.put(new Map([[key(2), { ok: true, checkedAt: 12 }]]));
    store.close();
    const again = temp.open(dir);
    expect(again.signatureChecks.get(key(1))).toEqual({ ok: true, checkedAt: 10 });
    expect(again.signatureChecks.get(key(2))).toEqual({ ok: true, checkedAt: 12 });
    expect(again.signatureChecks.get(key(3))).toBeNull();
    expect(again.signatureChecks.count()).toBe(2);
  });

  it('answers "not known" for a damaged row, and a new result replaces it', () => {
    const store = temp.open();
    store.signatureChecks.put(new Map([[key(1), { ok: true, checkedAt: 10 }]]));
    // what a damaged file or another tool could leave: a value the schema's CHECK forbids
    const raw = new Database(store.path);
    raw.pragma('ignore_check_constraints = ON');
    raw.prepare('INSERT INTO signature_checks (key, ok, checked_at) VALUES (?, 7, 5), (?, 1, -3)').run(key(2), key(3));
    raw.prepare('UPDATE signature_checks SET ok = 2 WHERE key = ?').run(key(1));
    raw.close();
    expect(store.signatureChecks.get(key(1))).toBeNull();
    expect(store.signatureChecks.get(key(2))).toBeNull();
    expect(store.signatureChecks.get(key(3))).toBeNull();
    store.signatureChecks.put(new Map([[key(1), { ok: false, checkedAt: 20 }]]));
    expect(store.signatureChecks.get(key(1))).toEqual({ ok: false, checkedAt: 20 });
  });

  it('ignores keys that are not hashes', () => {
    const store = temp.open();
    store.signatureChecks.put(new Map([['not a hash', { ok: true, checkedAt: 1 }]]));
    expect(store.signatureChecks.count()).toBe(0);
    expect(store.signatureChecks.get('not a hash')).toBeNull();
  });

  it('keeps only the keys asked for, and at most a number of rows (the oldest go)', () => {
    const store = temp.open();
    store.signatureChecks.put(new Map([1, 2, 3, 4, 5].map((n) => [key(n), { ok: true, checkedAt: 100 - n }])));
    expect(store.signatureChecks.retainOnly(new Set([key(1), key(2), key(3), key(4), key(9)]))).toBe(1);
    expect(store.signatureChecks.retainOnly(new Set([key(1), key(2), key(3), key(4)]))).toBe(0);
    expect(store.signatureChecks.get(key(5))).toBeNull();
    expect(store.signatureChecks.trimTo(2)).toBe(2);
    expect([1, 2, 3, 4].map((n) => store.signatureChecks.get(key(n)) !== null)).toEqual([true, true, false, false]);
    expect(store.signatureChecks.trimTo(2)).toBe(0);
  });
});
