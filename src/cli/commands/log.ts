import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { defaultDataDir } from '../../core/store/dataDir';
import { resolveArchiveFolder } from '../../core/server/logs/logArchive';
import { logsOverview } from '../../core/server/logs/logRetention';
import { openStore, StoreError, type Store } from '../../core/store';
import { applyRetentionPatch, describeRetention, type LogTableState, type LogsOverview } from '../../shared/logRetention';
import { addRetentionOptions, describeRetentionIssues, retentionPatchFrom, type RetentionFlags } from '../retentionFlags';

/**
 * `triad log`: what the debug log and the report log of a data folder hold, how long they are
 * kept, where rotated rows are archived, and the disk thresholds; with flags, changes them (a
 * running server applies the change within 10 s). Rotating now is `triad lmswitch` / `lmswitchr`.
 */
export const logCommand: CommandModule = (program) => {
  const log = program
    .command('log')
    .description('Show or change the retention of the debug and report logs, their archives and the disk thresholds')
    .option('--data <dir>', "the server's data folder (default: as for `triad serve`)")
    .option('--json', 'print as JSON')
    .action(async (opts: RetentionFlags & { data?: string; json?: boolean }) => {
      const dataDir = opts.data ?? defaultDataDir();
      let store: Store;
      try {
        store = openStore(dataDir);
      } catch (error) {
        if (error instanceof StoreError) throw new CliError(error.message, 1);
        throw error;
      }
      try {
        const patch = retentionPatchFrom(opts);
        if (patch) {
          const merged = applyRetentionPatch(store.retention.settings(), patch);
          if (!merged.ok) throw new CliError(`log: ${describeRetentionIssues(merged.issues)}`, 2);
          store.retention.saveSettings(merged.value);
          const detail = describeRetention(merged.value, resolveArchiveFolder(dataDir, merged.value));
          store.audit.append({ timeMs: Date.now(), who: 'triad log', fromAddress: 'local', action: 'log retention', detail });
        }
        const overview = await logsOverview(store, dataDir, null);
        process.stdout.write(opts.json ? `${JSON.stringify(overview, null, 2)}\n` : describe(overview, patch !== undefined));
      } finally {
        store.close();
      }
    });
  addRetentionOptions(log);
};

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toLocaleString());

function table(name: string, state: LogTableState): string {
  const kept =
    state.rows === 0 ? 'empty' : `${state.rows} rows, about ${megabytes(state.estimatedBytes)}, from ${when(state.oldestMs)} to ${when(state.newestMs)}`;
  const rotated = state.rotatedThroughMs === null ? '' : `; rows up to ${when(state.rotatedThroughMs)} were rotated out`;
  return `${name}${kept}${rotated}\n`;
}

function describe(overview: LogsOverview, saved: boolean): string {
  const newest = overview.archives.newest[0];
  return [
    saved ? 'Saved. A running server applies it within 10 s.\n' : '',
    table('Debug log:  ', overview.debugLog),
    table('Report log: ', overview.reportLog),
    `Retention:  ${describeRetention(overview.settings, overview.archiveFolder)}\n`,
    `Archives:   ${overview.archives.count} files, ${megabytes(overview.archives.totalBytes)} in ${overview.archiveFolder}` +
      `${newest ? ` (newest: ${newest.name})` : ''}\n`,
  ].join('');
}
