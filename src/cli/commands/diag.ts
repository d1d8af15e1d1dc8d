import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { queryStatus } from '../../core/client/searchAttempts';
import { collectDiagnostics, DIAGNOSTICS_LOG_LINES } from '../../core/diag/gatherDiagnostics';
import { LEFT_OUT } from '../../core/diag/diagnosticsArchive';
import { parseLicenseText } from '../../core/license';
import { licenseFolderIn, readLicenseSet } from '../../core/licenseFiles/licenseFolder';
import { defaultDataDir } from '../../core/store/dataDir';
import { mergeLicenseSet } from '../../core/licenseFiles/licenseSet';
import { chooseSelf, SetupError } from '../../core/licenseFiles/licenseSetup';
import { stoppedStatus } from '../../core/server/licensing/stoppedStatus';
import { openStore } from '../../core/store';
import type { ServerStatus } from '../../shared/status';

interface DiagFlags {
  data?: string;
  c?: string;
  as?: string;
  port?: string;
  o?: string;
}

/**
 * `triad diag`: the admin UI's "Collect diagnostics" for a server without the UI. Run it on the
 * server machine: it asks this server and its peers for their status over the license port and
 * reads the data folder (debug log, client settings, trusted keys), leaving secrets out.
 */
export const diagCommand: CommandModule = (program) => {
  program
    .command('diag')
    .description(
      'Write one zip with what support asks for: status of every member, the recent debug log, license and options files, versions, settings (no secrets)',
    )
    .option('--data <dir>', "the server's data folder (default: as for `triad serve`)")
    .option('-c <path>', "the license file or folder the server serves (default: the data folder's license folder)")
    .option('--as <host>', 'which SERVER line is this machine (as given to `triad serve --as`)')
    .option('--port <n>', 'the license port, when `triad serve` was given --port')
    .option('-o <file>', 'where to write the zip (default: triad-diag-HOST-TIME.zip here)')
    .action(async (flags: DiagFlags) => {
      const dataDir = flags.data ?? defaultDataDir();
      if (!existsSync(dataDir)) throw new CliError(`${dataDir}: no such data folder; pass --data with the server's data folder`, 2);
      const location = flags.c ?? licenseFolderIn(dataDir);
      if (readLicenseSet(location).length === 0)
        throw new CliError(`${location}: no license file there; pass -c with the license file or folder the server serves`, 2);
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
        throw new CliError(`--port ${flags.port}: expected a TCP port, e.g. 27000`, 2);
      const status = await thisServer(location, flags.as, port);
      const store = openStore(dataDir);
      try {
        const lines = store.debugLog
          .query({ limit: DIAGNOSTICS_LOG_LINES, newest: true })
          .map((e) => ({ id: e.id, time: e.timeMs, daemon: e.daemon, message: e.message }));
        const from =
          status.role === 'standby'
            ? `${status.host}, a standby: only the master writes the debug log; run \`triad diag\` on the ` +
              `master${status.master ? `, ${status.master},` : ''} for its log, or use Collect diagnostics in its admin UI`
            : status.host;
        const archive = await collectDiagnostics({
          store,
          status,
          licenseLocation: location,
          debugLog: { lines, from },
          settings: {
            dataFolder: dataDir,
            licenseLocation: location,
            as: flags.as ?? null,
            address: `${status.port}@${status.host}`,
            mode: status.mode,
            role: status.role,
          },
          nowMs: Date.now(),
          timeoutMs: 3_000,
        });
        const out = flags.o ?? archive.fileName;
        // user and host names, like the server's database: for this OS user only until sent on
        writeFileSync(out, archive.bytes, { mode: 0o600 });
        process.stdout.write(
          `Wrote ${path.resolve(out)} (${Math.ceil(archive.bytes.length / 1024)} KB, ${archive.entries.length} files): ` +
            `status of ${status.members.length || 1} server(s), ${lines.length} debug-log lines of ` +
              `${status.role === 'standby' ? 'this standby' : status.host}, license and options files, versions, settings.\n` +
            `Left out: ${LEFT_OUT.join(', ')}.\n`,
        );
      } finally {
        store.close();
      }
    });
};

/** This server's status over its license port, or, when it does not answer, what its license file configures. */
async function thisServer(location: string, as: string | undefined, port: number | undefined): Promise<ServerStatus> {
  const set = readLicenseSet(location);
  const { file } = mergeLicenseSet(location, set.map((part) => ({ path: part.path, file: parseLicenseText(part.text, part.path).file })));
  let self;
  try {
    self = chooseSelf(file, { as }).self;
  } catch (error) {
    if (error instanceof SetupError) throw new CliError(error.message, 2);
    throw error;
  }
  const address = { host: self?.host ?? '127.0.0.1', port: port ?? self?.port ?? 27000 };
  const answer = await queryStatus(address, { connectTimeoutMs: 3_000, requestTimeoutMs: 3_000, agent: 'triad diag' });
  if ('status' in answer) return answer.status;
  const why = `${address.port}@${address.host} did not answer: ${answer.failure.message}`;
  return stoppedStatus({ licensePath: location, identity: { as }, port, problem: why, heldSeats: 0, nowMs: Date.now() });
}
