import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { bytesOf, logNames, logTitles, type ArchiveFile, type DiskStatus, type LogName, type RetentionSettings, type LogTableState, type LogsOverview, type RotationRecord } from '../../shared/logRetention';
import { archiveFileName, debugArchiveText, parseArchiveFileName, REPORT_CSV_HEADER, reportArchiveCsv } from '../retention/archiveFormat';
import { ageCutoff, estimatedBytes, planTrim, type TrimReason } from '../retention/plan';
import type { DebugLogEntry, ReportLogEntry, Store } from '../store';
import type { LogTableRetention } from '../store/logTable';
import type { BatchedWriter } from './batchedWriter';

/**
 * Log retention (issue 21): keeps the debug log and the report log within their age and size
 * limits, on every server and triad member alike (it touches only those two tables; the lease
 * table and the quorum log are not its business). Rows leave from the oldest end in passes:
 * 1. the rows of the pass are streamed into a gzip archive file (debug log as FlexLM text,
 *    report log as CSV), written under a temporary name, fsynced, then renamed to its final name
 *    with the time range; the "archived through id" mark is committed after that;
 * 2. the archived rows are deleted in batches through the group-commit writer, each batch in the
 *    transaction of whatever requests that turn has (and for the report log, with the seats the
 *    removed rows leave out, so the usage replay stays right).
 * Every synchronous step is a small batch between requests; the longest one is measured.
 * A crash between 1 and 2 leaves rows that are archived and still in the table: they are deleted
 * at the next pass, never archived twice. A crash in 1 leaves a `.partial` file, removed at start
 * (its rows are still in the table and go into the next archive).
 */

export interface LogRetentionDeps {
  store: Store;
  writer: BatchedWriter;
  dataDir: string;
  now: () => number;
  /** lmgrd lines for the debug log. */
  debug: (message: string) => void;
  /** How often the limits are checked (default 10 s). */
  checkIntervalMs?: number;
  /** Rows left the database: its free pages grew (the disk monitor may measure again). */
  freed?: () => void;
}

/** Rows read and formatted per synchronous step while writing an archive. */
const READ_BATCH_ROWS = 500;
/** Rows deleted per group commit (a delete costs ~0.5 µs per row here). */
const DELETE_BATCH_ROWS = 5_000;
/** One archive file holds at most this many rows; a bigger backlog takes several passes. */
const MAX_PASS_ROWS = 1_000_000;
const ROTATIONS_SHOWN = 20;
const ARCHIVES_SHOWN = 20;
export const DEFAULT_RETENTION_CHECK_MS = 10_000;

class Stopping extends Error {}

export class LogRetention {
  private timer: NodeJS.Timeout | null = null;
  /** Passes and manual rotations run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private longestStepMs = 0;
  private problem: string | null = null;
  private partialsRemoved = false;
  private readonly rotations: RotationRecord[] = [];
  private readonly rotatedRowCounts: Record<LogName, number> = { debug: 0, report: 0 };

  constructor(private readonly deps: LogRetentionDeps) {}

  /** Removes leftovers of an interrupted archive and starts checking the limits. */
  start(): void {
    this.schedule(0);
  }

  /** Stops after the current batch (a half-written archive is removed); resolves when idle. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.queue.catch(() => undefined);
  }

  /**
   * lmswitch / lmswitchr: every row of the log so far goes into one archive file and leaves the
   * table (the newest row stays as the anchor of the ids, already archived). Rejects with a
   * message a person can act on.
   */
  rotateNow(log: LogName): Promise<RotationRecord> {
    return this.serialized(async () => {
      const settings = this.deps.store.retention.settings();
      if (!settings.archive.enabled) throw new Error(`Archives are off, so rotating the ${logTitles[log]} would only delete it: turn archives on in Settings (or \`triad log --archive\`) first.`);
      const ends = this.table(log).ends();
      const state = this.deps.store.retention.state(log);
      if (!ends || ends.last.id <= state.archivedThroughId) throw new Error(`The ${logTitles[log]} has nothing new to rotate since the last archive.`);
      return this.pass(log, ends.last.id, 'manual', settings);
    });
  }

