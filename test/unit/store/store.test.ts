import Database from 'better-sqlite3';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMigrations, migrations, openStore, StoreError } from '../../../src/core/store';
import { useTempStores } from './tempStore';

const temp = useTempStores();

describe('openStore', () => {
  it('creates the data directory private to its user, in WAL mode with synchronous FULL', () => {
    const dir = join(temp.newDir(), 'nested', 'data');
    const store = temp.open(dir);
    if (process.platform !== 'win32') expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(store.path).toBe(join(dir, 'triad.db'));
    const db = new Database(store.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('leaves the mode of an existing directory alone, and explains an unusable one', () => {
    const existing = temp.newDir();
    if (process.platform !== 'win32') chmodSync(existing, 0o755);
    temp.open(existing);
    if (process.platform !== 'win32') expect(statSync(existing).mode & 0o777).toBe(0o755);
    const file = join(temp.newDir(), 'plain-file');
    writeFileSync(file, 'x');
    expect(() => openStore(join(file, 'data'))).toThrow(StoreError);
    expect(() => openStore(join(file, 'data'))).toThrow(/Cannot use data directory .*--data DIR/);
  });

  it('applies each migration once and records it', () => {
    const dir = temp.newDir();
    temp.open(dir).close();
    const db = new Database(join(dir, 'triad.db'));
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    expect(versions).toEqual(migrations.map((_, i) => ({ version: i + 1 })));
    expect(applyMigrations(db)).toBe(0);
    expect(applyMigrations(db, [...migrations, 'CREATE TABLE extra (x INTEGER) STRICT'])).toBe(1);
    db.close();
  });

  it('rolls a failing migration back entirely', () => {
    const db = new Database(':memory:');
    expect(() => applyMigrations(db, ['CREATE TABLE a (x INTEGER) STRICT; CREATE TABLE broken (']))
      .toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").get()).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database written by a newer schema with a message saying what to do', () => {
    const dir = temp.newDir();
    temp.open(dir).close();
    const db = new Database(join(dir, 'triad.db'));
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(migrations.length + 1);
    db.close();
    expect(() => openStore(dir)).toThrow(/newer Triad/);
  });

  it('turns a file that is not a database into a StoreError naming the file', () => {
    const dir = temp.newDir();
    writeFileSync(join(dir, 'triad.db'), 'this is not sqlite, just some text long enough to be read as a header'.repeat(20));
    expect(() => openStore(dir)).toThrow(StoreError);
    expect(() => openStore(dir)).toThrow(/triad\.db.*move it aside/);
  });

  it('commits everything in a transaction or nothing', () => {
    const store = temp.open();
    expect(() =>
      store.transaction(() => {
        store.settings.set('a', 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.settings.get('a')).toBeUndefined();
    store.transaction(() => {
      store.settings.set('a', 1);
      store.settings.set('b', 2);
    });
    expect([store.settings.get('a'), store.settings.get('b')]).toEqual([1, 2]);
  });
});

describe('unsynced group commits', () => {
  it('commits at once, nests as a savepoint, and syncs the WAL on demand', async () => {
    const store = temp.open();
    store.transactionUnsynced(() => store.settings.set('a', '1'));
    const db = new Database(store.path, { readonly: true });
    // visible to another connection at once: committed, only the fsync is left to syncLog
    expect(db.prepare("SELECT value FROM settings WHERE key = 'a'").pluck().get()).toBe(JSON.stringify('1'));
    db.close();
    // inside a transaction it is part of that one: a rollback takes it back
    expect(() =>
      store.transaction(() => {
        store.transactionUnsynced(() => store.settings.set('b', '2'));
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(store.settings.get('b')).toBeUndefined();
    await expect(store.syncLog()).resolves.toBeUndefined();
    store.syncLogNow();
  });

  it('syncs a closed store as a no-op (its last connection checkpointed the WAL)', async () => {
    const store = openStore(temp.newDir());
    store.transactionUnsynced(() => store.settings.set('a', '1'));
    const inFlight = store.syncLog();
    store.close();
    await expect(inFlight).resolves.toBeUndefined();
    await expect(store.syncLog()).resolves.toBeUndefined();
  });
});
