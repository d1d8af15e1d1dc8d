import type { ServerAddress } from '../core/client/connection';
import type { AdminCommandResult } from '../core/client/connectionAdmin';
import { CliError } from './cliError';

/**
 * Prints one line per server an admin command reached; a refusal or an unreachable server is an
 * error (exit 1) after the others were printed, so `-all` reports every server.
 */
export function reportResults(results: readonly AdminCommandResult[], done: (address: ServerAddress, message: string) => string): void {
  const failures: string[] = [];
  for (const result of results) {
    if (result.ok) process.stdout.write(`${done(result.address, result.message)}\n`);
    else failures.push(result.message);
  }
  if (failures.length > 0) throw new CliError(failures.join('\n'), 1);
}