  /** What the Settings screen shows: the stored picture plus what this runner did since it started. */
  async overview(disk: DiskStatus | null): Promise<LogsOverview> {
    const rotations = [...this.rotations];
    return { ...(await logsOverview(this.deps.store, this.deps.dataDir, disk)), rotations, longestStepMs: Math.round(this.longestStepMs * 100) / 100, problem: this.problem, running: true };
  }

  /** Rows rotated out of each log since the runner started (/metrics). */
  get rotatedRows(): Readonly<Record<LogName, number>> {
    return this.rotatedRowCounts;
  }

  /** The longest synchronous step so far, ms (/metrics). */
  get longestStep(): number {
    return this.longestStepMs;
  }

  /** The settings changed: check the limits now instead of at the next interval. */
  checkSoon(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private archiveFolder(settings: RetentionSettings): string {
    return resolveArchiveFolder(this.deps.dataDir, settings);
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.serialized(() => this.check()).then(
        (more) => this.schedule(more ? 0 : (this.deps.checkIntervalMs ?? DEFAULT_RETENTION_CHECK_MS)),
        () => this.schedule(this.deps.checkIntervalMs ?? DEFAULT_RETENTION_CHECK_MS),
      );
    }, delayMs);
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.stopping) throw new Error('The license server is stopping.');
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One round over both logs; true when a log is still over its limits (the next round starts at once). */
  private async check(): Promise<boolean> {
    const settings = this.deps.store.retention.settings();
    let more = false;
    try {
      if (!this.partialsRemoved) await this.removePartials(this.archiveFolder(settings));
      for (const log of logNames) {
        const plan = this.plan(log, settings);
        if (plan) {
          await this.pass(log, plan.throughId, plan.reason, settings);
          more ||= plan.rows >= MAX_PASS_ROWS;
        } else {
          await this.deleteArchived(log);
        }
      }
      await this.capArchives(settings);
      this.setProblem(null);
    } catch (error) {
      if (error instanceof Stopping) return false;
      this.setProblem(`Log rotation failed: ${error instanceof Error ? error.message : String(error)}. The rows stay in the database until it succeeds.`);
    }
    return more;
  }

  private plan(log: LogName, settings: RetentionSettings) {
    const table = this.table(log);
    const ends = table.ends();
    const limits = log === 'debug' ? settings.debugLog : settings.reportLog;
    const cutoff = ageCutoff(limits, this.deps.now());
    return planTrim(
      {
        firstId: ends?.first.id ?? null,
        lastId: ends?.last.id ?? null,
        rows: ends ? ends.last.id - ends.first.id + 1 : 0,
        bytesPerRow: table.bytesPerRow(),
        lastIdTooOld: cutoff === null ? null : table.lastIdBefore(cutoff),
      },
      limits,
      MAX_PASS_ROWS,
    );
  }

  /** Archives the rows up to `throughId` (those not archived yet) and deletes them, the newest row excepted. */
  private async pass(log: LogName, throughId: number, reason: TrimReason | 'manual', settings: RetentionSettings): Promise<RotationRecord> {
    const table = this.table(log);
    const state = this.deps.store.retention.state(log);
    const firstId = table.ends()?.first.id ?? throughId;
    let file: string | null = null;
    let rows = throughId - Math.max(state.archivedThroughId, firstId - 1);
    let fromMs = table.timeOf(Math.max(state.archivedThroughId + 1, firstId)) ?? this.deps.now();
    let toMs = table.timeOf(throughId) ?? fromMs;
    if (settings.archive.enabled && rows > 0) {
      const written = await this.writeArchive(log, Math.max(state.archivedThroughId, firstId - 1), throughId, this.archiveFolder(settings));
      ({ file, rows, fromMs, toMs } = written);
    }
    if (throughId > state.archivedThroughId) {
      await this.deps.writer.commit(() => this.deps.store.retention.saveState(log, { ...this.deps.store.retention.state(log), archivedThroughId: throughId }));
    }
    await this.deleteArchived(log);
    const record: RotationRecord = { log, atMs: this.deps.now(), rows, fromMs, toMs, file, reason };
    this.rotatedRowCounts[log] += rows;
    this.rotations.unshift(record);
    this.rotations.length = Math.min(this.rotations.length, ROTATIONS_SHOWN);
    const why = reason === 'manual' ? 'on request' : reason === 'age' ? 'older than the age limit' : 'over the size limit';
    const where = file ? `to ${file}` : '(archives are off: dropped)';
    this.deps.debug(`Rotated ${rows} rows of the ${logTitles[log]} (${new Date(fromMs).toISOString()} to ${new Date(toMs).toISOString()}, ${why}) ${where}`);
    return record;
  }

  /** Deletes the archived rows still in the table, oldest first, a batch per group commit; never the newest row. */
  private async deleteArchived(log: LogName): Promise<void> {
    const table = this.table(log);
    const retention = this.deps.store.retention;
    for (;;) {
      if (this.stopping) throw new Stopping();
      const ends = table.ends();
      const through = ends ? Math.min(retention.state(log).archivedThroughId, ends.last.id - 1) : 0;
      if (!ends || ends.first.id > through) return;
      const upTo = Math.min(through, ends.first.id + DELETE_BATCH_ROWS - 1);
      await this.deps.writer.commit(() =>
        this.timed(() => {
          const state = retention.state(log);
          const carriedSeats = log === 'report' ? carryForward(state.carriedSeats, this.deps.store.reportLog.seatsOutThrough(upTo)) : state.carriedSeats;
          const rotatedThroughMs = table.timeOf(upTo);
          table.deleteThrough(upTo);
          retention.saveState(log, { ...state, rotatedThroughMs, carriedSeats });
        }),
      );
      this.deps.freed?.();
    }
  }

  /** Streams rows `afterId < id <= throughId` into a gzip file; renames it to its final name once on disk. */
  private async writeArchive(log: LogName, afterId: number, throughId: number, folder: string): Promise<{ file: string; rows: number; fromMs: number; toMs: number }> {
    await mkdir(folder, { recursive: true });
    const partial = join(folder, `.${log}-log_${process.pid}_${this.deps.now()}.partial`);
    const range = { rows: 0, fromMs: 0, toMs: 0 };
    const batches = this.archiveText(log, afterId, throughId, range);
    try {
      // flush: the file is fsynced before it is closed, so the rename below names durable data
      await pipeline(Readable.from(batches), createGzip(), createWriteStream(partial, { flags: 'wx', flush: true }));
      const file = await this.freeName(folder, log, range.fromMs, range.toMs);
      await rename(partial, file);
      await syncFolder(folder);
      return { file, ...range };
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  private async *archiveText(log: LogName, afterId: number, throughId: number, range: { rows: number; fromMs: number; toMs: number }): AsyncGenerator<string> {
    if (log === 'report') yield REPORT_CSV_HEADER;
    const day = { day: '' };
    for (let after = afterId; after < throughId; ) {
      if (this.stopping) throw new Stopping();
      const chunk = this.timed(() => {
        const rows = this.table(log).rowsAfter(after, throughId, READ_BATCH_ROWS);
        if (rows.length === 0) return null;
        if (range.rows === 0) range.fromMs = rows[0]!.timeMs;
        range.rows += rows.length;
        range.toMs = rows[rows.length - 1]!.timeMs;
        after = rows[rows.length - 1]!.id;
        return log === 'debug' ? debugArchiveText(rows as DebugLogEntry[], day) : reportArchiveCsv(rows as ReportLogEntry[]);
      });
      if (chunk === null) return;
      yield chunk;
    }
  }

  private async freeName(folder: string, log: LogName, fromMs: number, toMs: number): Promise<string> {
    for (let copy = 1; ; copy++) {
      const file = join(folder, archiveFileName(log, fromMs, toMs, copy));
      if (!(await exists(file))) return file;
    }
  }

  /** Deletes the oldest archives while all together pass the limit; the newest always stays. */
  private async capArchives(settings: RetentionSettings): Promise<void> {
    if (settings.archive.maxMegabytes === 0) return;
    const limit = bytesOf(settings.archive.maxMegabytes);
    const files = await archiveFiles(this.archiveFolder(settings));
    let total = files.reduce((sum, f) => sum + f.bytes, 0);
    for (const file of files.slice(0, -1)) {
      if (total <= limit) return;
      await rm(file.path, { force: true });
      total -= file.bytes;
      this.deps.debug(`Deleted the archive ${file.name} (${file.bytes} bytes): the archives passed their limit of ${settings.archive.maxMegabytes} MB`);
    }
  }

  /** Archives interrupted by a crash: their rows are still in the table and go into the next archive. */
  private async removePartials(folder: string): Promise<void> {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) if (/^\.(debug|report)-log_.*\.partial$/.test(name)) await rm(join(folder, name), { force: true });
    this.partialsRemoved = true;
  }

  private setProblem(problem: string | null): void {
    if (problem !== null && problem !== this.problem) this.deps.debug(problem);
    this.problem = problem;
  }

  private table(log: LogName): LogTableRetention<DebugLogEntry | ReportLogEntry> {
    return log === 'debug' ? this.deps.store.debugLog.retention : this.deps.store.reportLog.retention;
  }

  /** Runs one synchronous step and keeps the longest: what requests waiting behind it waited. */
  private timed<T>(step: () => T): T {
    const started = performance.now();
    try {
      return step();
    } finally {
      this.longestStepMs = Math.max(this.longestStepMs, performance.now() - started);
    }
  }
}

