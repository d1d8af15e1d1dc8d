import type { CommandModule } from '../program';
import { reportResults } from '../adminResults';
import { runAdminCommand } from '../../core/client/connectionAdmin';
import { searchEnvironment } from '../workstationSearch';

export const lmremoveCommand: CommandModule = (program) => {
  program
    .command('lmremove')
    .description('Take back every license of FEATURE held by USER on HOST at DISPLAY (values as `triad lmstat -a` shows them)')
    .argument('<feature>')
    .argument('<user>')
    .argument('<host>')
    .argument('<display>')
    .option('-c <path>', 'license servers: port@host list or license file (default: $LM_LICENSE_FILE)')
    .option('--data <dir>', "the server's data folder, to read its admin.token (or set TRIAD_ADMIN_TOKEN)")
    .action(async (feature: string, user: string, host: string, display: string, opts: { c?: string; data?: string }) => {
      const results = await runAdminCommand(opts.c, opts.data, { type: 'lmremove', feature, user, host, display }, searchEnvironment());
      reportResults(results, (_address, message) => message);
    });
};
