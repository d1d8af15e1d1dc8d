import { createProgram, runProgram, type CommandModule } from './program';
import { lmstatCommand } from './commands/lmstat';
import { lmdownCommand } from './commands/lmdown';
import { lmrereadCommand } from './commands/lmreread';
import { lmremoveCommand } from './commands/lmremove';
import { lmhostidCommand } from './commands/lmhostid';
import { lmverCommand } from './commands/lmver';
import { lmdiagCommand } from './commands/lmdiag';
import { SERVER_VERSION } from '../core/backend';
import { formatLmutilVersion, LMUTIL_BANNER } from '../core/lmstat';

/**
 * The `lmutil` command: FlexNet's utility names and flags on Triad's implementation, so scripts
 * and exporters that run `lmutil lmstat -a -c 27000@host` or `lmutil lmdown -q -c ...` run
 * unchanged. Every subcommand is the same module as the `triad` verb of the same name.
 */
const commands: CommandModule[] = [lmstatCommand, lmdownCommand, lmrereadCommand, lmremoveCommand, lmhostidCommand, lmverCommand, lmdiagCommand];

const program = createProgram(commands, {
  name: 'lmutil',
  description: 'FlexNet lmutil utilities for Triad License Servers',
  version: formatLmutilVersion('lmutil', { version: SERVER_VERSION, platform: process.platform, arch: process.arch }).trimEnd(),
});
// lmutil's tools print its copyright line first; lmstat prints its own, `lmhostid -n` only the id
program.hook('preAction', (_program, action) => {
  if (action.name() !== 'lmstat' && !(action.name() === 'lmhostid' && action.opts().n)) process.stdout.write(`${LMUTIL_BANNER}\n`);
});

// lmutil spells help `-help`
const argv = process.argv.slice(2).map((arg) => (arg === '-help' ? '--help' : arg));
process.exitCode = await runProgram(program, argv);
