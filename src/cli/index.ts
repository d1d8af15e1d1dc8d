import { createProgram, runProgram, type CommandModule } from './program';
import { lmstatCommand } from './commands/lmstat';
import { clientCommand } from './commands/client';
import { keysCommand } from './commands/keys';
import { checkCommand } from './commands/check';
import { lmhostidCommand } from './commands/lmhostid';
import { serveCommand } from './commands/serve';
import { checkoutCommand } from './commands/checkout';
import { lmdownCommand } from './commands/lmdown';
import { lmrereadCommand } from './commands/lmreread';
import { lmremoveCommand } from './commands/lmremove';
import { serviceCommand } from './commands/service';
import { clusterSecretCommand } from './commands/clusterSecret';
import { triadMembersCommand } from './commands/triadMembers';
import { lmverCommand } from './commands/lmver';
import { lmdiagCommand } from './commands/lmdiag';
import { diagCommand } from './commands/diag';
import { lmswitchCommand } from './commands/lmswitch';
import { logCommand } from './commands/log';

// One line per command module; `triad --help` lists them in this order.
const commands: CommandModule[] = [
  lmstatCommand,
  clientCommand,
  keysCommand,
  checkCommand,
  lmhostidCommand,
  serveCommand,
  checkoutCommand,
  lmdownCommand,
  lmrereadCommand,
  lmremoveCommand,
  lmswitchCommand,
  lmdiagCommand,
  lmverCommand,
  logCommand,
  serviceCommand,
  clusterSecretCommand,
  triadMembersCommand,
  diagCommand,
];

const code = await runProgram(createProgram(commands), process.argv.slice(2));
process.exitCode = code;
