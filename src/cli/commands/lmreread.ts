import { acceptLmutilFlags, type CommandModule } from '../program';
import { reportResults } from '../adminResults';
import { runAdminCommand } from '../../core/client/connectionAdmin';
import { searchEnvironment } from '../workstationSearch';

export const lmrereadCommand: CommandModule = (program) => {
  const command = program
    .command('lmreread')
    .description('Make the license server reread its license and options files, keeping current licenses; needs the admin token')
    .option('-c <path>', 'license servers: port@host list or license file (default: $LM_LICENSE_FILE)')
    .option('--vendor <name>', "reread that vendor daemon's files (Triad rereads every vendor's; also -vendor)")
    .option('--all', 'every server of the license path, not only the first that answers (also -all)')
    .option('--data <dir>', "the server's data folder, to read its admin.token (or set TRIAD_ADMIN_TOKEN)")
    .action(async (opts: { c?: string; vendor?: string; all?: boolean; data?: string }) => {
      const results = await runAdminCommand(opts.c, opts.data, { type: 'lmreread' }, searchEnvironment(), { all: opts.all, vendor: opts.vendor });
      reportResults(results, (address, message) => `lmreread successful (${address.port}@${address.host}): ${message}`);
    });
  acceptLmutilFlags(command, ['vendor', 'all']);
};
