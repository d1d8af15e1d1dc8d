/**
 * Results of Ed25519 verifications, so a signature is verified once per line and key: the key of
 * a row is a hash of what was verified (the signed form of the line, the signature, the public
 * key), made by the license layer; the row says whether it verified and when. Rows are read
 * through a schema: a damaged row answers "not known" and is verified again.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';

export interface SignatureCheck {
  ok: boolean;
  checkedAt: number;
}

export interface SignatureChecksRepository {
  /** The recorded result, or null when there is none or its row is damaged. */
  get(key: string): SignatureCheck | null;
  /** Records results in one transaction, replacing earlier ones for the same keys. */
  put(checks: ReadonlyMap<string, SignatureCheck>): void;
  /** Deletes every row whose key is not in `keys`; returns how many went. */
  retainOnly(keys: ReadonlySet<string>): number;
  /** Deletes the oldest rows beyond `limit`; returns how many went. */
  trimTo(limit: number): number;
  count(): number;
}

const KEY = /^[0-9a-f]{64}$/;
const rowSchema = z.object({ ok: z.union([z.literal(0), z.literal(1)]), checked_at: z.number().int().nonnegative() });

export function createSignatureChecksRepository(db: BetterSqlite3.Database): SignatureChecksRepository {
  const select = db.prepare<[string], unknown>('SELECT ok, checked_at FROM signature_checks WHERE key = ?');
  const upsert = db.prepare('INSERT OR REPLACE INTO signature_checks (key, ok, checked_at) VALUES (?, ?, ?)');
  const keys = db.prepare<[], { key: string }>('SELECT key FROM signature_checks');
  const remove = db.prepare('DELETE FROM signature_checks WHERE key = ?');
  const total = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM signature_checks');
  const oldest = db.prepare('DELETE FROM signature_checks WHERE key IN (SELECT key FROM signature_checks ORDER BY checked_at LIMIT ?)');
  return {
    get(key) {
      if (!KEY.test(key)) return null;
      const parsed = rowSchema.safeParse(select.get(key));
      return parsed.success ? { ok: parsed.data.ok === 1, checkedAt: parsed.data.checked_at } : null;
    },
    put(checks) {
      if (checks.size === 0) return;
      db.transaction(() => {
        for (const [key, check] of checks) if (KEY.test(key)) upsert.run(key, check.ok ? 1 : 0, Math.max(0, Math.trunc(check.checkedAt)));
      })();
    },
    retainOnly(kept) {
      // the keys are read first: a load that changed nothing deletes nothing and writes nothing
      const stale = keys.all().filter((row) => !kept.has(row.key));
      if (stale.length === 0) return 0;
      db.transaction(() => {
        for (const row of stale) remove.run(row.key);
      })();
      return stale.length;
    },
    trimTo(limit) {
      const excess = total.get()!.n - limit;
      return excess > 0 ? oldest.run(excess).changes : 0;
    },
    count: () => total.get()!.n,
  };
}
