import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { databaseFile } from '../../src/core/store/store';

/**
 * Disk faults for the chaos drills: a member's database deleted (a new disk, or an administrator
 * who moved it aside), or put back to an earlier copy (a restored backup or VM snapshot). The
 * copies are taken while the member runs, each a consistent snapshot (`VACUUM INTO` on a separate
 * read-only connection, which sees one committed state of the database and its write-ahead log).
 */

const DATABASE_FILES = [databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`];

/** Deletes a member's database (with its write-ahead log); the member must not be running. */
export function wipeDatabase(dataDir: string): void {
  for (const file of DATABASE_FILES) rmSync(path.join(dataDir, file), { force: true });
}

/** Puts a snapshot back as the member's database; the member must not be running. */
export function restoreDatabase(dataDir: string, snapshotFile: string): void {
  wipeDatabase(dataDir);
  copyFileSync(snapshotFile, path.join(dataDir, databaseFile));
}

export interface Snapshot {
  /** Real time the copy was taken. */
  atMs: number;
  file: string;
}

/** Takes a copy of each running member's database every `everyMs`, keeping the last `keep`. */
export class DatabaseSnapshots {
  private readonly taken: Snapshot[][];
  private timer: NodeJS.Timeout | null = null;
  private counter = 0;

  constructor(
    private readonly dataDirs: readonly string[],
    private readonly dir: string,
    private readonly running: (m: number) => boolean,
    private readonly everyMs = 3_000,
    private readonly keep = 10,
  ) {
    mkdirSync(dir, { recursive: true });
    this.taken = dataDirs.map(() => []);
  }

  start(): void {
    this.timer ??= setInterval(() => this.dataDirs.forEach((_, m) => this.running(m) && this.take(m)), this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Copies, oldest first. */
  of(m: number): readonly Snapshot[] {
    return this.taken[m];
  }

  take(m: number): Snapshot | null {
    const file = path.join(this.dir, `${m}-${++this.counter}.db`);
    let db: Database.Database | null = null;
    try {
      db = new Database(path.join(this.dataDirs[m], databaseFile), { readonly: true, fileMustExist: true });
      db.exec(`VACUUM INTO '${file.replaceAll("'", "''")}'`);
    } catch {
      // not created yet, or busy: the next round takes one
      rmSync(file, { force: true });
      return null;
    } finally {
      db?.close();
    }
    const snapshot = { atMs: Date.now(), file };
    this.taken[m].push(snapshot);
    for (const old of this.taken[m].splice(0, Math.max(0, this.taken[m].length - this.keep))) rmSync(old.file, { force: true });
    return snapshot;
  }
}
