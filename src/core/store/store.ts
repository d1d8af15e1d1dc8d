/**
 * The server's SQLite database (DESIGN.md section 7): `DATA/triad.db`, WAL mode, numbered
 * migrations, one small repository per concern.
 */
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { createAuditRepository, type AuditRepository } from './audit';
import { ensureDataDir } from './dataDir';
import { createDebugLogRepository, type DebugLogRepository } from './debugLog';
import { createLeasesRepository, type LeasesRepository } from './leases';
import { createLicenseFilesRepository, type LicenseFilesRepository } from './licenseFiles';
import { applyMigrations } from './migrations';
import { createQuorumStateRepository, type QuorumStateRepository } from './quorumState';
import { createReportLogRepository, type ReportLogRepository } from './reportLog';
import { createSearchListRepository, type SearchListRepository } from './searchList';
import { createSettingsRepository, type SettingsRepository } from './settings';
import { StoreError } from './storeError';
import { createTrustedKeysRepository, type TrustedKeysRepository } from './trustedKeys';

export const databaseFile = 'triad.db';

export interface Store {
  readonly dataDir: string;
  readonly path: string;
  readonly settings: SettingsRepository;
  readonly licenseFiles: LicenseFilesRepository;
  readonly trustedKeys: TrustedKeysRepository;
  readonly searchList: SearchListRepository;
  readonly debugLog: DebugLogRepository;
  readonly reportLog: ReportLogRepository;
  readonly leases: LeasesRepository;
  readonly quorum: QuorumStateRepository;
  readonly audit: AuditRepository;
  /**
   * Runs `fn` in one transaction: every write inside commits together or not at all (apply a
   * lease op and its report-log row atomically). Nests as a savepoint.
   */
  transaction<T>(fn: () => T): T;
  /** `PRAGMA integrity_check` result: `['ok']` when the file is sound. */
  integrityCheck(): string[];
  close(): void;
}

export function openStore(dataDir: string): Store {
  ensureDataDir(dataDir);
  const path = join(dataDir, databaseFile);
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path);
    configure(db);
    applyMigrations(db);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(`Cannot open the database ${path}: ${reason}. If the file is damaged, move it aside (the server then starts empty) or restore a backup.`);
  }
  return wrap(db, dataDir, path);
}

/**
 * Durability choice. In WAL mode a commit that has returned survives kill -9 with any
 * synchronous level, because the WAL frames are already in the OS page cache. We still choose
 * FULL (fsync of the WAL on every commit) because a power cut or OS crash must not forget
 * either: a triad member that forgot its vote could vote twice in an epoch (two masters), and a
 * master that forgot a grant it acknowledged would issue the seat again. The price is one
 * fsync per commit, small against checkout rates; callers batch bulk writes in `transaction`.
 */
function configure(db: BetterSqlite3.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
}

function wrap(db: BetterSqlite3.Database, dataDir: string, path: string): Store {
  const settings = createSettingsRepository(db);
  return {
    dataDir,
    path,
    settings,
    licenseFiles: createLicenseFilesRepository(db),
    trustedKeys: createTrustedKeysRepository(db),
    searchList: createSearchListRepository(db, settings),
    debugLog: createDebugLogRepository(db),
    reportLog: createReportLogRepository(db),
    leases: createLeasesRepository(db),
    quorum: createQuorumStateRepository(db),
    audit: createAuditRepository(db),
    transaction: (fn) => db.transaction(fn)(),
    integrityCheck: () => (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check),
    close: () => db.close(),
  };
}
