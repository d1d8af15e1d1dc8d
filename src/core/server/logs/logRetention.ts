import {
  bytesOf,
  logNames,
  logTitles,
  type DiskStatus,
  type LogName,
  type RetentionSettings,
  type LogTableState,
  type LogsOverview,
  type RotationRecord,
} from '../../../shared/logRetention';
import { leasesOutAfter } from '../../../shared/userUsage';
import { debugArchiveText, REPORT_CSV_HEADER, reportArchiveCsv } from '../../retention/archiveFormat';
import { ageCutoff, estimatedBytes, planTrim, type TrimReason } from '../../retention/plan';
import type { DebugLogEntry, ReportLogEntry, Store } from '../../store';
import type { LogTableRetention } from '../../store/logTable';
import type { BatchedWriter } from '../batchedWriter';
import { capArchives, listArchives, removePartialArchives, resolveArchiveFolder, writeArchive, type ArchiveRange } from './logArchive';

/**
 * Log retention (issue 21): keeps the debug log and the report log within their age and size
 * limits, on every server and triad member alike (it touches only those two tables; the lease
 * table and the quorum log are not its business). Rows leave from the oldest end in passes:
 * 1. the rows of the pass are streamed into a gzip archive file (debug log as FlexLM text,
 *    report log as CSV; logArchive.ts), on disk under its final name before the "archived
 *    through id" mark is committed;
 * 2. the archived rows are deleted in batches through the group-commit writer, each batch in the
 *    transaction of whatever requests that turn has (and for the report log, with the seats the
 *    removed rows leave out, per feature and by lease with its user, so the usage replay and the
 *    per-user report stay right).
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
  /** How often the limits are checked (default 2 s: a busy server adds ~5 MB a second to its logs). */
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
export const DEFAULT_RETENTION_CHECK_MS = 2_000;

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
      if (!settings.archive.enabled)
        throw new Error(
          `Archives are off, so rotating the ${logTitles[log]} would only delete it: turn archives on in Settings (or \`triad log --archive\`) first.`,
        );
      const ends = this.table(log).ends();
      const state = this.deps.store.retention.state(log);
      if (!ends || ends.last.id <= state.archivedThroughId) throw new Error(`The ${logTitles[log]} has nothing new to rotate since the last archive.`);
      return this.pass(log, ends.last.id, 'manual', settings);
    });
  }

  /** What the Settings screen shows: the stored picture plus what this runner did since it started. */
  async overview(disk: DiskStatus | null): Promise<LogsOverview> {
    const rotations = [...this.rotations];
    return {
      ...(await logsOverview(this.deps.store, this.deps.dataDir, disk)),
      rotations,
      longestStepMs: Math.round(this.longestStepMs * 100) / 100,
      problem: this.problem,
      running: true,
    };
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
      if (!this.partialsRemoved) {
        await removePartialArchives(this.archiveFolder(settings));
        this.partialsRemoved = true;
      }
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
      const range: ArchiveRange = { rows: 0, fromMs: 0, toMs: 0 };
      const text = this.archiveText(log, Math.max(state.archivedThroughId, firstId - 1), throughId, range);
      file = await writeArchive(this.archiveFolder(settings), log, text, range, this.deps.now());
      ({ rows, fromMs, toMs } = range);
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
          const report = this.deps.store.reportLog;
          const carriedSeats = log === 'report' ? carryForward(state.carriedSeats, report.seatsOutThrough(upTo)) : state.carriedSeats;
          const carriedLeases = log === 'report' ? leasesOutAfter(state.carriedLeases, report.leaseEventsThrough(upTo)) : state.carriedLeases;
          const rotatedThroughMs = table.timeOf(upTo);
          table.deleteThrough(upTo);
          retention.saveState(log, { ...state, rotatedThroughMs, carriedSeats, carriedLeases });
        }),
      );
      this.deps.freed?.();
    }
  }

  /** The rows `afterId < id <= throughId` as archive text, a batch per step; fills in `range` as it goes. */
  private async *archiveText(log: LogName, afterId: number, throughId: number, range: ArchiveRange): AsyncGenerator<string> {
    if (log === 'report') yield REPORT_CSV_HEADER;
    const day = { day: '' };
    for (let after = afterId; after < throughId;) {
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

  private async capArchives(settings: RetentionSettings): Promise<void> {
    if (settings.archive.maxMegabytes === 0) return;
    for (const file of await capArchives(this.archiveFolder(settings), bytesOf(settings.archive.maxMegabytes))) {
      this.deps.debug(`Deleted the archive ${file.name} (${file.bytes} bytes): the archives passed their limit of ${settings.archive.maxMegabytes} MB`);
    }
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

/**
 * The logs, their archives and the settings as stored: what the Settings screen shows, also
 * while the license server is stopped (nothing rotated, no disk measured).
 */
export async function logsOverview(store: Store, dataDir: string, disk: DiskStatus | null): Promise<LogsOverview> {
  const settings = store.retention.settings();
  const folder = resolveArchiveFolder(dataDir, settings);
  const files = await listArchives(folder);
  return {
    settings,
    archiveFolder: folder,
    debugLog: logTableState(store, 'debug'),
    reportLog: logTableState(store, 'report'),
    archives: {
      count: files.length,
      totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
      newest: files
        .slice(-ARCHIVES_SHOWN)
        .reverse()
        .map((f) => ({ name: f.name, log: f.log, bytes: f.bytes, fromMs: f.fromMs, toMs: f.toMs })),
    },
    rotations: [],
    longestStepMs: 0,
    problem: null,
    running: false,
    disk,
  };
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
