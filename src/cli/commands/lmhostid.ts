import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { detectHostId } from '../../core/license';

export const lmhostidCommand: CommandModule = (program) => {
  program
    .command('lmhostid')
    .description("Print this machine's host id (12 hex digits of the first network interface's MAC), as lmhostid does")
    .option('-n', 'print only the host id')
    .action((opts: { n?: boolean }) => {
      const id = detectHostId();
      if (id === null) {
        throw new CliError('this machine has no network interface with a MAC address besides loopback; connect one, or use ANY as the host id', 1);
      }
      process.stdout.write(opts.n ? `${id}\n` : `The FlexNet host ID of this machine is "${id}"\n`);
    });
};
