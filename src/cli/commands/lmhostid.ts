import os from 'node:os';
import { acceptLmutilFlags, type CommandModule } from '../program';
import { CliError } from '../cliError';
import { detectHostId, localHostIds } from '../../core/license';
import { loginName } from '../clientIdentity';

type HostIdKind = 'ether' | 'internet' | 'hostname' | 'user';

/** The host id lmhostid prints for each of its flags (reference 1.7: ethernet by default). */
function hostIdOf(kind: HostIdKind): string {
  switch (kind) {
    case 'ether': {
      const id = detectHostId();
      if (id === null) {
        throw new CliError('this machine has no network interface with a MAC address besides loopback; connect one, or use ANY as the host id', 1);
      }
      return id;
    }
    case 'internet': {
      const id = localHostIds().find((candidate) => candidate.startsWith('INTERNET='));
      if (!id) throw new CliError('this machine has no IPv4 address besides loopback', 1);
      return id;
    }
    case 'hostname':
      return `HOSTNAME=${os.hostname()}`;
    case 'user':
      return `USER=${loginName()}`;
  }
}

export const lmhostidCommand: CommandModule = (program) => {
  const command = program
    .command('lmhostid')
    .description("Print this machine's host id (12 hex digits of the first network interface's MAC), as lmhostid does")
    .option('-n', 'print only the host id')
    .option('--ether', 'the ethernet (MAC) host id, the default (also -ether)')
    .option('--internet', 'the INTERNET= host id, this machine\'s IPv4 address (also -internet)')
    .option('--hostname', 'the HOSTNAME= host id (also -hostname)')
    .option('--user', 'the USER= host id, your login name (also -user)')
    .action((opts: { n?: boolean } & Partial<Record<HostIdKind, boolean>>) => {
      const kind = (['internet', 'hostname', 'user'] as const).find((k) => opts[k]) ?? 'ether';
      const id = hostIdOf(kind);
      process.stdout.write(opts.n ? `${id}\n` : `The FlexNet host ID of this machine is "${id}"\n`);
    });
  acceptLmutilFlags(command, ['ether', 'internet', 'hostname', 'user']);
};
