/**
 * Signatures known to verify, so a license line's signature is verified once per line and key:
 * a row's key is a hash of exactly what was verified (the signed bytes, the signature, the public
 * key), made by the license layer (signatureCheckKey). Only successes are kept: a line that failed
 * is verified again at every load, and a row can only say "this exact check passed".
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface VerifiedSignaturesRepository {
  /** Which of `keys` are recorded, in one query. */
  known(keys: readonly string[]): Set<string>;
  /** Records checks that verified at `atMs`; a key already known keeps its first time. */
  record(keys: readonly string[], atMs: number): void;
  /** Deletes the oldest rows beyond `limit`; returns how many went. */
  trimTo(limit: number): number;
  count(): number;
}

const KEY = /^[0-9a-f]{64}$/;

export function createVerifiedSignaturesRepository(db: BetterSqlite3.Database): VerifiedSignaturesRepository {
  const select = db.prepare<[string], { key: string }>('SELECT key FROM verified_signatures WHERE key IN (SELECT value FROM json_each(?))');
  const insert = db.prepare('INSERT OR IGNORE INTO verified_signatures (key, verified_at) VALUES (?, ?)');
  const total = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM verified_signatures');
  const oldest = db.prepare('DELETE FROM verified_signatures WHERE key IN (SELECT key FROM verified_signatures ORDER BY verified_at, key LIMIT ?)');
  return {
    known: (keys) => new Set(keys.length === 0 ? [] : select.all(JSON.stringify(keys)).map((row) => row.key)),
    record(keys, atMs) {
      const valid = keys.filter((key) => KEY.test(key));
      if (valid.length === 0) return;
      const at = Math.max(0, Math.trunc(atMs));
      db.transaction(() => {
        for (const key of valid) insert.run(key, at);
      })();
    },
    trimTo(limit) {
      const excess = total.get()!.n - limit;
      return excess > 0 ? oldest.run(excess).changes : 0;
    },
    count: () => total.get()!.n,
  };
}
