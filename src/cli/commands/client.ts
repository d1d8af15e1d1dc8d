import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { currentPlatform, formatEntry, type PathPlatform } from '../../core/client/licensePath';
import { exportLicensePath, importLicensePath, parseServerSpec } from '../../core/client/licensePathConfig';
import { FLEXLMRC_FILE, readRcVariable, writeRcVariable } from '../../core/client/licensePathRc';
import { storedEntryToPathEntry } from '../../core/client/licensePathSources';
import { resolveSearchTargets } from '../../core/client/searchTargets';
import { probeTarget } from '../../core/client/searchStatus';
import { authoritativeStatus, connectFailureDetail, type ServerReport } from '../../core/lmstat';
import { defaultDataDir } from '../../core/store/dataDir';
import { flexlmrcPath } from '../workstationSearch';
import { tlsOrFail } from '../tlsFlags';
import { openStore, StoreError, type SearchEntry, type SearchListResult, type Store } from '../../core/store';

/**
 * `triad client ...`: the Client/Server Configuration of a workstation, kept in the store of
 * `--data DIR` (the same store the desktop app edits). Entries are named by name or position.
 * UNIX `import --flexlmrc` / `export --flexlmrc` use `$HOME/.flexlmrc`.
 */
export const clientCommand: CommandModule = (program) => {
  const client = program
    .command('client')
    .description('Edit and verify the ordered list of license servers this client searches')
    .option('--data <dir>', 'data directory holding the client configuration (default: the per-user Triad folder)');

  client
    .command('list')
    .description('Show the "Use license server" flag and the entries in search order')
    .option('--json', 'print as JSON')
    .action((flags: { json?: boolean }, command: Command) =>
      withStore(command, (store) => {
        const entries = store.searchList.list();
        const use = store.searchList.useLicenseServer();
        if (flags.json) return print(JSON.stringify({ useLicenseServer: use, entries }, null, 2));
        print(`Use license server: ${use ? 'on' : 'off'}`);
        if (entries.length === 0) print('  (no entries: add one with `triad client add NAME port@host`)');
        const width = Math.max(...entries.map((e) => e.name.length), 4);
        entries.forEach((entry, index) => print(`  ${index + 1}. ${entry.name.padEnd(width)}  ${entry.type.padEnd(9)}  ${describeHosts(entry)}`));
      }),
    );

  client
    .command('add')
    .description('Append an entry: port@host, @host, a bare host (port 27000), or a triad 27000@a,27000@b,27000@c')
    .argument('<name>', 'a name for the entry')
    .argument('<servers>', 'port@host, or three comma-separated port@host for a redundant triad')
    .action((name: string, servers: string, _flags: unknown, command: Command) =>
      withStore(command, (store) => {
        const spec = parseServerSpec(servers, currentPlatform());
        if ('error' in spec) throw new CliError(`client add: ${spec.error}`);
        const added = check(store.searchList.add({ name, ...spec }));
        print(`Added ${added.name} (${describeHosts(added)}) as entry ${store.searchList.list().length}.`);
        if (!store.searchList.useLicenseServer()) print(USE_LICENSE_SERVER_OFF);
      }),
    );

  client
    .command('remove')
    .description('Remove an entry')
    .argument('<entry>', 'entry name or position')
    .action((ref: string, _flags: unknown, command: Command) =>
      withStore(command, (store) => {
        const entry = findEntry(store, ref);
        store.searchList.remove(entry.id);
        print(`Removed ${entry.name}.`);
      }),
    );

  client
    .command('move')
    .description('Move an entry earlier (up) or later (down) in the search order')
    .argument('<entry>', 'entry name or position')
    .argument('<direction>', 'up or down')
    .action((ref: string, direction: string, _flags: unknown, command: Command) =>
      withStore(command, (store) => {
        if (direction !== 'up' && direction !== 'down') throw new CliError(`client move: direction "${direction}" must be up or down`);
        const entry = findEntry(store, ref);
        store.searchList.move(entry.id, direction === 'up' ? -1 : 1);
        const position = store.searchList.list().findIndex((e) => e.id === entry.id) + 1;
        print(`${entry.name} is now entry ${position}.`);
      }),
    );

  client
    .command('rename')
    .description('Rename an entry')
    .argument('<entry>', 'entry name or position')
    .argument('<new-name>', 'the new name')
    .action((ref: string, newName: string, _flags: unknown, command: Command) =>
      withStore(command, (store) => {
        const entry = findEntry(store, ref);
        const renamed = check(store.searchList.update(entry.id, { name: newName }));
        print(`Renamed ${entry.name} to ${renamed.name}.`);
      }),
    );

  client
    .command('set-port')
    .description('Change the port of an entry (every member of a triad, or one with --member)')
    .argument('<entry>', 'entry name or position')
    .argument('<port>', 'port number 1-65535')
    .option('--member <n>', 'only this triad member: 1 primary, 2 secondary, 3 tertiary')
    .action((ref: string, portText: string, flags: { member?: string }, command: Command) =>
      withStore(command, (store) => {
        const entry = findEntry(store, ref);
        const port = Number(portText);
        if (!/^\d+$/.test(portText) || port < 1 || port > 65535)
          throw new CliError(`client set-port: "${portText}" is not a port; give a number from 1 to 65535`);
        const member = flags.member === undefined ? null : Number(flags.member);
        if (member !== null && !(entry.type === 'redundant' && [1, 2, 3].includes(member))) {
          throw new CliError(`client set-port: --member ${flags.member} needs a redundant entry and a member 1, 2 or 3`);
        }
        const hosts = entry.hosts.map((h, index) => (member === null || member === index + 1 ? { ...h, port } : h));
        const updated = check(store.searchList.update(entry.id, { hosts }));
        print(`${updated.name}: ${describeHosts(updated)}`);
      }),
    );

  client
    .command('use')
    .description('Turn "Use license server" on or off')
    .argument('<state>', 'on or off')
    .action((state: string, _flags: unknown, command: Command) =>
      withStore(command, (store) => {
        if (state !== 'on' && state !== 'off') throw new CliError(`client use: "${state}" must be on or off`);
        store.searchList.setUseLicenseServer(state === 'on');
        print(`Use license server: ${state}`);
      }),
    );

  client
    .command('import')
    .description('Replace the entries with an LM_LICENSE_FILE value (default: the LM_LICENSE_FILE variable)')
    .argument('[value]', 'a search path such as 27000@siteA:27000@siteB')
    .option('--flexlmrc', `read LM_LICENSE_FILE from $HOME/${FLEXLMRC_FILE}`)
    .option('--windows', 'the value separates entries with ; only (Windows form)')
    .action((value: string | undefined, flags: { flexlmrc?: boolean; windows?: boolean }, command: Command) =>
      withStore(command, (store) => {
        const text = value ?? (flags.flexlmrc ? readFlexlmrc() : process.env.LM_LICENSE_FILE);
        if (text === undefined || text.trim() === '') {
          throw new CliError('client import: nothing to import; give a value, set LM_LICENSE_FILE, or use --flexlmrc');
        }
        const imported = importLicensePath(text, platformOf(flags.windows));
        for (const problem of imported.skipped) process.stderr.write(`triad: skipped: ${problem}\n`);
        check(store.searchList.replaceAll(imported.entries));
        print(`Imported ${imported.entries.length} entr${imported.entries.length === 1 ? 'y' : 'ies'}.`);
        if (!store.searchList.useLicenseServer()) print(USE_LICENSE_SERVER_OFF);
      }),
    );

  client
    .command('export')
    .description('Print the entries as an LM_LICENSE_FILE value')
    .option('--flexlmrc', `also write LM_LICENSE_FILE=... into $HOME/${FLEXLMRC_FILE} (UNIX)`)
    .option('--windows', 'separate entries with ; (Windows form)')
    .action((flags: { flexlmrc?: boolean; windows?: boolean }, command: Command) =>
      withStore(command, (store) => {
        const exported = exportLicensePath(store.searchList.list(), platformOf(flags.windows));
        if (!exported.ok) throw new CliError(`client export: ${exported.error}`);
        print(exported.text);
        if (flags.flexlmrc) {
          if (process.platform === 'win32') throw new CliError('client export --flexlmrc: Windows clients read the registry, not ~/.flexlmrc');
          const file = flexlmrcPath();
          writeFileSync(file, writeRcVariable(readText(file), 'LM_LICENSE_FILE', exported.text));
          process.stderr.write(`triad: wrote LM_LICENSE_FILE to ${file}\n`);
        }
      }),
    );

  client
    .command('verify')
    .description('Contact each entry in order: reachable or why not, the master of a triad, features issued and in use')
    .option('-t, --timeout <seconds>', 'connect timeout per server', '3')
    .option('--tls-fingerprint <sha256>', "servers use TLS: pin their certificates' SHA-256 fingerprints, comma-separated (or set TRIAD_TLS_FINGERPRINT)")
    .option('--tls-ca <file>', 'servers use TLS: trust certificates this CA signed (or set TRIAD_TLS_CA)')
    .action((flags: { timeout: string; tlsCa?: string; tlsFingerprint?: string }, command: Command) =>
      withStore(command, async (store) => {
        const tls = tlsOrFail(flags);
        const seconds = Number(flags.timeout);
        if (!(seconds > 0)) throw new CliError(`client verify: --timeout ${flags.timeout} must be a positive number of seconds`);
        const entries = store.searchList.list();
        if (entries.length === 0) throw new CliError('client verify: no entries; add one with `triad client add NAME port@host`', 1);
        let unreachable = 0;
        for (const [index, entry] of entries.entries()) {
          const pathEntry = storedEntryToPathEntry(entry);
          const { targets } = resolveSearchTargets(pathEntry ? [{ entry: pathEntry, source: entry.name }] : []);
          const report = targets[0] ? await probeTarget(targets[0], { connectTimeoutMs: seconds * 1000, agent: 'triad client verify', tls }) : null;
          const lines = report ? verifyLines(report) : ['not reachable: the entry has no usable address'];
          if (!report || authoritativeStatus(report) === null) unreachable++;
          print(`${index + 1}. ${entry.name} (${describeHosts(entry)}): ${lines[0]}`);
          for (const line of lines.slice(1)) print(`     ${line}`);
        }
        if (unreachable > 0) process.exitCode = 1;
      }),
    );
};

