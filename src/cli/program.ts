import { Command, CommanderError } from 'commander';
import { CliError } from './cliError';

/**
 * Each command lives in its own module under ./commands and adds itself to the program.
 * Keeping registration in one list makes `triad --help` the complete index of commands.
 */
export type CommandModule = (program: Command) => void;

export function createProgram(commands: readonly CommandModule[]): Command {
  const program = new Command('triad')
    .description('Triad License Server: FlexLM-compatible floating licenses with three-server redundancy')
    .version(process.env.TRIAD_VERSION ?? '0.1.0', '-v, --version')
    // after a command name every option is that command's: `checkout --version 2.0` or
    // `lmdown -vendor x` must not print the program's version and exit 0
    .enablePositionalOptions()
    .showHelpAfterError('(run `triad --help` for the list of commands)')
    .configureHelp({ sortSubcommands: false })
    .exitOverride();
  for (const add of commands) add(program);
  return program;
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
      process.stderr.write(`triad: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`triad: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 3;
  }
}
