/** Key/value settings, values stored as JSON. */
import type BetterSqlite3 from 'better-sqlite3';
import type { z } from 'zod';

export interface SettingsRepository {
  /** The stored value, or undefined when unset. */
  get(key: string): unknown;
  /** The stored value when it matches the schema, else the fallback (a hand-edited or older value). */
  read<T>(key: string, schema: z.ZodType<T>, fallback: T): T;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

export function createSettingsRepository(db: BetterSqlite3.Database): SettingsRepository {
  const select = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');
  const get = (key: string): unknown => {
    const row = select.get(key);
    return row === undefined ? undefined : JSON.parse(row.value);
  };
  return {
    get,
    read(key, schema, fallback) {
      const parsed = schema.safeParse(get(key));
      return parsed.success ? parsed.data : fallback;
    },
    set(key, value) {
      if (value === undefined) throw new Error(`Setting "${key}": undefined cannot be stored; use delete().`);
      upsert.run(key, JSON.stringify(value));
    },
    delete(key) {
      remove.run(key);
    },
  };
}
