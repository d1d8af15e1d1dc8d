import { createProgram, runProgram, type CommandModule } from './program';

// One line per command module; `triad --help` lists them in this order.
const commands: CommandModule[] = [];

const code = await runProgram(createProgram(commands), process.argv.slice(2));
process.exitCode = code;
