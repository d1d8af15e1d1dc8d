import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { currentPlatform } from '../../core/client/licensePath';
import { createLicenseSearch } from '../../core/client/searchTargets';
import { probeTargets } from '../../core/client/searchStatus';
import { diagnose, parseDiagnosisSelection } from '../../core/client/diagnose';
import { localTimeZone } from '../../core/lmstat';
import { formatDiagnoses } from '../../core/client/formatDiagnosis';
import { loginName, defaultDisplay } from '../clientIdentity';
import { searchEnvironment, storedClientConfig } from '../workstationSearch';
import os from 'node:os';

/** `lmdiag [-c path] [-n] [feature[:keyword=value]]`: can each license be checked out, and if not, why. */
export const lmdiagCommand: CommandModule = (program) => {
  program
    .command('lmdiag')
    .description('Try a checkout of each license (or of one feature) and say why one cannot be checked out')
    .argument('[feature]', 'FEATURE, or FEATURE:KEYWORD=value with KEYWORD one of VERSION, EXPDATE, VENDOR_STRING, HOSTID')
    .option('-c <path>', 'license servers: port@host list or license file (default: $LM_LICENSE_FILE)')
    .option('-n', 'never ask questions (Triad never does; accepted for scripts)')
    .action(async (feature: string | undefined, opts: { c?: string }) => {
      const selection = parseDiagnosisSelection(feature);
      if ('error' in selection) throw new CliError(`lmdiag: ${selection.error}`, 2);
      const { search, problems } = createLicenseSearch({
        commandLine: opts.c,
        env: searchEnvironment(),
        stored: opts.c ? undefined : storedClientConfig(),
        platform: currentPlatform(),
      });
      for (const problem of problems) process.stderr.write(`lmdiag: ${problem}\n`);
      if (search.targets.length === 0) throw new CliError('no license server to diagnose: pass -c port@host (or a license file), or set LM_LICENSE_FILE', 1);
      const options = { connectTimeoutMs: 3000, agent: 'lmdiag' };
      const reports = await probeTargets(search.targets, options);
      const diagnoses = await diagnose(reports, selection, { user: loginName(), host: os.hostname(), display: defaultDisplay() }, options);
      process.stdout.write(formatDiagnoses(diagnoses, { nowMs: Date.now(), timeZone: localTimeZone() }));
      if (diagnoses.length === 0 || diagnoses.some((d) => d.problem !== null)) process.exitCode = 1;
    });
};
