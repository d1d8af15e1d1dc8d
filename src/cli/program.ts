import { Command, CommanderError } from 'commander';
import { CliError } from './cliError';

/**
 * Each command lives in its own module under ./commands and adds itself to the program.
 * Keeping registration in one list makes `triad --help` the complete index of commands.
 */
export type CommandModule = (program: Command) => void;

export interface ProgramIdentity {
  name: string;
  description: string;
  /** What `-v` prints. */
  version: string;
}

const TRIAD: ProgramIdentity = {
  name: 'triad',
  description: 'Triad License Server: FlexLM-compatible floating licenses with three-server redundancy',
  version: process.env.TRIAD_VERSION ?? '0.1.0',
};

export function createProgram(commands: readonly CommandModule[], identity: ProgramIdentity = TRIAD): Command {
  const program = new Command(identity.name)
    .description(identity.description)
    .version(identity.version, '-v, --version')
    // after a command name every option is that command's: `checkout --version 2.0` or
    // `lmdown -vendor x` must not print the program's version and exit 0
    .enablePositionalOptions()
    .showHelpAfterError(`(run \`${identity.name} --help\` for the list of commands)`)
    .configureHelp({ sortSubcommands: false })
    .exitOverride();
  for (const add of commands) add(program);
  return program;
}

/**
 * lmutil spells its long flags with one dash (`-vendor`, `-force`, `-all`); commander knows only
 * single-letter short flags, so these are read as `--vendor`... before parsing.
 */
export function acceptLmutilFlags(command: Command, names: readonly string[]): void {
  const spelled = new Set(names.map((name) => `-${name}`));
  const parseOptions = command.parseOptions.bind(command);
  command.parseOptions = (argv) => parseOptions(argv.map((arg) => (spelled.has(arg) ? `-${arg}` : arg)));
}

/** Runs the program and turns every failure into a message and an exit code. */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed help or the usage message
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`${program.name()}: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`${program.name()}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 3;
  }
}
