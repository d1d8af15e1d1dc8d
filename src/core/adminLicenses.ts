import type { AdminCaller } from './backend';
import type { ApiError as ApiErrorClass, ServerControl } from './adminApi';
import type { CurrentLicense, ImportOutcome, LicenseCheckReport, LicenseDiagnostic, LicenseImportResult, LicenseSet, MethodArgs } from '../shared/contract';
import type { ServerStatus } from '../shared/status';
import { checkLicenseText, parseLicenseText, type Diagnostic, type TrustStore } from './license';
import { installLicenseSet, licenseFileNameFor, MAIN_LICENSE_FILE, readLicenseSet, type LicenseSetFile } from './licenseFolder';
import { mergeLicenseSet } from './server/licenseSet';
import type { SelfIdentity } from './server/licenseSetup';
import { notOnServerLines } from './server/thisMachineCheck';
import { sha256Hex, type Store } from './store';

/**
 * The License files screen's methods: the files served together, each checked as `triad check`
 * does plus what only this server knows (is it one of a triad file's SERVER lines, do the files
 * name the same servers), and import, add and remove, here or on all three members of a triad.
 */

export interface LicenseHandlerDeps {
  server: ServerControl;
  store: Store;
  /** Where the server reads its license files: a folder (the admin app's), or one file. */
  location: string;
  identity: SelfIdentity;
  now: () => number;
  trust: () => TrustStore;
  audit: (caller: AdminCaller, action: string, detail: string) => void;
  /** The license files changed: listeners reload them. */
  changed: (current: CurrentLicense | null) => void;
  fail: (code: 'bad-request' | 'not-found' | 'invalid-license', message: string) => ApiErrorClass;
}

