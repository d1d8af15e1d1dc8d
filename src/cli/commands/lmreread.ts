import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { runAdminCommand } from '../../core/client/connectionAdmin';
import { searchEnvironment } from '../workstationSearch';

export const lmrereadCommand: CommandModule = (program) => {
  program
    .command('lmreread')
    .description('Make the license server reread its license and options files, keeping current licenses; needs the admin token')
    .option('-c <path>', 'license servers: port@host list or license file (default: $LM_LICENSE_FILE)')
    .option('--data <dir>', "the server's data folder, to read its admin.token (or set TRIAD_ADMIN_TOKEN)")
    .action(async (opts: { c?: string; data?: string }) => {
      const result = await runAdminCommand(opts.c, opts.data, { type: 'lmreread' }, searchEnvironment());
      if (!result.ok) throw new CliError(result.message, 1);
      process.stdout.write(`lmreread successful (${result.address.port}@${result.address.host}): ${result.message}\n`);
    });
};
