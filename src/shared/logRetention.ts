/**
 * How long the debug log and the report log are kept, where their rotated rows go, and when the
 * server warns about (and then protects) its disk. One settings object per server, stored in its
 * database, set from the admin UI (Settings), `triad log` or `triad serve` flags; validated here
 * so every place that accepts it says the same thing about a wrong value.
 */
import { z } from 'zod';

/** The two logs that retention trims; nothing else in the database is touched by it. */
export type LogName = 'debug' | 'report';
export const logNames: readonly LogName[] = ['debug', 'report'];

/** What a person calls each log (messages, the Settings screen). */
export const logTitles: Record<LogName, string> = { debug: 'debug log', report: 'report log' };

const MB = 1024 * 1024;
export const bytesOf = (megabytes: number): number => megabytes * MB;

/** 0 means "no limit" for every number below. */
const megabytes = z
  .number({ error: 'Enter a number of megabytes (0: no limit).' })
  .int('Whole megabytes, please.')
  .min(0, 'Use 0 for no limit.')
  .max(100_000_000);
const days = z
  .number({ error: 'Enter a number of days (0: no age limit).' })
  .int('Whole days, please.')
  .min(0, 'Use 0 to keep rows whatever their age.')
  .max(36_500);

export const logLimitsSchema = z.strictObject({
  /** Rows older than this many days are rotated out (0: no age limit). */
  maxAgeDays: days,
  /** The log's rows may take about this much of the database (0: no size limit). */
  maxMegabytes: megabytes,
});
export type LogLimits = z.infer<typeof logLimitsSchema>;

export const archiveSettingsSchema = z.strictObject({
  /** Write rotated rows to compressed files before dropping them (off: they are dropped). */
  enabled: z.boolean(),
  /** Absolute, or relative to the data folder; null: `archive` in the data folder. */
  folder: z.string().trim().min(1, 'Give a folder, or clear it to use the archive folder in the data folder.').max(4096).nullable(),
  /** The oldest archive files are deleted when all of them together pass this (0: keep every file). */
  maxMegabytes: megabytes,
});
export type ArchiveSettings = z.infer<typeof archiveSettingsSchema>;

export const diskSettingsSchema = z
  .strictObject({
    /** Below this much free space the server warns: debug log, status banner, /metrics. */
    warnBelowMegabytes: megabytes,
    /** Below this much free space new licenses are refused, so check-ins and the quorum keep room. */
    refuseGrantsBelowMegabytes: megabytes,
  })
  .refine((disk) => disk.warnBelowMegabytes === 0 || disk.warnBelowMegabytes >= disk.refuseGrantsBelowMegabytes, {
    message: 'The warning threshold must not be below the threshold at which new licenses are refused (the warning comes first).',
    path: ['warnBelowMegabytes'],
  });
export type DiskSettings = z.infer<typeof diskSettingsSchema>;

export const retentionSettingsSchema = z.strictObject({
  debugLog: logLimitsSchema,
  reportLog: logLimitsSchema,
  archive: archiveSettingsSchema,
  disk: diskSettingsSchema,
});
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

/**
 * A busy server (issue 21 measured ~340 bytes per checkout+checkin in both logs) stays under
 * about 2 GB of log rows and 2 GB of archives; a quiet one keeps 90 days of both logs.
 */
export const defaultRetentionSettings: RetentionSettings = {
  debugLog: { maxAgeDays: 90, maxMegabytes: 1024 },
  reportLog: { maxAgeDays: 90, maxMegabytes: 1024 },
  archive: { enabled: true, folder: null, maxMegabytes: 2048 },
  disk: { warnBelowMegabytes: 1024, refuseGrantsBelowMegabytes: 64 },
};

/** Any subset of the settings: what a form, a flag or `triad log` changes. */
export const retentionPatchSchema = z.strictObject({
  debugLog: logLimitsSchema.partial().optional(),
  reportLog: logLimitsSchema.partial().optional(),
  archive: archiveSettingsSchema.partial().optional(),
  disk: z.strictObject({ warnBelowMegabytes: megabytes.optional(), refuseGrantsBelowMegabytes: megabytes.optional() }).optional(),
});
export type RetentionPatch = z.infer<typeof retentionPatchSchema>;

