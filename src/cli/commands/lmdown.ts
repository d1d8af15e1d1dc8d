import { createInterface } from 'node:readline/promises';
import { acceptLmutilFlags, type CommandModule } from '../program';
import { reportResults } from '../adminResults';
import { CliError } from '../cliError';
import { runAdminCommand } from '../../core/client/connectionAdmin';
import { searchEnvironment } from '../workstationSearch';

async function confirmed(): Promise<boolean> {
  // cron, ssh and service scripts have no one to answer: say how to run it unattended
  if (!process.stdin.isTTY) throw new CliError('lmdown asks for confirmation, and there is no terminal to answer it: pass -q', 2);
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  // end of input (Ctrl-D) is a "no", not an unsettled promise
  const closed = new Promise<string>((resolve) => prompt.once('close', () => resolve('')));
  try {
    return /^y/i.test((await Promise.race([prompt.question('Are you sure (y/n)? '), closed])).trim());
  } finally {
    prompt.close();
  }
}

export const lmdownCommand: CommandModule = (program) => {
  const command = program
    .command('lmdown')
    .description('Shut down the license server (in a triad, all three); needs the admin token')
    .option('-c <path>', 'license servers: port@host list or license file (default: $LM_LICENSE_FILE)')
    .option('-q', 'do not ask for confirmation')
    .option('--force', 'shut down even while licenses are checked out (also written -force)')
    .option('--vendor <name>', 'stop this vendor daemon: allowed when it is the only vendor the server serves (also -vendor)')
    .option('--all', 'stop every server of the license path, not only the first that answers (also -all)')
    .option('--data <dir>', "the server's data folder, to read its admin.token (or set TRIAD_ADMIN_TOKEN)")
    .action(async (opts: { c?: string; q?: boolean; force?: boolean; vendor?: string; all?: boolean; data?: string }) => {
      if (!opts.q && !(await confirmed())) {
        process.stdout.write('lmdown cancelled.\n');
        return;
      }
      const results = await runAdminCommand(opts.c, opts.data, { type: 'lmdown', force: opts.force ?? false }, searchEnvironment(), { all: opts.all, vendor: opts.vendor });
      reportResults(results, (address, message) => `Shutting down license server ${address.port}@${address.host}: ${message}`);
    });
  acceptLmutilFlags(command, ['force', 'vendor', 'all']);
};
