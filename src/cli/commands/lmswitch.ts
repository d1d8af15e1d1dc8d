import { acceptLmutilFlags, type CommandModule } from '../program';
import { reportResults } from '../adminResults';
import { runAdminCommand } from '../../core/client/connectionAdmin';
import { searchEnvironment } from '../workstationSearch';
import type { LogName } from '../../shared/logRetention';

/**
 * `triad lmswitch` / `triad lmswitchr`, as lmutil's: the running server closes the current debug
 * log (report log) and starts a new one. Here the rows so far go into a gzip archive file in the
 * server's archive folder (FlexLM text / CSV, named after their time range) and leave the
 * database; the server says which file. Needs the admin token, like lmreread; with `-all`, every
 * server of the license path rotates its own.
 */
export const lmswitchCommand: CommandModule = (program) => {
  const add = (name: string, log: LogName, what: string) => {
    const command = program
      .command(name)
      .description(`Rotate the server's ${what} into an archive file now (its rows so far leave the database); needs the admin token`)
      .option('-c <path>', 'license servers: port@host list or license file (default: $LM_LICENSE_FILE)')
      .option('--all', 'every server of the license path, not only the first that answers (also -all)')
      .option('--data <dir>', "the server's data folder, to read its admin.token (or set TRIAD_ADMIN_TOKEN)")
      .action(async (opts: { c?: string; all?: boolean; data?: string }) => {
        const results = await runAdminCommand(opts.c, opts.data, { type: 'lmswitch', log }, searchEnvironment(), { all: opts.all });
        reportResults(results, (address, message) => `${name} successful (${address.port}@${address.host}): ${message}`);
      });
    acceptLmutilFlags(command, ['all']);
  };
  add('lmswitch', 'debug', 'debug log (FlexLM text)');
  add('lmswitchr', 'report', 'report log (CSV)');
};
