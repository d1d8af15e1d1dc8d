/**
 * The server's SQLite database (DESIGN.md section 7): `DATA/triad.db`, WAL mode, numbered
 * migrations, one small repository per concern.
 */
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, fdatasync, fdatasyncSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAuditRepository, type AuditRepository } from './audit';
import { ensureDataDir } from './dataDir';
import { createDebugLogRepository, type DebugLogRepository } from './debugLog';
import { createLeasesRepository, type LeasesRepository } from './leases';
import { createLicenseFilesRepository, type LicenseFilesRepository } from './licenseFiles';
import { applyMigrations } from './migrations';
import { createQuorumStateRepository, type QuorumStateRepository } from './quorumState';
import { createReportLogRepository, type ReportLogRepository } from './reportLog';
import { createRetentionStateRepository, type RetentionStateRepository } from './retentionState';
import { createSearchListRepository, type SearchListRepository } from './searchList';
import { createSettingsRepository, type SettingsRepository } from './settings';
import { StoreError } from './storeError';
import { createTrustedKeysRepository, type TrustedKeysRepository } from './trustedKeys';
import { createVerifiedSignaturesRepository, type VerifiedSignaturesRepository } from './verifiedSignatures';

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
  readonly retention: RetentionStateRepository;
  /** Signatures known to verify, so unchanged license lines are not verified again. */
  readonly verifiedSignatures: VerifiedSignaturesRepository;
  /** Bytes of free pages inside the database file: new rows reuse them before the file grows. */
  reusableBytes(): number;
  /**
   * Runs `fn` in one transaction: every write inside commits together or not at all (apply a
   * lease op and its report-log row atomically). Nests as a savepoint.
   */
  transaction<T>(fn: () => T): T;
  /**
   * `transaction` without the fsync at commit: the commit survives kill -9 at once (its WAL
   * frames are in the OS page cache) and a power cut once a `syncLog` started after it has
   * resolved. Group commit off the event loop: acknowledge nothing before that. Inside another
   * transaction it is a savepoint of that one (whose commit then decides).
   */
  transactionUnsynced<T>(fn: () => T): T;
  /** fdatasync of the write-ahead log on the libuv thread pool: every commit made before the call is then on disk. */
  syncLog(): Promise<void>;
  /** The same, on this thread (shutdown). */
  syncLogNow(): void;
  /** `PRAGMA integrity_check` result: `['ok']` when the file is sound. */
  integrityCheck(): string[];
  close(): void;
}

export function openStore(dataDir: string): Store {
  ensureDataDir(dataDir);
  const path = join(dataDir, databaseFile);
  let db: BetterSqlite3.Database;
  try {
    keepPrivate(path);
    db = new Database(path);
    configure(db);
    applyMigrations(db);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      `Cannot open the database ${path}: ${reason}. If the file is damaged, move it aside and start again: a triad member then rejoins as a ` +
        'learner and catches up from the master; a single server starts empty (seats held are forgotten) unless you restore a backup.',
    );
  }
  return wrap(db, dataDir, path);
}

/**
 * A database in memory with the same repositories and migrations: the seeded simulation's disk.
 * `image` is a byte copy of it (a backup to restore later, as `openMemoryStore(image)`).
 */
export interface MemoryStore extends Store {
  image(): Buffer;
}

export function openMemoryStore(image?: Buffer): MemoryStore {
  const db = image ? new Database(image) : new Database(':memory:');
  applyMigrations(db);
  return { ...wrap(db, ':memory:', ':memory:'), image: () => db.serialize() };
}

/**
 * Who used which license, and the triad's votes: for the server's own OS user only. SQLite gives
 * the -wal and -shm files the mode of the database file, so that file is created 0600 before
 * SQLite opens it, and files an earlier version left readable by others are tightened.
 */
function keepPrivate(path: string): void {
  if (process.platform === 'win32') return;
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch {
      // not ours to change (another user's file): SQLite says what it cannot open
    }
  }
}

/**
 * Durability choice. In WAL mode a commit that has returned survives kill -9 with any
 * synchronous level, because the WAL frames are already in the OS page cache. We still choose
 * FULL (fsync of the WAL on every commit) because a power cut or OS crash must not forget
 * either: a triad member that forgot its vote could vote twice in an epoch (two masters), and a
 * master that forgot a grant it acknowledged would issue the seat again. The server's group
 * commits (BatchedWriter) use `transactionUnsynced` and fsync the WAL on the thread pool before
 * anyone hears "done" (LogSync), so the event loop serves other clients during the fsync. The
 * triad driver's flush fsyncs inline (`syncLogNow`), and only a turn that wrote what a restart
 * cannot rebuild from the log (entries, votes, epochs): measured, an async fsync doubled its
 * half-load latency (smaller batches at every member, more messages).
 */
function configure(db: BetterSqlite3.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
}

function wrap(db: BetterSqlite3.Database, dataDir: string, path: string): Store {
  const settings = createSettingsRepository(db);
  const wal = walFile(`${path}-wal`);
  // prepared once: a pragma() call parses its statement every time, twice per group commit
  const unsynced = db.prepare('PRAGMA synchronous = NORMAL');
  const synced = db.prepare('PRAGMA synchronous = FULL');
  const freePages = db.prepare<[], { freelist_count: number }>('PRAGMA freelist_count');
  const pageSize = (db.pragma('page_size', { simple: true }) as number) || 4096;
  // made once: db.transaction(fn) builds a new wrapper on every call (a group commit per turn)
  const inTransaction = db.transaction(<T>(fn: () => T): T => fn());
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
    retention: createRetentionStateRepository(settings),
    verifiedSignatures: createVerifiedSignaturesRepository(db),
    reusableBytes: () => freePages.get()!.freelist_count * pageSize,
    transaction: (fn) => inTransaction(fn) as ReturnType<typeof fn>,
    transactionUnsynced: (fn) => {
      // the synchronous level can change only outside a transaction
      if (db.inTransaction) return inTransaction(fn) as ReturnType<typeof fn>;
      unsynced.run();
      try {
        return inTransaction(fn) as ReturnType<typeof fn>;
      } finally {
        synced.run();
      }
    },
    syncLog: wal.sync,
    syncLogNow: wal.syncNow,
    integrityCheck: () => (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check),
    close: () => {
      db.close();
      wal.close();
    },
  };
}

/**
 * The WAL file, opened for fdatasync (Linux and Windows flush a file's data whichever handle
 * asks). The handle stays open while a sync is in flight, so its number is never reused under it.
 */
function walFile(path: string): { sync: () => Promise<void>; syncNow: () => void; close: () => void } {
  let fd: number | null = null;
  let inFlight = 0;
  let closed = false;
  // no WAL file yet means no commit yet; a shutdown syncs on its own thread before it closes:
  // either way there is nothing to sync
  const handle = () => (closed ? null : (fd ??= existsSync(path) ? openSync(path, 'r+') : null));
  const release = () => {
    if (closed && inFlight === 0 && fd !== null) {
      closeSync(fd);
      fd = null;
    }
  };
  return {
    sync: async () => {
      const open = handle();
      if (open === null) return;
      inFlight++;
      try {
        await new Promise<void>((resolve, reject) => fdatasync(open, (error) => (error ? reject(error) : resolve())));
      } finally {
        inFlight--;
        release();
      }
    },
    syncNow: () => {
      const open = handle();
      if (open !== null) fdatasyncSync(open);
    },
    close: () => {
      closed = true;
      release();
    },
  };
}