/** Our archive files in the folder, oldest first. */
async function archiveFiles(folder: string): Promise<(ArchiveFile & { path: string })[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const files: (ArchiveFile & { path: string })[] = [];
  for (const name of names) {
    const parsed = parseArchiveFileName(name);
    if (!parsed) continue;
    const path = join(folder, name);
    const info = await stat(path).catch(() => null);
    if (info) files.push({ name, path, bytes: info.size, ...parsed });
  }
  return files.sort((a, b) => a.toMs - b.toMs || a.name.localeCompare(b.name));
}

/**
 * The logs, their archives and the settings as stored: what the Settings screen shows, also
 * while the license server is stopped (nothing rotated, no disk measured).
 */
export async function logsOverview(store: Store, dataDir: string, disk: DiskStatus | null): Promise<LogsOverview> {
  const settings = store.retention.settings();
  const folder = resolveArchiveFolder(dataDir, settings);
  const files = await archiveFiles(folder);
  return {
    settings,
    archiveFolder: folder,
    debugLog: logTableState(store, 'debug'),
    reportLog: logTableState(store, 'report'),
    archives: { count: files.length, totalBytes: files.reduce((sum, f) => sum + f.bytes, 0), newest: files.slice(-ARCHIVES_SHOWN).reverse().map((f) => ({ name: f.name, log: f.log, bytes: f.bytes, fromMs: f.fromMs, toMs: f.toMs })) },
    rotations: [],
    longestStepMs: 0,
    problem: null,
    running: false,
    disk,
  };
}

