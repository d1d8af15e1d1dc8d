import type { AdminCaller } from './backend';
import type { ApiError as ApiErrorClass, ServerControl } from './adminApi';
import type {
  CurrentLicense,
  ImportOutcome,
  LicenseCheckReport,
  LicenseDiagnostic,
  LicenseImportResult,
  LicenseSet,
  MethodArgs,
  ReplaceServerResult,
} from '../shared/contract';
import type { ServerStatus } from '../shared/status';
import { checkLicenseText, parseLicenseText, type Diagnostic, type LicenseFile, type TrustStore } from './license';
import { installLicenseSet, licenseFileNameFor, MAIN_LICENSE_FILE, readLicenseSet, type LicenseSetFile } from './licenseFiles/licenseFolder';
import { mergeLicenseSet } from './licenseFiles/licenseSet';
import type { SelfIdentity } from './licenseFiles/licenseSetup';
import { notOnServerLines } from './licenseFiles/thisMachineCheck';
import { compareMembers, membershipDiagnostic, membershipView, pendingReplacement, replacementRefusal, replaceServer } from './server/triad/triadMembership';
import { replacementSteps } from '../shared/triadReplacement';
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

/** A license set as the server reads it: the files, the one they make together, and the check of one of them among the others. */
interface LicenseChecks {
  /** The files the location serves now. */
  served(): LicenseSetFile[];
  /** The set after importing `fileName`: alone (in place of every file), or added beside the others. */
  setWith(fileName: string, text: string, add: boolean): { set: LicenseSetFile[]; file: LicenseSetFile };
  /**
   * `triad check` of `file` as one of `set`, with the checks only this server can make;
   * `replacing`: the set is to replace a member, so other members than recorded are no error.
   */
  check(file: LicenseSetFile, set: readonly LicenseSetFile[], replacing?: boolean): LicenseCheckReport;
  /** The files of `set` read together, as the server serves them. */
  merged(set: readonly LicenseSetFile[]): LicenseFile;
}

function createLicenseChecks(deps: Pick<LicenseHandlerDeps, 'store' | 'location' | 'identity' | 'now' | 'trust'>): LicenseChecks {
  const { store, location, now } = deps;
  const served = (): LicenseSetFile[] => readLicenseSet(location).map(({ fileName, text }) => ({ fileName, text }));

  const parse = (set: readonly LicenseSetFile[], known?: { file: LicenseSetFile; parsed: LicenseFile }) =>
    mergeLicenseSet(
      location,
      set.map((member) => ({ path: member.fileName, file: member === known?.file ? known.parsed : parseLicenseText(member.text, member.fileName).file })),
    );

  const check = (file: LicenseSetFile, set: readonly LicenseSetFile[], replacing = false): LicenseCheckReport => {
    const report = checkLicenseText(file.text, file.fileName, deps.trust(), now());
    const parsed = parseLicenseText(file.text, file.fileName).file;
    const merged = parse(set, { file, parsed });
    // a triad's members are machines: a file that names others is a migration, not an import
    const members = merged.file.servers.length === 3 ? compareMembers(store, merged.file) : null;
    const notHere = notOnServerLines(parsed, deps.identity);
    const extra = [
      notHere,
      // a file this machine is not in is no change of members: the first error says all
      members && !replacing && !notHere && membershipDiagnostic(members, parsed),
      ...merged.problems.filter((p) => p.file === file.fileName),
    ];
    for (const diagnostic of extra) if (diagnostic) report[diagnostic.severity === 'error' ? 'errors' : 'warnings'].push(toDto(diagnostic));
    if (members && (members.kind === 'replace-one' || members.kind === 'other')) report.membership = membershipView(members, file.fileName);
    return report;
  };

  const setWith = (fileName: string, text: string, add: boolean): { set: LicenseSetFile[]; file: LicenseSetFile } => {
    const file = { fileName: add ? licenseFileNameFor(fileName) : MAIN_LICENSE_FILE, text };
    if (!add) return { set: [file], file };
    const others = served().filter((other) => other.fileName !== file.fileName);
    return { set: [...others, file], file };
  };

  return { served, setWith, check, merged: (set) => parse(set).file };
}

