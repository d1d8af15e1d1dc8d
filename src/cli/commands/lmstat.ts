import { Option } from 'commander';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { tlsOrFail } from '../tlsFlags';
import { currentPlatform, formatLicensePathError } from '../../core/client/licensePath';
import { buildSearchList } from '../../core/client/licensePathSources';
import { searchEnvironment, storedClientConfig } from '../workstationSearch';
import { resolveSearchTargets } from '../../core/client/searchTargets';
import { probeTargets } from '../../core/client/searchStatus';
import { authoritativeStatus, formatLicenseTable, formatLmstatFailure, formatLmstatText, lmstatJson, localTimeZone } from '../../core/lmstat';

interface LmstatFlags {
  c?: string;
  a?: boolean;
  f?: string | true;
  i?: string | true;
  json?: boolean;
  t: string;
  tlsCa?: string;
  tlsFingerprint?: string;
}

/**
 * `triad lmstat`: FlexLM's `lmutil lmstat` for Triad servers. `-c` replaces the environment, as
 * in lmutil; without it LM_LICENSE_FILE is read. Exit 1 when no server answers.
 */
export const lmstatCommand: CommandModule = (program) => {
  program
    .command('lmstat')
    .description('Show license server status, features and users in the FlexLM lmstat layout')
    .option('-c <path>', 'license search path: port@host, @host, a triad p@h1,p@h2,p@h3, or a license file (default: LM_LICENSE_FILE)')
    .option('-a', 'show every feature and its users')
    .option('-f [feature]', 'show the users of one feature (all features without a name)')
    .option('-i [feature]', 'show the license table: feature, version, count, vendor, expiry')
    .option('--json', 'print the same data as JSON')
    .addOption(new Option('-t <seconds>', 'connect timeout per server').default('3'))
    .option(
      '--tls-fingerprint <sha256>',
      "servers use TLS: pin the certificates' SHA-256 fingerprints, comma-separated for a triad (or set TRIAD_TLS_FINGERPRINT)",
    )
    .option('--tls-ca <file>', 'servers use TLS: trust certificates this CA signed (or set TRIAD_TLS_CA)')
    .action(async (flags: LmstatFlags) => {
      const timeoutSeconds = Number(flags.t);
      if (!(timeoutSeconds > 0)) throw new CliError(`-t ${flags.t}: the timeout must be a positive number of seconds, e.g. -t 3`);
      const platform = currentPlatform();
      const searchList = buildSearchList({ commandLine: flags.c, env: searchEnvironment(), stored: flags.c ? undefined : storedClientConfig(), platform });
      const problems = searchList.errors.map(({ source, error }) => formatLicensePathError(error, source));
      const { targets, problems: targetProblems } = resolveSearchTargets(searchList.entries);
      problems.push(...targetProblems);
      for (const problem of problems) process.stderr.write(`triad: ${problem}\n`);
      if (targets.length === 0) {
        throw new CliError('no license server to ask: give -c port@host (or a license file), or set LM_LICENSE_FILE', 1);
      }

      const reports = await probeTargets(targets, { connectTimeoutMs: timeoutSeconds * 1000, agent: 'triad lmstat', tls: tlsOrFail(flags) });
      const nowMs = Date.now();
      const feature = typeof flags.f === 'string' ? flags.f : null;
      const options = { all: Boolean(flags.a) || flags.f === true, feature };
      const failure = formatLmstatFailure(reports);
      if (failure) process.exitCode = 1;

      if (flags.json) {
        process.stdout.write(
          JSON.stringify(
            lmstatJson(reports, flags.i !== undefined ? { all: true, feature: typeof flags.i === 'string' ? flags.i : null } : options, nowMs),
            null,
            2,
          ) + '\n',
        );
      } else if (failure) {
        process.stdout.write(`${failure}\n`);
      } else if (flags.i !== undefined) {
        const statuses = reports.flatMap((report) => authoritativeStatus(report) ?? []);
        process.stdout.write(formatLicenseTable(statuses, typeof flags.i === 'string' ? flags.i : null));
      } else {
        process.stdout.write(formatLmstatText(reports, options, { nowMs, timeZone: localTimeZone() }));
      }
    });
};
