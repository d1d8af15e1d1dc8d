/** Imported license files, newest last. The current one is the latest import. */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

export interface LicenseFileRecord {
  id: number;
  path: string;
  text: string;
  /** SHA-256 of the text, hex; members compare it in heartbeats. */
  sha256: string;
  importedAt: number;
}

export interface LicenseFilesRepository {
  import(file: { path: string; text: string; importedAt: number }): LicenseFileRecord;
  current(): LicenseFileRecord | null;
  list(): LicenseFileRecord[];
}

interface Row {
  id: number;
  path: string;
  text: string;
  sha256: string;
  imported_at: number;
}

const toRecord = (row: Row): LicenseFileRecord => ({ id: row.id, path: row.path, text: row.text, sha256: row.sha256, importedAt: row.imported_at });

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function createLicenseFilesRepository(db: BetterSqlite3.Database): LicenseFilesRepository {
  const insert = db.prepare('INSERT INTO license_files (path, text, sha256, imported_at) VALUES (?, ?, ?, ?)');
  const latest = db.prepare<[], Row>('SELECT * FROM license_files ORDER BY id DESC LIMIT 1');
  const all = db.prepare<[], Row>('SELECT * FROM license_files ORDER BY id');
  return {
    import({ path, text, importedAt }) {
      const sha256 = sha256Hex(text);
      const id = Number(insert.run(path, text, sha256, importedAt).lastInsertRowid);
      return { id, path, text, sha256, importedAt };
    },
    current() {
      const row = latest.get();
      return row ? toRecord(row) : null;
    },
    list() {
      return all.all().map(toRecord);
    },
  };
}
