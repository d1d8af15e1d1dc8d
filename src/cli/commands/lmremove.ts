import type { CommandModule } from '../program';
import { reportResults } from '../adminResults';
import { CliError } from '../cliError';
import { runAdminCommand, type AdminCommandWithoutToken } from '../../core/client/connectionAdmin';
import { searchEnvironment } from '../workstationSearch';

/**
 * `triad lmremove feature user host display`, or FlexLM's `lmremove -h feature server port
 * handle` for one seat by the handle `triad lmstat -a` shows. Lease ids are never needed (status
 * does not show them: only a seat's own connection may act on it by lease id).
 */
export const lmremoveCommand: CommandModule = (program) => {
  program
    .command('lmremove')
    .description(
      'Take back every license of FEATURE held by USER on HOST at DISPLAY, or with -h the one seat FEATURE SERVER PORT HANDLE (values as `triad ' +
        'lmstat -a` shows them)',
    )
    // lmutil's -h means "by handle"; help stays on --help
    .helpOption('--help', 'display help for command')
    .argument('<feature>')
    .argument('<user|server>', 'the user; with -h, the server host (as lmstat prints it)')
    .argument('<host|port>', "the user's host; with -h, the server port")
    .argument('<display|handle>', "the user's display; with -h, the seat's handle")
    .option('-h', 'remove one seat by its handle: lmremove -h FEATURE SERVER PORT HANDLE')
    .option('-c <path>', 'license servers: port@host list or license file (default: $LM_LICENSE_FILE)')
    .option('--data <dir>', "the server's data folder, to read its admin.token (or set TRIAD_ADMIN_TOKEN)")
    .action(async (feature: string, second: string, third: string, fourth: string, opts: { h?: boolean; c?: string; data?: string }) => {
      const body: AdminCommandWithoutToken = opts.h
        ? { type: 'lmremove', feature, handle: handleOf(fourth) }
        : { type: 'lmremove', feature, user: second, host: third, display: fourth };
      // with -h the server and port say where the seat is; -c, when given, still decides whom to ask
      const servers = opts.c ?? (opts.h ? `${third}@${second}` : undefined);
      const results = await runAdminCommand(servers, opts.data, body, searchEnvironment());
      reportResults(results, (_address, message) => message);
    });
};

function handleOf(text: string): number {
  const handle = Number(text);
  if (!/^\d+$/.test(text) || handle < 1) throw new CliError(`lmremove -h: "${text}" is not a handle; give the number lmstat -a shows after the server and port, e.g. (lic1/27000 101)`, 2);
  return handle;
}
