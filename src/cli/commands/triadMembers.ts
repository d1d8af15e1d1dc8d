import { readFileSync } from 'node:fs';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { parseLicenseText } from '../../core/license';
import { defaultDataDir } from '../../core/store/dataDir';
import { replaceServer, resetQuorum } from '../../core/server/triad/triadMembership';
import { openStore } from '../../core/store';

/**
 * The two migrations of a triad's members (triadMembership.ts), run on a stopped server:
 * `triad replace-server` on the two members that remain when one machine is replaced, and
 * `triad quorum-reset` on all three to form a new triad.
 */
export const triadMembersCommand: CommandModule = (program) => {
  program
    .command('replace-server')
    .description('Accept a license file in which one SERVER line names a new machine (run on the two remaining members, while stopped)')
    .requiredOption('-c <license>', 'the new license file, with all three SERVER lines')
    .option('--data <dir>', "the server's data folder (default: as for `triad serve`)")
    .action((opts: { c: string; data?: string }) => {
      let text: string;
      try {
        text = readFileSync(opts.c, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${opts.c}: ${error instanceof Error ? error.message : String(error)}`, 2);
      }
      const store = openStore(opts.data ?? defaultDataDir());
      try {
        const result = replaceServer(store, parseLicenseText(text, opts.c).file, Date.now());
        if (!result.ok) throw new CliError(`${opts.c}: ${result.message}`, 1);
        process.stdout.write(
          `${result.message}\nStart this server with \`triad serve -c ${opts.c}\`; start the new machine with the same file and an empty data folder: ` +
            `it joins as a learner and catches up.\n`,
        );
      } finally {
        store.close();
      }
    });
  program
    .command('quorum-reset')
    .description("Forget this server's triad (its quorum log, votes and seats held) so that three servers can form a new one (run on all three, while stopped)")
    .option('--data <dir>', "the server's data folder (default: as for `triad serve`)")
    .requiredOption('--yes', 'confirm: the seats held are forgotten, and clients check out again')
    .action((opts: { data?: string }) => {
      const dataDir = opts.data ?? defaultDataDir();
      const store = openStore(dataDir);
      try {
        resetQuorum(store);
      } finally {
        store.close();
      }
      process.stdout.write(`Forgot the triad state in ${dataDir}. Do the same on the other two servers, then start all three with the same license file.\n`);
    });
};
