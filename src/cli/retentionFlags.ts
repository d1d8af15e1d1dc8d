import { InvalidArgumentError, type Command } from 'commander';
import { defaultRetentionSettings, type RetentionIssue, type RetentionPatch } from '../shared/logRetention';

/**
 * The log-retention and disk flags `triad serve` and `triad log` share. A flag that is given
 * changes the stored setting (it stays until changed again); one that is not leaves it alone.
 */

export interface RetentionFlags {
  debugLogDays?: number;
  debugLogMb?: number;
  reportLogDays?: number;
  reportLogMb?: number;
  archive?: boolean;
  archiveDir?: string;
  archiveMb?: number;
  diskWarnMb?: number;
  diskReserveMb?: number;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more (0: no limit)');
  return n;
}

export function addRetentionOptions(command: Command): Command {
  const d = defaultRetentionSettings;
  return command
    .option(
      '--debug-log-days <n>',
      `rotate debug-log lines older than this many days out of the database (0: any age; default ${d.debugLog.maxAgeDays})`,
      wholeNumber,
    )
    .option('--debug-log-mb <n>', `keep the debug log under about this many MB of the database (0: any size; default ${d.debugLog.maxMegabytes})`, wholeNumber)
    .option('--report-log-days <n>', `rotate report-log rows older than this many days (0: any age; default ${d.reportLog.maxAgeDays})`, wholeNumber)
    .option('--report-log-mb <n>', `keep the report log under about this many MB (0: any size; default ${d.reportLog.maxMegabytes})`, wholeNumber)
    .option('--archive', 'write rotated rows to gzip archive files (the default)')
    .option('--no-archive', 'drop rotated rows instead of archiving them')
    .option('--archive-dir <dir>', 'folder for the archive files, absolute or relative to the data folder (default: archive in the data folder)')
    .option(
      '--archive-mb <n>',
      `delete the oldest archive files beyond this many MB in all (0: keep every file; default ${d.archive.maxMegabytes})`,
      wholeNumber,
    )
    .option('--disk-warn-mb <n>', `warn when less than this much disk space is free (0: never; default ${d.disk.warnBelowMegabytes})`, wholeNumber)
    .option(
      '--disk-reserve-mb <n>',
      'refuse new licenses when less than this much is free, keeping it for check-ins ' +
        `(0: only when a write fails; default ${d.disk.refuseGrantsBelowMegabytes})`,
      wholeNumber,
    );
}

/** The settings the flags change, or undefined when no retention flag was given. */
export function retentionPatchFrom(flags: RetentionFlags): RetentionPatch | undefined {
  const pick = <T extends object>(fields: T): T | undefined => {
    const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    return Object.keys(given).length > 0 ? (given as T) : undefined;
  };
  const patch: RetentionPatch = {
    debugLog: pick({ maxAgeDays: flags.debugLogDays, maxMegabytes: flags.debugLogMb }),
    reportLog: pick({ maxAgeDays: flags.reportLogDays, maxMegabytes: flags.reportLogMb }),
    archive: pick({ enabled: flags.archive, folder: flags.archiveDir, maxMegabytes: flags.archiveMb }),
    disk: pick({ warnBelowMegabytes: flags.diskWarnMb, refuseGrantsBelowMegabytes: flags.diskReserveMb }),
  };
  return pick(patch);
}

const flagOf: Record<string, string> = {
  'debugLog.maxAgeDays': '--debug-log-days',
  'debugLog.maxMegabytes': '--debug-log-mb',
  'reportLog.maxAgeDays': '--report-log-days',
  'reportLog.maxMegabytes': '--report-log-mb',
  'archive.enabled': '--archive',
  'archive.folder': '--archive-dir',
  'archive.maxMegabytes': '--archive-mb',
  'disk.warnBelowMegabytes': '--disk-warn-mb',
  'disk.refuseGrantsBelowMegabytes': '--disk-reserve-mb',
};

/** What is wrong with the flags, named as flags (the stored value a flag did not change is named too). */
export function describeRetentionIssues(issues: readonly RetentionIssue[]): string {
  return issues.map((issue) => `${flagOf[issue.path] ?? issue.path}: ${issue.message}`).join('; ');
}