/** After an entry is added or imported while the list is not searched (the dialog's checkbox is off). */
const USE_LICENSE_SERVER_OFF = 'Note: "Use license server" is off, so this list is not searched; turn it on with `triad client use on`.';

function verifyLines(report: ServerReport): string[] {
  const status = authoritativeStatus(report);
  if (!status) {
    const reasons = report.probes.map((p) => ('failure' in p ? `${p.port}@${p.host} ${connectFailureDetail(p.failure)}` : ''));
    return [`not reachable: ${reasons.filter(Boolean).join('; ')}`];
  }
  const head =
    status.mode === 'triad'
      ? status.master
        ? `reachable, triad master ${status.master}`
        : 'reachable, but the triad has no master (no quorum): no licenses are served'
      : `reachable, ${status.host} ${status.version}`;
  const down = report.probes.flatMap((p) => ('failure' in p ? [`member ${p.port}@${p.host} down ${connectFailureDetail(p.failure)}`] : []));
  const features = status.features.map((f) =>
    f.issued === null
      ? `${f.name} v${f.version}: uncounted`
      : `${f.name} v${f.version}: ${f.issued} issued, ${f.inUse} in use${f.served ? '' : ` (not served: ${f.notServedReason})`}`,
  );
  return [head, ...down, ...(features.length > 0 ? features : ['serves no features'])];
}