/** The archive folder of these settings: `archive` in the data folder unless set (relative to the data folder). */
export function resolveArchiveFolder(dataDir: string, settings: RetentionSettings): string {
  const folder = settings.archive.folder;
  if (folder === null) return join(dataDir, 'archive');
  return isAbsolute(folder) ? folder : resolve(dataDir, folder);
}

/** What a log table holds now, as the Settings screen and `triad log` show it. */
export function logTableState(store: Store, log: LogName): LogTableState {
  const table = log === 'debug' ? store.debugLog.retention : store.reportLog.retention;
  const ends = table.ends();
  const rows = ends ? ends.last.id - ends.first.id + 1 : 0;
  return {
    rows,
    estimatedBytes: estimatedBytes({ rows, bytesPerRow: table.bytesPerRow() }),
    oldestMs: ends?.first.timeMs ?? null,
    newestMs: ends?.last.timeMs ?? null,
    rotatedThroughMs: store.retention.state(log).rotatedThroughMs,
  };
}

/** Seats out after the removed rows: those before them plus what the removed rows did (never below 0). */
function carryForward(carried: Record<string, number>, removed: Map<string, number>): Record<string, number> {
  const next = { ...carried };
  for (const [feature, seats] of removed) next[feature] = Math.max(0, (next[feature] ?? 0) + seats);
  return next;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** fsync of the folder, so the rename survives a power cut (Windows cannot open a folder: skipped). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
