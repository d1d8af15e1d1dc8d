import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { defaultDataDir } from '../../core/server/dataDir';
import { importClusterSecret, loadOrCreateClusterSecret, readClusterSecret } from '../../core/store/secrets';

/**
 * `triad cluster-secret`: the secret the three triad members authenticate each other with
 * (DESIGN.md section 4). Create it on one server, import the same value on the other two, restart
 * them. Without one, members trust each other by SERVER-line address only.
 */
export const clusterSecretCommand: CommandModule = (program) => {
  program
    .command('cluster-secret')
    .description('Show, create (--new) or import (--import) the secret that authenticates the three redundant servers to each other')
    .option('--data <dir>', 'the server\'s data folder (default: as for `triad serve`)')
    .option('--new', 'create the secret on this server if it has none, and print it')
    .option('--import <hex>', "use the secret printed by the first server (64 hex digits)")
    .action((opts: { data?: string; new?: boolean; import?: string }) => {
      const dataDir = opts.data ?? defaultDataDir();
      if (opts.new && opts.import !== undefined) throw new CliError('give either --new or --import, not both', 2);
      if (opts.import !== undefined) {
        const result = importClusterSecret(dataDir, opts.import);
        if (!result.ok) throw new CliError(result.error, 2);
        process.stdout.write(`Imported the cluster secret into ${dataDir}. Restart the license server there to use it.\n`);
        return;
      }
      const secret = opts.new ? loadOrCreateClusterSecret(dataDir) : readClusterSecret(dataDir);
      if (secret === null) {
        throw new CliError(
          `${dataDir} has no cluster secret. Create one with \`triad cluster-secret --new\` on one server, then import it on the other two.`,
          1,
        );
      }
      process.stdout.write(
        `${secret}\nImport it on the other two servers with \`triad cluster-secret --import ${secret}\`, then restart all three.\n`,
      );
    });
};
