import { Option } from 'commander';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { tlsOrFail } from '../tlsFlags';
import { currentPlatform, formatLicensePathError } from '../../core/client/licensePath';
import { buildSearchList } from '../../core/client/licensePathSources';
import { searchEnvironment, storedClientConfig } from '../workstationSearch';
import { resolveSearchTargets } from '../../core/client/searchTargets';
import { probeTargets } from '../../core/client/searchStatus';
import { SERVER_VERSION } from '../../core/backend';
import {
  authoritativeStatus,
  formatLicenseTable,
  formatLmstatFailure,
  formatLmstatText,
  formatLmutilVersion,
  lmstatJson,
  localTimeZone,
  type LmstatOptions,
} from '../../core/lmstat';

interface LmstatFlags {
  c?: string;
  a?: boolean;
  A?: boolean;
  f?: string | true;
  i?: string | true;
  s?: string | true;
  S?: string | true;
  v?: boolean;
  json?: boolean;
  t: string;
  tlsCa?: string;
  tlsFingerprint?: string;
}

/** What to print, from lmutil's flags (reference 4.1; `lmstat -help` of 2018). */
function lmstatOptions(flags: LmstatFlags): LmstatOptions {
  const vendor = typeof flags.S === 'string' ? { vendor: flags.S } : {};
  const serverStatus = flags.s !== undefined ? { serverStatus: { server: typeof flags.s === 'string' ? flags.s : null } } : {};
  if (typeof flags.f === 'string') return { usage: { feature: flags.f }, ...vendor, ...serverStatus };
  const usage = flags.a || flags.f === true || flags.S !== undefined ? 'all' : flags.A ? 'active' : 'none';
  return { usage, ...vendor, ...serverStatus };
}

/**
 * `lmstat`: FlexLM's `lmutil lmstat` for Triad servers (also `lmutil lmstat`). `-c` replaces the
 * environment, as in lmutil; without it LM_LICENSE_FILE is read. Exit 1 when no server answers.
 */
export const lmstatCommand: CommandModule = (program) => {
  program
    .command('lmstat')
    .description('Show license server status, features and users in the FlexLM lmstat layout')
    .option('-c <path>', 'license search path: port@host, @host, a triad p@h1,p@h2,p@h3, or a license file (default: LM_LICENSE_FILE)')
    .option('-a', 'show every feature and its users')
    .option('-A', 'show only the features with licenses checked out, and their users')
    .option('-f [feature]', 'show the users of one feature (all features without a name)')
    .option('-i [feature]', 'show the license table: feature, version, count, vendor, expiry')
    .option('-s [server]', 'show the license server status only (of one server when named)')
    .option('-S [vendor]', "show one vendor daemon's status and the users of its features")
    .option('-v', "print lmstat's version and exit")
    .option('--json', 'print the same data as JSON')
    .addOption(new Option('-t <seconds>', 'connect timeout per server').default('3'))
    .option(
      '--tls-fingerprint <sha256>',
      "servers use TLS: pin the certificates' SHA-256 fingerprints, comma-separated for a triad (or set TRIAD_TLS_FINGERPRINT)",
    )
    .option('--tls-ca <file>', 'servers use TLS: trust certificates this CA signed (or set TRIAD_TLS_CA)')
    .action(async (flags: LmstatFlags) => {
      if (flags.v) {
        process.stdout.write(formatLmutilVersion('lmstat', { version: SERVER_VERSION, platform: process.platform, arch: process.arch }));
        return;
      }
      const timeoutSeconds = Number(flags.t);
      if (!(timeoutSeconds > 0)) throw new CliError(`-t ${flags.t}: the timeout must be a positive number of seconds, e.g. -t 3`);
      const platform = currentPlatform();
      const searchList = buildSearchList({ commandLine: flags.c, env: searchEnvironment(), stored: flags.c ? undefined : storedClientConfig(), platform });
      const problems = searchList.errors.map(({ source, error }) => formatLicensePathError(error, source));
      const { targets, problems: targetProblems } = resolveSearchTargets(searchList.entries);
      problems.push(...targetProblems);
      for (const problem of problems) process.stderr.write(`lmstat: ${problem}\n`);
      if (targets.length === 0) {
        throw new CliError('no license server to ask: give -c port@host (or a license file), or set LM_LICENSE_FILE', 1);
      }

      const reports = await probeTargets(targets, { connectTimeoutMs: timeoutSeconds * 1000, agent: 'lmstat', tls: tlsOrFail(flags) });
      const clock = { nowMs: Date.now(), timeZone: localTimeZone() };
      const options = lmstatOptions(flags);
      const failure = formatLmstatFailure(reports, clock);
      if (failure) process.exitCode = 1;

      if (flags.json) {
        const selection: LmstatOptions = flags.i !== undefined ? { usage: typeof flags.i === 'string' ? { feature: flags.i } : 'all' } : options;
        process.stdout.write(JSON.stringify(lmstatJson(reports, selection, clock.nowMs), null, 2) + '\n');
      } else if (failure) {
        process.stdout.write(failure);
      } else if (flags.i !== undefined) {
        const statuses = reports.flatMap((report) => authoritativeStatus(report) ?? []);
        process.stdout.write(formatLicenseTable(statuses, typeof flags.i === 'string' ? flags.i : null));
      } else {
        process.stdout.write(formatLmstatText(reports, options, clock));
      }
    });
};