export interface RetentionIssue {
  /** The setting, e.g. `disk.warnBelowMegabytes`. */
  path: string;
  message: string;
}

/** The settings with `patch` applied, or what is wrong with the result, field by field. */
export function applyRetentionPatch(
  current: RetentionSettings,
  patch: RetentionPatch,
): { ok: true; value: RetentionSettings } | { ok: false; error: string; issues: RetentionIssue[] } {
  const merged = {
    debugLog: { ...current.debugLog, ...patch.debugLog },
    reportLog: { ...current.reportLog, ...patch.reportLog },
    archive: { ...current.archive, ...patch.archive },
    disk: { ...current.disk, ...patch.disk },
  };
  const parsed = retentionSettingsSchema.safeParse(merged);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || 'settings', message: issue.message }));
  return { ok: false, error: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), issues };
}

const limitText = (limits: LogLimits) =>
  `${limits.maxAgeDays > 0 ? `${limits.maxAgeDays} days` : 'any age'} / ${limits.maxMegabytes > 0 ? `${limits.maxMegabytes} MB` : 'any size'}`;

/** The settings in one line: the server's start-up line, the audit table, `triad log`. */
export function describeRetention(settings: RetentionSettings, archiveFolder: string): string {
  const archives = settings.archive.enabled
    ? `rotated rows archived in ${archiveFolder}${settings.archive.maxMegabytes > 0 ? ` (up to ${settings.archive.maxMegabytes} MB)` : ''}`
    : 'rotated rows dropped (archives off)';
  const disk = `disk warning below ${settings.disk.warnBelowMegabytes} MB free, new licenses refused below ${settings.disk.refuseGrantsBelowMegabytes} MB`;
  return `debug log ${limitText(settings.debugLog)}, report log ${limitText(settings.reportLog)}; ${archives}; ${disk}`;
}

// ---------------------------------------------------------------- what the Settings screen shows

/** One log table now. Sizes are estimates (rows times their average size), as retention uses them. */
export interface LogTableState {
  rows: number;
  estimatedBytes: number;
  /** Time of the oldest and newest row kept; null when the table is empty. */
  oldestMs: number | null;
  newestMs: number | null;
  /** Rows up to this time were rotated out (to archives, or dropped); null when none ever were. */
  rotatedThroughMs: number | null;
}

export interface ArchiveFile {
  name: string;
  log: LogName;
  bytes: number;
  /** Time of its first and last row. */
  fromMs: number;
  toMs: number;
}

/** One rotation: rows moved out of a log (to `file`, or dropped when archives are off). */
export interface RotationRecord {
  log: LogName;
  atMs: number;
  rows: number;
  fromMs: number;
  toMs: number;
  /** Full path of the archive written; null when archives are off. */
  file: string | null;
  reason: 'age' | 'size' | 'manual';
}

export type DiskState = 'ok' | 'low' | 'refusing' | 'full';

/** The data folder's disk as the server last measured it (also in the status snapshot). */
export interface DiskStatus {
  folder: string;
  freeBytes: number;
  totalBytes: number;
  /** Free pages inside the database that new rows reuse before the file grows. */
  reusableBytes: number;
  warnBelowBytes: number;
  refuseGrantsBelowBytes: number;
  /** ok; low: warn; refusing: below the refuse threshold; full: a write failed for want of space. */
  state: DiskState;
  /** What the administrator should read (banner, debug log); null when all is well. */
  message: string | null;
  checkedAt: number;
}

export interface LogsOverview {
  settings: RetentionSettings;
  /** The archive folder, resolved. */
  archiveFolder: string;
  debugLog: LogTableState;
  reportLog: LogTableState;
  archives: { count: number; totalBytes: number; newest: ArchiveFile[] };
  /** The latest rotations, newest first (since the server started). */
  rotations: RotationRecord[];
  /** Longest synchronous step retention took on the server's event loop since it started, ms. */
  longestStepMs: number;
  /** Why the last rotation failed (e.g. the archive folder cannot be written); null when it did not. */
  problem: string | null;
  /** False while the license server is stopped: settings are stored, nothing is rotated. */
  running: boolean;
  disk: DiskStatus | null;
}