function describeHosts(entry: Pick<SearchEntry, 'type' | 'hosts'>): string {
  const pathEntry = storedEntryToPathEntry(entry);
  return pathEntry ? formatEntry(pathEntry) : entry.hosts.map((h) => `${h.port ?? ''}@${h.host}`).join(',');
}

async function withStore(command: Command, run: (store: Store) => void | Promise<void>): Promise<void> {
  const { data } = command.optsWithGlobals<{ data?: string }>();
  let store: Store;
  try {
    store = openStore(data ?? defaultDataDir());
  } catch (error) {
    if (error instanceof StoreError) throw new CliError(error.message);
    throw error;
  }
  try {
    await run(store);
  } finally {
    store.close();
  }
}

function findEntry(store: Store, ref: string): SearchEntry {
  const entries = store.searchList.list();
  const byName = entries.find((e) => e.name === ref);
  if (byName) return byName;
  if (/^\d+$/.test(ref) && entries[Number(ref) - 1]) return entries[Number(ref) - 1];
  throw new CliError(`no client entry named or numbered "${ref}"; see \`triad client list\``);
}

function check<T>(result: SearchListResult<T>): T {
  if (!result.ok) throw new CliError(result.error);
  return result.value;
}

function platformOf(windows: boolean | undefined): PathPlatform {
  return windows ? 'windows' : currentPlatform();
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readFlexlmrc(): string | undefined {
  return readRcVariable(readText(flexlmrcPath()), 'LM_LICENSE_FILE') ?? undefined;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