export function createLicenseHandlers(deps: LicenseHandlerDeps) {
  const { server, store, location, now } = deps;

  const currentLicense = (): CurrentLicense | null => {
    const record = store.licenseFiles.current();
    return record && { path: record.path, text: record.text, hash: record.sha256, importedAt: record.importedAt };
  };

  const served = (): LicenseSetFile[] => readLicenseSet(location).map(({ fileName, text }) => ({ fileName, text }));

  /** `triad check` of `file` as one of `set`, with the checks only this server can make. */
  const check = (file: LicenseSetFile, set: readonly LicenseSetFile[]): LicenseCheckReport => {
    const report = checkLicenseText(file.text, file.fileName, deps.trust(), now());
    const parsed = parseLicenseText(file.text, file.fileName).file;
    const parts = set.map((member) => ({ path: member.fileName, file: member === file ? parsed : parseLicenseText(member.text, member.fileName).file }));
    const extra = [notOnServerLines(parsed, deps.identity), ...mergeLicenseSet(location, parts).problems.filter((p) => p.file === file.fileName)];
    for (const diagnostic of extra) if (diagnostic) report[diagnostic.severity === 'error' ? 'errors' : 'warnings'].push(toDto(diagnostic));
    return report;
  };

  /** The set after importing `file`: alone (in place of every file), or added beside the others. */
  const setWith = (fileName: string, text: string, add: boolean): { set: LicenseSetFile[]; file: LicenseSetFile } => {
    const file = { fileName: add ? licenseFileNameFor(fileName) : MAIN_LICENSE_FILE, text };
    if (!add) return { set: [file], file };
    const others = served().filter((other) => other.fileName !== file.fileName);
    return { set: [...others, file], file };
  };

  const distributeToTriad = async (files: LicenseSetFile[], label: string) => {
    const status = server.status();
    if (status.mode !== 'triad' || status.role === 'stopped') {
      throw deps.fail('bad-request', 'Distributing needs this server running as one of three redundant servers; import the file here only instead.');
    }
    if (status.role !== 'master') {
      const where = status.master ? `the master, ${status.master}` : 'the master once the three servers have a quorum';
      throw deps.fail('bad-request', `This server is a ${status.role}: import the file on ${where}, which distributes it to all three.`);
    }
    try {
      await server.distributeLicense(files, label);
    } catch (error) {
      throw deps.fail('invalid-license', error instanceof Error ? error.message : String(error));
    }
  };

  /**
   * Serves `files` from now on: over the triad (each member writes and rereads them as the switch
   * commits there, this one included), or here only. A server that refuses what the checks
   * accepted gets the previous files back, so disk, database and server agree again.
   */
  const apply = async (files: LicenseSetFile[], label: string, distribute: boolean, caller: AdminCaller): Promise<void> => {
    if (distribute) return distributeToTriad(files, label);
    const previous = served();
    installLicenseSet(store, location, files, now());
    try {
      if (server.status().role === 'stopped') await server.start();
      else await server.reread(caller);
    } catch (error) {
      // e.g. a triad file naming none of this machine's hosts: the previous files are served
      // again, also when the refused set had stopped the server for a restart (another server set)
      if (previous.length > 0) {
        installLicenseSet(store, location, previous, now());
        if (server.status().role === 'stopped') await server.start().catch(() => undefined);
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw deps.fail('invalid-license', `The server refused ${label}, so the previous license files were kept: ${reason}`);
    }
  };

  const list = (): LicenseSet => {
    const files = readLicenseSet(location);
    const set = files.map(({ fileName, text }) => ({ fileName, text }));
    return {
      location,
      files: files.map((file, i) => ({
        fileName: file.fileName,
        path: file.path,
        text: file.text,
        hash: sha256Hex(file.text),
        modifiedAt: file.modifiedAt,
        report: check(set[i]!, set),
      })),
    };
  };

  return {
    'license.current': () => currentLicense(),
    'license.list': () => list(),
    'license.check': ({ fileName, text, add }: MethodArgs<'license.check'>) => {
      const { set, file } = setWith(fileName, text, add === true);
      return { ...check(file, set), fileName };
    },
    'license.import': async ({ fileName, text, distribute, add }: MethodArgs<'license.import'>, caller: AdminCaller): Promise<LicenseImportResult> => {
      const { set, file } = setWith(fileName, text, add === true);
      const report = { ...check(file, set), fileName };
      const where = `${fileName}${add ? ` as ${file.fileName}, beside ${set.length - 1} other file(s)` : ''}${distribute ? ', to the triad' : ''}`;
      if (report.errors.length > 0) {
        deps.audit(caller, 'import refused', `${where}: ${report.errors.length} error(s) in the checks`);
        return { imported: false, distributed: false, report, outcome: null };
      }
      try {
        await apply(set, fileName, distribute === true, caller);
      } catch (error) {
        deps.audit(caller, 'import refused', `${where}: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
      deps.audit(caller, 'import', `${where} (sha256 ${sha256Hex(text)})`);
      deps.changed(currentLicense());
      return { imported: true, distributed: distribute === true, savedAs: file.fileName, report, outcome: importOutcome(fileName, server.status()) };
    },
    'license.remove': async ({ fileName, distribute }: MethodArgs<'license.remove'>, caller: AdminCaller): Promise<LicenseSet> => {
      const before = served();
      if (!before.some((file) => file.fileName === fileName))
        throw deps.fail('not-found', `No license file ${fileName} in ${location}; the list was changed elsewhere. Reload the screen.`);
      const rest = before.filter((file) => file.fileName !== fileName);
      if (rest.length === 0)
        throw deps.fail(
          'bad-request',
          `${fileName} is the only license file: the server would have nothing to serve. Import another file in its place instead.`,
        );
      await apply(rest, rest.map((file) => file.fileName).join(', '), distribute === true, caller);
      deps.audit(caller, 'remove license file', `${fileName}${distribute ? ', on the triad' : ''}`);
      deps.changed(currentLicense());
      return list();
    },
  };
}

/** What the server does with a license file just imported, from its status right after. */
export function importOutcome(fileName: string, status: ServerStatus): ImportOutcome {
  if (status.role === 'stopped')
    return {
      state: 'nothing-served',
      message: `Imported ${fileName}, but the license server is stopped: ${status.warnings.join(' ') || 'start it on the Server status screen.'}`,
    };
  if (status.mode === 'triad' && status.role === 'standby') {
    return {
      state: 'standby',
      message: `Imported ${fileName}. This server is a standby of the three redundant servers; the master, ${status.master ?? 'once elected'}, serves ` +
        `the licenses.`,
    };
  }
  if (status.mode === 'triad' && status.role === 'no-quorum') {
    return {
      state: 'waiting-for-peers',
      message: `Imported ${fileName}. This server is one of three redundant servers and waits for a second one to form a quorum: nothing is served ` +
        `until then. Import the same file on the other two and start them.`,
    };
  }
  const served = status.features.filter((feature) => feature.served);
  if (served.length > 0)
    return {
      state: 'served',
      message: `Imported ${fileName}. The server now serves ${served.length} feature${served.length === 1 ? '' : 's'}: ` +
        `${served.map((f) => f.name).join(', ')}.`,
    };
  const reasons = [...new Set(status.features.flatMap((feature) => (feature.notServedReason ? [feature.notServedReason] : [])))];
  return {
    state: 'nothing-served',
    message: `Imported ${fileName}, but no feature of it is ` +
      `served${reasons.length > 0 ? `: ${reasons.join('; ')}` : ' (the file has no counted feature this server can serve)'}.`,
  };
}

function toDto(d: Diagnostic): LicenseDiagnostic {
  return { severity: d.severity, line: d.line, column: d.column, message: d.message, hint: d.hint };
}

