import { createInterface } from 'node:readline/promises';
import { acceptLmutilFlags, type CommandModule } from '../program';
import { reportResults } from '../adminResults';
import { CliError } from '../cliError';
import { tlsOrFail } from '../tlsFlags';
import { runAdminCommand } from '../../core/client/connectionAdmin';
import { currentPlatform } from '../../core/client/licensePath';
import { probeTarget } from '../../core/client/searchStatus';
import { createLicenseSearch } from '../../core/client/searchTargets';
import { awaitShutdown, shutdownPlan, shutdownPrompt, type ShutdownPlan } from '../lmdownPlan';
import { searchEnvironment } from '../workstationSearch';

/** How long lmdown waits for every server's port to close before it reports one still running. */
const SHUTDOWN_WAIT_MS = 8_000;

async function confirmed(question: string): Promise<boolean> {
  // cron, ssh and service scripts have no one to answer: say how to run it unattended
  if (!process.stdin.isTTY) throw new CliError('lmdown asks for confirmation, and there is no terminal to answer it: pass -q', 2);
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  // end of input (Ctrl-D) is a "no", not an unsettled promise
  const closed = new Promise<string>((resolve) => prompt.once('close', () => resolve('')));
  try {
    return /^y/i.test((await Promise.race([prompt.question(question), closed])).trim());
  } finally {
    prompt.close();
  }
}

/** The servers of the first entry that answers, as they are now (members, master, seats out). */
async function currentPlan(commandLine: string | undefined, tls: ReturnType<typeof tlsOrFail>): Promise<ShutdownPlan | null> {
  const { search } = createLicenseSearch({ commandLine, env: searchEnvironment(), platform: currentPlatform() });
  for (const target of search.targets) {
    const report = await probeTarget(target, { agent: 'triad lmdown', tls });
    if (report.probes.some((probe) => 'status' in probe)) return shutdownPlan(report);
  }
  return null;
}

export const lmdownCommand: CommandModule = (program) => {
  const command = program
    .command('lmdown')
    .description('Shut down the license server (in a triad, all three); needs the admin token. Refused while licenses are checked out, unless --force')
    .option('-c <path>', 'license servers: port@host list or license file (default: $LM_LICENSE_FILE)')
    .option('-q', 'do not ask for confirmation (licenses checked out still need --force)')
    .option('--force', 'shut down even while licenses are checked out (also written -force)')
    .option('--vendor <name>', 'stop this vendor daemon: allowed when it is the only vendor the server serves (also -vendor)')
    .option('--all', 'stop every server of the license path, not only the first that answers (also -all)')
    .option('--data <dir>', "the server's data folder, to read its admin.token (or set TRIAD_ADMIN_TOKEN)")
    .action(async (opts: { c?: string; q?: boolean; force?: boolean; vendor?: string; all?: boolean; data?: string }) => {
      const force = opts.force ?? false;
      const tls = tlsOrFail({});
      const plan = await currentPlan(opts.c, tls);
      const question = plan ? shutdownPrompt(plan, force) : 'No license server answers to show what would stop. Are you sure (y/n)? ';
      if (!opts.q && !(await confirmed(question))) {
        process.stdout.write('lmdown cancelled.\n');
        return;
      }
      const results = await runAdminCommand(opts.c, opts.data, { type: 'lmdown', force }, searchEnvironment(), { all: opts.all, vendor: opts.vendor });
      reportResults(results, (address, message) => `Shutting down license server ${address.port}@${address.host}: ${message}`);
      if (!plan || opts.all) return;
      // lmdown succeeded where it was sent: check that every server really went down
      const { stopped, running } = await awaitShutdown({ ...plan, members: plan.members.filter((m) => m.running) }, SHUTDOWN_WAIT_MS);
      if (stopped.length > 0) process.stdout.write(`Stopped: ${stopped.map((a) => `${a.port}@${a.host}`).join(', ')}\n`);
      if (running.length === 0) return;
      const lines = running.map((m) => `  ${m.address.port}@${m.address.host}${m.outOfQuorum ? `: not in the quorum (${m.outOfQuorum})` : ''}`);
      throw new CliError(
        `still running after ${SHUTDOWN_WAIT_MS / 1000} s:\n${lines.join('\n')}\n` +
          'Stop each on its own machine with `triad lmdown -q -c PORT@HOST` (it takes that machine\'s admin token).',
        1,
      );
    });
  acceptLmutilFlags(command, ['force', 'vendor', 'all']);
};
