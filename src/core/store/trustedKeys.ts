/** Publisher public keys the server trusts, per vendor. */
import type BetterSqlite3 from 'better-sqlite3';

export interface TrustedKey {
  vendor: string;
  /** Public key as imported (PEM text). */
  publicKey: string;
  addedAt: number;
}

export interface TrustedKeysRepository {
  /** Adding a key that is already trusted for the vendor keeps the first record. */
  add(key: TrustedKey): void;
  remove(vendor: string, publicKey: string): boolean;
  list(): TrustedKey[];
  forVendor(vendor: string): TrustedKey[];
}

interface Row {
  vendor: string;
  public_key: string;
  added_at: number;
}

const toKey = (row: Row): TrustedKey => ({ vendor: row.vendor, publicKey: row.public_key, addedAt: row.added_at });

export function createTrustedKeysRepository(db: BetterSqlite3.Database): TrustedKeysRepository {
  const insert = db.prepare('INSERT OR IGNORE INTO trusted_keys (vendor, public_key, added_at) VALUES (?, ?, ?)');
  const del = db.prepare('DELETE FROM trusted_keys WHERE vendor = ? AND public_key = ?');
  const all = db.prepare<[], Row>('SELECT * FROM trusted_keys ORDER BY added_at, vendor');
  const byVendor = db.prepare<[string], Row>('SELECT * FROM trusted_keys WHERE vendor = ? ORDER BY added_at');
  return {
    add({ vendor, publicKey, addedAt }) {
      insert.run(vendor, publicKey, addedAt);
    },
    remove(vendor, publicKey) {
      return del.run(vendor, publicKey).changes > 0;
    },
    list() {
      return all.all().map(toKey);
    },
    forVendor(vendor) {
      return byVendor.all(vendor).map(toKey);
    },
  };
}