export function createLicenseHandlers(deps: LicenseHandlerDeps) {
  const { server, store, location, now } = deps;
  const { served, check, setWith, merged } = createLicenseChecks(deps);

  const currentLicense = (): CurrentLicense | null => {
    const record = store.licenseFiles.current();
    return record && { path: record.path, text: record.text, hash: record.sha256, importedAt: record.importedAt };
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

  /** Why the files of `set` (the new ones: `chosen`, by the names the admin knows) cannot replace a member here, each with how to fix it. */
  const replacementProblems = (set: LicenseSetFile[], chosen: { file: LicenseSetFile; fileName: string }[]): string[] => {
    const refusal = replacementRefusal(store, merged(set));
    if (refusal !== null) return [refusal];
    return chosen.flatMap(({ file, fileName }) => {
      const report = check(file, set, true);
      const vendors = [...new Set(report.features.filter((f) => f.signature === 'unverified').map((f) => f.vendor))];
      return [
        ...report.errors.map((e) => `${fileName}:${e.line}: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}`),
        ...vendors.map(
          (vendor) =>
            `${fileName}: no trusted key of vendor ${vendor} verifies its lines, so the triad would not serve them: add ${vendor}'s public key ` +
            'under Trusted vendor keys on the License files screen, then replace again',
        ),
      ];
    });
  };

  /** "Replace a server": `triad replace-server` on this member while stopped, then the new files served. */
  const replaceMember = async ({ license }: MethodArgs<'triad.replaceServer'>, caller: AdminCaller): Promise<ReplaceServerResult> => {
    const chosen = license ? setWith(license.fileName, license.text, license.add === true) : null;
    const set = chosen?.set ?? served();
    const label = license?.fileName ?? set.map((file) => file.fileName).join(', ');
    const problems =
      set.length === 0
        ? ['there is no license file here: choose the new license file, with all three SERVER lines']
        : replacementProblems(set, chosen ? [{ file: chosen.file, fileName: license!.fileName }] : set.map((file) => ({ file, fileName: file.fileName })));
    if (problems.length > 0) {
      deps.audit(caller, 'replace server refused', `${label}: ${problems.join('; ')}`);
      throw deps.fail('invalid-license', `Nothing was replaced: ${problems.join('; ')}`);
    }
    if (server.status().role !== 'stopped') await server.stop();
    const result = replaceServer(store, merged(set), now());
    if (!result.ok) throw deps.fail('invalid-license', `Nothing was replaced: ${result.message}`);
    if (chosen) installLicenseSet(store, location, set, now());
    deps.audit(caller, 'replace server', `${label}: ${result.message}`);
    deps.changed(currentLicense());
    try {
      await server.start();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw deps.fail('invalid-license', `${result.message} But the server did not start again: ${reason}`);
    }
    const status = server.status();
    const steps = replacementSteps(result.replacement, status);
    return {
      message: result.message,
      outcome: serverOutcome(status, 'Started again', 'The steps left on the other two form it.'),
      status,
      replacement: result.replacement,
      steps,
    };
  };

  return {
    'triad.replaceServer': replaceMember,
    'triad.replacement': () => pendingReplacement(store),
    'license.current': () => currentLicense(),
    'license.list': () => list(),
    'license.check': ({ fileName, text, add, replace }: MethodArgs<'license.check'>) => {
      const { set, file } = setWith(fileName, text, add === true);
      return { ...check(file, set, replace === true), fileName };
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
  return serverOutcome(status, `Imported ${fileName}`, 'Import the same file on the other two and start them.');
}

/**
 * What the server does now, after `done` (a sentence without its full stop), from its status:
 * serves, a standby, a learner catching up, waiting for peers (then `whileWaiting` says what to
 * do), or why nothing is served.
 */
export function serverOutcome(status: ServerStatus, done: string, whileWaiting: string): ImportOutcome {
  if (status.role === 'stopped')
    return {
      state: 'nothing-served',
      message: `${done}, but the license server is stopped: ${status.warnings.join(' ') || 'start it on the Server status screen.'}`,
    };
  if (status.mode === 'triad' && status.members.some((member) => member.self && member.learner)) {
    return {
      state: 'catching-up',
      message: `${done}. This server joined the three redundant servers as a learner: it catches up from the master${status.master ? `, ` +
        `${status.master},` : ''} and votes once it holds the committed log; the master serves the licenses.`,
    };
  }
  if (status.mode === 'triad' && status.role === 'standby') {
    return {
      state: 'standby',
      message: `${done}. This server is a standby of the three redundant servers; the master, ${status.master ?? 'once elected'}, serves ` +
        `the licenses.`,
    };
  }
  if (status.mode === 'triad' && status.role === 'no-quorum') {
    return {
      state: 'waiting-for-peers',
      message: `${done}. This server is one of three redundant servers and waits for a second one to form a quorum: nothing is served ` +
        `until then. ${whileWaiting}`,
    };
  }
  const served = status.features.filter((feature) => feature.served);
  if (served.length > 0)
    return {
      state: 'served',
      message: `${done}. The server now serves ${served.length} feature${served.length === 1 ? '' : 's'}: ` +
        `${served.map((f) => f.name).join(', ')}.`,
    };
  const reasons = [...new Set(status.features.flatMap((feature) => (feature.notServedReason ? [feature.notServedReason] : [])))];
  return {
    state: 'nothing-served',
    message: `${done}, but no feature is served${reasons.length > 0 ? `: ${reasons.join('; ')}` : ' (no counted feature this server can serve)'}.`,
  };
}

function toDto(d: Diagnostic): LicenseDiagnostic {
  return { severity: d.severity, line: d.line, column: d.column, message: d.message, hint: d.hint };
}

