import os from 'node:os';
import { InvalidArgumentError } from 'commander';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { tlsOrFail } from '../tlsFlags';
import type { HeldLicense } from '../../core/client/checkout';
import { currentPlatform } from '../../core/client/licensePath';
import { checkoutAttempt } from '../../core/client/searchAttempts';
import { createLicenseSearch } from '../../core/client/searchTargets';
import { searchEnvironment, storedClientConfig } from '../workstationSearch';
import { defaultDisplay, loginName } from '../clientIdentity';

/** Exit codes of `triad checkout`: granted, denied (or the seat was lost), no server reachable. */
const EXIT_GRANTED = 0;
const EXIT_DENIED = 1;
const EXIT_UNREACHABLE = 2;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds (0 or more)');
  return n;
}

interface CheckoutFlags {
  c?: string;
  vendor?: string;
  version: string;
  count: number;
  user?: string;
  hold: number;
  connectTimeout: number;
  tlsCa?: string;
  tlsFingerprint?: string;
}

export const checkoutCommand: CommandModule = (program) => {
  program
    .command('checkout')
    .description('Check out a license, hold it while heartbeating, then check it in (exit 0 granted, 1 denied, 2 no server)')
    .argument('<feature>', 'feature name')
    .option('-c <path>', 'license servers: port@host[,port@host,port@host] list or license file (default: $LM_LICENSE_FILE)')
    .option('--vendor <name>', 'vendor whose <VENDOR>_LICENSE_FILE variable is searched before LM_LICENSE_FILE')
    .option('--version <version>', 'lowest feature version accepted', '1.0')
    .option('--count <n>', 'seats to check out', positiveInteger, 1)
    .option('--user <name>', 'user name to check out as (default: your login name)')
    .option('--hold <seconds>', 'hold the license this long (Ctrl-C or SIGTERM checks it in early)', seconds, 0)
    .option('--connect-timeout <ms>', 'per-server connect timeout', positiveInteger, 3000)
    .option(
      '--tls-fingerprint <sha256>',
      "server uses TLS: pin its certificate's SHA-256 fingerprint; a triad's three, comma-separated (or set TRIAD_TLS_FINGERPRINT)",
    )
    .option('--tls-ca <file>', 'server uses TLS: trust certificates this CA signed (or set TRIAD_TLS_CA)')
    .action(async (feature: string, opts: CheckoutFlags) => {
      if (!/^\d+(\.\d+)?$/.test(opts.version)) throw new CliError(`--version ${opts.version}: write a version such as 1.0`, 2);
      const { search, problems } = createLicenseSearch({
        commandLine: opts.c,
        vendor: opts.vendor,
        env: searchEnvironment(),
        stored: opts.c ? undefined : storedClientConfig(),
        platform: currentPlatform(),
      });
      for (const problem of problems) process.stderr.write(`triad: ${problem}\n`);
      if (search.targets.length === 0) {
        throw new CliError('no license server to contact: pass -c port@host (or a license file), or set LM_LICENSE_FILE', EXIT_UNREACHABLE);
      }
      const request = { feature, version: opts.version, count: opts.count, user: opts.user ?? loginName(), host: os.hostname(), display: defaultDisplay() };
      const tls = tlsOrFail(opts);
      const result = await search.run(checkoutAttempt(request, { connectTimeoutMs: opts.connectTimeout, agent: 'triad checkout', tls }));
      if (result.kind === 'unreachable') {
        for (const step of result.steps) process.stderr.write(`${step.detail}\n`);
        process.stdout.write(`Cannot check out "${feature}": no license server could be reached.\n`);
        process.exitCode = EXIT_UNREACHABLE;
        return;
      }
      if (result.kind === 'denied') {
        process.stdout.write(`DENIED: "${feature}" from ${result.server.port}@${result.server.host}: ${result.reason}\n`);
        process.exitCode = EXIT_DENIED;
        return;
      }
      const license = result.value;
      const grant = license.details;
      process.stdout.write(
        `GRANTED: "${grant.feature}" v${grant.version}, ${grant.count} license${grant.count === 1 ? '' : 's'}, ` +
          `lease ${grant.leaseId} (handle ${grant.handle}) from ${grant.port}@${grant.server}, expiry: ${grant.expiry}\n`,
      );
      process.exitCode = await hold(license, opts.hold * 1000);
    });
};

/** Keeps the seat until the time is up, a signal arrives, or the seat is lost; then checks in. */
async function hold(license: HeldLicense, holdMs: number): Promise<number> {
  let lostReason: string | null = null;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(finish, holdMs);
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    license.on('lost', (reason) => {
      lostReason = reason;
      finish();
    });
    license.on('resumed', (server) => process.stdout.write(`RESUMED: same license on ${server.port}@${server.host}\n`));
    function finish() {
      clearTimeout(timer);
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      resolve();
    }
  });
  if (lostReason) {
    process.stdout.write(`LOST: ${lostReason}\n`);
    return EXIT_DENIED;
  }
  const checkedIn = await license.checkin();
  if (checkedIn.confirmed) {
    process.stdout.write(`IN: "${license.details.feature}" checked in\n`);
  } else {
    // the seat is not lost for anyone: the server frees it once the heartbeats stop
    const seconds = Math.ceil(license.details.timeoutMs / 1000);
    process.stdout.write(
      `NOT CONFIRMED: no server confirmed the checkin of "${license.details.feature}" (${checkedIn.reason}); the server frees the seat within ${seconds} s\n`,
    );
  }
  return EXIT_GRANTED;
}
