import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { defaultDataDir } from '../../core/store/dataDir';
import { clusterSecretFile, importClusterSecret, loadOrCreateClusterSecret, readClusterSecret } from '../../core/store/secrets';

/**
 * `triad cluster-secret`: the secret the three triad members authenticate each other with
 * (DESIGN.md section 4). Create it on one server, import the same value on the other two, restart
 * them. A triad member without one makes its own at start, which then differs from the others'.
 *
 * The secret is never taken from the command line, where other users of the machine can read it
 * (ps, /proc): `--import FILE` reads a file (the first server's cluster.secret, copied over), and
 * `--import` alone reads standard input.
 */
export const clusterSecretCommand: CommandModule = (program) => {
  program
    .command('cluster-secret')
    .description('Show, create (--new) or import (--import) the secret that authenticates the three redundant servers to each other')
    .option('--data <dir>', 'the server\'s data folder (default: as for `triad serve`)')
    .option('--new', 'create the secret on this server if it has none, and print it')
    .option('--import [file]', 'use the secret of the first server: its cluster.secret file copied here, or standard input when no file (or -) is given')
    .action((opts: { data?: string; new?: boolean; import?: string | true }) => {
      const dataDir = opts.data ?? defaultDataDir();
      if (opts.new && opts.import !== undefined) throw new CliError('give either --new or --import, not both', 2);
      if (opts.import !== undefined) {
        const result = importClusterSecret(dataDir, readSecretInput(opts.import));
        if (!result.ok) throw new CliError(result.error, 2);
        process.stdout.write(`Imported the cluster secret into ${path.join(dataDir, clusterSecretFile)}. Restart the license server there to use it.\n`);
        return;
      }
      const secret = opts.new ? loadOrCreateClusterSecret(dataDir) : readClusterSecret(dataDir);
      if (secret === null) {
        throw new CliError(
          `${dataDir} has no cluster secret. Create one with \`triad cluster-secret --new\` on one server, then import it on the other two.`,
          1,
        );
      }
      const file = path.join(dataDir, clusterSecretFile);
      process.stdout.write(
        `${secret}\n` +
          `This is ${file}. Give the same secret to the other two servers: copy that file there and run\n` +
          `  triad cluster-secret --import cluster.secret --data <their data folder>\n` +
          `(or pipe it: ssh this-server cat ${file} | triad cluster-secret --import), then restart all three.\n`,
      );
    });
};

/** The secret from a file, or from standard input (`--import` alone, or `--import -`). */
function readSecretInput(source: string | true): string {
  if (source === true || source === '-') {
    if (process.stdin.isTTY) process.stderr.write('Paste the cluster secret (64 hex digits), then press Enter and Ctrl-D:\n');
    try {
      return readFileSync(0, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the cluster secret from standard input: ${error instanceof Error ? error.message : String(error)}`, 2);
    }
  }
  try {
    return readFileSync(source, 'utf8');
  } catch (error) {
    // the old form, `--import HEX`: refuse it rather than leave the secret in the process list and shell history
    if (/^[0-9a-f]{64}$/i.test(source.trim())) {
      throw new CliError(
        'the cluster secret does not go on the command line (other users can read command lines); ' +
          'put it in a file and give the file (`--import cluster.secret`), or pipe it to `triad cluster-secret --import`',
        2,
      );
    }
    throw new CliError(`cannot read the cluster secret file ${source}: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
}
