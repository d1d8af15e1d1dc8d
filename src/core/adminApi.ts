/**
 * The admin contract (src/shared/contract.ts) implemented once, on top of the running license
 * server and the store. Electron's ipcMain and the headless HTTP host both forward to this
 * object, so both expose exactly the same methods, validation and errors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDiagnostics, DIAGNOSTICS_LOG_LINES } from './diag/gatherDiagnostics';
import { thisMachineApp, type AdminCaller } from './backend';
import { createLicenseHandlers } from './adminLicenses';
import { licenseFolderIn, MAIN_LICENSE_FILE, type LicenseSetFile } from './licenseFiles/licenseFolder';
import type { SelfIdentity } from './licenseFiles/licenseSetup';
import { forgetReplacementWhenDone } from './server/triad/triadMembership';
import {
  eventNames,
  parseMethodArgs,
  type ClientConfig,
  type ContractError,
  type DebugLogLine,
  type ErrorCode,
  type EventName,
  type EventPayloads,
  type MethodArgs,
  type MethodName,
  type MethodResult,
  type ParsedArgs,
  type Result,
  type Transport,
  type TrustedKey,
} from '../shared/contract';
import { formatDebugLogText } from '../shared/debugLogText';
import type { ServerStatus } from '../shared/status';
import { buildUsageReport, usageEventOf } from '../shared/usage';
import { applyRetentionPatch, describeRetention, type LogName, type LogsOverview } from '../shared/logRetention';
import { resolveArchiveFolder } from './server/logs/logArchive';
import { logsOverview } from './server/logs/logRetention';
import { exportLicensePath, importLicensePath } from './client/licensePathConfig';
import { currentPlatform } from './client/licensePath';
import { verifyEntry } from './client/verifyEntry';
import type { RegistryMirror } from './client/flexlmRegistry';
import { askMembers } from './client/memberReport';
import { formatLmstatFailure, formatLmstatText, localTimeZone } from './lmstat';
import { keyFingerprint, parseVendorKeyFile, TrustStore, VENDOR_NAME } from './license';
import type { DebugLogEntry, Store } from './store';
import type { MasterLogPage, MasterLogQuery } from './server/triadSeam';

/**
 * What the admin API needs from the local license server. The backend (src/core/backend.ts)
 * provides it; `status()` answers a `stopped` snapshot while no server runs.
 */
export interface ServerControl {
  status(): ServerStatus;
  start(): Promise<void>;
  /** Stops this server only; the app keeps running. */
  stop(): Promise<void>;
  /** lmdown: stops the whole triad (or the single server). */
  lmdown(caller: AdminCaller): Promise<void>;
  /** Rereads the license file, options files and trusted keys. */
  reread(caller: AdminCaller): Promise<void>;
  /** Triad master: all three members switch to these license files (see Backend.distributeLicense). */
  distributeLicense(files: LicenseSetFile[], label: string): Promise<void>;
  /** Triad standby: a page of the master's debug log, read over the peer link. */
  masterLog(query: MasterLogQuery): Promise<MasterLogPage>;
  /** The running server's view of its logs and disk; null while it is stopped. */
  logs(): Promise<LogsOverview> | null;
  /** lmswitch / lmswitchr; resolves with what was written, rejects with an ApiError saying why not. */
  rotateLog(log: LogName, caller: AdminCaller): Promise<string>;
  /** The stored retention settings changed: the running server applies them now. */
  retentionChanged(): void;
  /** lmremove; rejects with an ApiError `not-found` when nobody holds that seat. */
  removeUser(who: { feature: string; user: string; host: string; display: string }, caller: AdminCaller): Promise<void>;
  onStatus(listener: (status: ServerStatus) => void): () => void;
  onLog(listener: (line: DebugLogEntry) => void): () => void;
}

export interface AdminApiDeps {
  server: ServerControl;
  store: Store;
  /** Where the server reads its license files (a folder, or one file); imports are written there. */
  licensePath: string;
  /** Which SERVER line is this machine (`--as`, `--hostid`), for the license checks. */
  identity?: SelfIdentity;
  now?: () => number;
  /** How long Verify waits for each server. */
  verifyTimeoutMs?: number;
  /** Windows: the client list is also written to the registry key FlexLM tools read. */
  registry?: RegistryMirror;
}

export interface AdminApi extends Transport {
  /** `invoke` on behalf of `caller` (the audit table says who and from where); `invoke` is the app on this machine. */
  invokeAs<M extends MethodName>(caller: AdminCaller, method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>>;
  close(): void;
}

/** A failure a person can act on; becomes the `{ok:false}` envelope. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Rows read per query while walking a log; keeps memory bounded on years of history. */
const pageRows = 5_000;

/** Every matching row, oldest first, a page at a time (the store answers oldest first). */
function* walkLog<T extends { id: number }>(query: (afterId: number | undefined) => T[]): Generator<T> {
  let afterId: number | undefined;
  for (;;) {
    const page = query(afterId);
    yield* page;
    if (page.length < pageRows) return;
    afterId = page[page.length - 1]!.id;
  }
}

type Handlers = { [M in MethodName]: (args: ParsedArgs<M>, caller: AdminCaller) => Promise<MethodResult<M>> | MethodResult<M> };

function parseArgs<M extends MethodName>(method: M, raw: unknown): ParsedArgs<M> {
  const parsed = parseMethodArgs(method, raw);
  if (!parsed.ok) throw new ApiError(parsed.error.code, parsed.error.message);
  return parsed.value;
}

export function createAdminApi(deps: AdminApiDeps): AdminApi {
  const { server, store } = deps;
  const now = deps.now ?? Date.now;
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>(eventNames.map((name) => [name, new Set()]));
  const emit = <E extends EventName>(event: E, payload: EventPayloads[E]) => {
    for (const listener of listeners.get(event)!) listener(payload);
  };

  const unsubscribe = [
    server.onStatus((status) => {
      forgetReplacementWhenDone(store, status);
      emit('status', status);
    }),
    server.onLog((entry) => emit('log', toLogLine(entry))),
  ];

  const trust = () => {
    const keys = new TrustStore();
    for (const key of store.trustedKeys.list()) keys.add(key.vendor, key.publicKey);
    return keys;
  };

  const trustedKeys = (): TrustedKey[] =>
    store.trustedKeys.list().map((k) => ({ vendor: k.vendor, publicKey: k.publicKey, addedAt: k.addedAt, fingerprint: keyFingerprint(k.publicKey) }));

  const clientConfig = (): ClientConfig => ({ useLicenseServer: store.searchList.useLicenseServer(), entries: store.searchList.list() });

  /**
   * Every change to the client list is announced, so a second window stays in step, and on
   * Windows written where FlexLM tools read it (a failure there is shown, the list is kept).
   */
  const changedClientConfig = async (): Promise<ClientConfig> => {
    const config = clientConfig();
    if (deps.registry) {
      try {
        config.registry = { where: await deps.registry.write(config), problem: null };
      } catch (error) {
        config.registry = {
          where: null,
          problem: `The list is saved, but FlexLM tools will not see it: writing the FLEXlm License Manager registry key failed ` +
            `(${error instanceof Error ? error.message : String(error)}).`,
        };
      }
    }
    emit('clientConfig', config);
    return config;
  };

  const rereadIfRunning = async (caller: AdminCaller) => {
    if (server.status().role !== 'stopped') await server.reread(caller);
  };

  /** Imports and trusted-key changes go to the audit table like the admin commands. */
  const audit = (caller: AdminCaller, action: string, detail: string) =>
    store.audit.append({ timeMs: now(), who: caller.who, fromAddress: caller.from, action, detail });

  const licenses = createLicenseHandlers({
    server,
    store,
    location: deps.licensePath,
    identity: deps.identity ?? {},
    now,
    trust,
    audit,
    changed: (current) => emit('license', current),
    fail: (code, message) => new ApiError(code, message),
  });

  /** The master's lines a filter selects, a frame-sized page at a time over the peer link (the master filters). */
  const masterLogRange = async (filter: Pick<MasterLogQuery, 'sinceMs' | 'untilMs' | 'daemon' | 'text'>): Promise<DebugLogEntry[]> => {
    const entries: DebugLogEntry[] = [];
    for (let afterId: number | undefined; ; ) {
      const page = await server.masterLog({ ...filter, afterId, limit: pageRows });
      entries.push(...page.lines);
      if (page.complete && page.lines.length < pageRows) return entries;
      if (page.lines.length === 0) throw new ApiError('not-running', "The master's debug log has a line too long to send; export it on the master.");
      afterId = page.lines[page.lines.length - 1]!.id;
    }
  };

  /** The master's newest lines: over the peer link on a standby (only the master writes the log), else this store's. */
  const recentMasterLog = async (status: ServerStatus): Promise<{ lines: DebugLogLine[]; from: string }> => {
    const query = { limit: DIAGNOSTICS_LOG_LINES, newest: true };
    const local = (from: string) => ({ lines: store.debugLog.query(query).map(toLogLine), from });
    if (status.role !== 'standby' || !status.master) return local(status.role === 'no-quorum' ? `${status.host} (no master now)` : status.host);
    try {
      // one page over the peer link: the newest lines that fit a frame
      return { lines: (await server.masterLog(query)).lines.map(toLogLine), from: `the master, ${status.master}` };
    } catch (error) {
      return local(`${status.host}, a standby (the master's log could not be read: ${error instanceof Error ? error.message : String(error)})`);
    }
  };
  /** While the server is stopped the stored picture is shown: nothing rotates, no disk is measured. */
  const logs = () => server.logs() ?? logsOverview(store, store.dataDir, null);

  const handlers: Handlers = {
    'status.get': () => server.status(),
    'status.lmstat': async () => ({ text: await lmstatOf(server.status(), deps.verifyTimeoutMs ?? 3_000, now()) }),
    'server.start': async () => {
      if (!store.licenseFiles.current())
        throw new ApiError('not-running', 'There is no license file to serve. Import one on the License files screen, then start the server.');
      await server.start();
      return server.status();
    },
    'server.stop': async () => {
      await server.stop();
      return server.status();
    },
    'server.lmdown': async (_, caller) => {
      await server.lmdown(caller);
      return server.status();
    },
    'server.reread': async (_, caller) => {
      if (server.status().role === 'stopped') throw new ApiError('not-running', 'The license server is stopped: Start it instead of rereading.');
      await server.reread(caller);
      return server.status();
    },
    'server.removeUser': async (who, caller) => {
      await server.removeUser(who, caller);
      return server.status();
    },
    ...licenses,
    'keys.list': () => trustedKeys(),
    'keys.add': async ({ vendor, publicKey }, caller) => {
      if (!VENDOR_NAME.test(vendor)) throw new ApiError('bad-request', `"${vendor}" is not a vendor name: use letters, digits, _ . - (as on the VENDOR line).`);
      const parsed = parseVendorKeyFile(/^\s*Vendor:/im.test(publicKey) ? publicKey : `Vendor: ${vendor}\n${publicKey}`);
      if (!parsed.ok) throw new ApiError('bad-request', `The public key cannot be used: ${parsed.message}. Hint: ${parsed.hint}.`);
      if (parsed.kind !== 'public')
        throw new ApiError('bad-request', 'That is a private key (NAME.key). Trust the public key (NAME.pub) instead, and keep the private key secret.');
      if (parsed.vendor !== vendor) {
        throw new ApiError(
          'bad-request',
          `The key file is for vendor ${parsed.vendor}, not ${vendor}. Enter ${parsed.vendor} as the vendor, or choose ${vendor}'s key.`,
        );
      }
      // the same key twice would be listed twice and need two removals to distrust
      if (trustedKeys().some((k) => k.vendor === vendor && k.fingerprint === keyFingerprint(parsed.pem))) return trustedKeys();
      store.trustedKeys.add({ vendor, publicKey: parsed.pem, addedAt: now() });
      audit(caller, 'trust key', `${vendor} ${keyFingerprint(parsed.pem)}`);
      await rereadIfRunning(caller);
      return trustedKeys();
    },
    'keys.remove': async ({ vendor, fingerprint }, caller) => {
      const key = trustedKeys().find((k) => k.vendor === vendor && k.fingerprint === fingerprint);
      if (!key) throw new ApiError('not-found', `No trusted key ${fingerprint} for vendor ${vendor}.`);
      store.trustedKeys.remove(vendor, key.publicKey);
      audit(caller, 'distrust key', `${vendor} ${fingerprint}`);
      await rereadIfRunning(caller);
      return trustedKeys();
    },
    'log.query': async ({ source, daemon, text, sinceMs, untilMs, afterId, limit }) => {
      // The screen shows the newest `limit` lines (after `afterId` when tailing).
      const query = { daemon, text, sinceMs, untilMs, afterId, limit: limit ?? 1000, newest: true };
      const entries = source === 'master' ? (await server.masterLog(query)).lines : store.debugLog.query(query);
      const status = server.status();
      // lmgrd and the vendor daemons write the log; the filter offers those plus any seen.
      const daemons = new Set(['lmgrd', ...status.vendors.map((v) => v.name), ...entries.map((e) => e.daemon)]);
      return {
        lines: entries.map(toLogLine),
        daemons: [...daemons].sort(),
        masterKeepsLog: source !== 'master' && status.role === 'standby' && status.master ? { master: status.master } : null,
      };
    },
    'log.export': async ({ source, sinceMs, untilMs, daemon, text }) => {
      const filter = { sinceMs, untilMs, daemon, text };
      const entries =
        source === 'master' ? await masterLogRange(filter) : [...walkLog((after) => store.debugLog.query({ ...filter, afterId: after, limit: pageRows }))];
      return {
        fileName: `triad-debug-${fileStamp(sinceMs ?? entries[0]?.timeMs ?? now())}.log`,
        text: formatDebugLogText(entries.map(toLogLine)),
        lineCount: entries.length,
      };
    },
    'usage.get': ({ sinceMs, untilMs, points }) => {
      const rows = [...walkLog((after) => store.reportLog.query({ untilMs: untilMs + 1, afterId: after, limit: pageRows }))];
      const issued = new Map(server.status().features.map((f) => [f.name, f.issued]));
      // rows rotated out of the report log: the replay starts from the seats they left out
      const rotated = store.retention.state('report');
      return buildUsageReport(
        rows.map(usageEventOf),
        { sinceMs, untilMs, points: points ?? 120 },
        issued,
        { seatsOut: new Map(Object.entries(rotated.carriedSeats)), leasesOut: rotated.carriedLeases, rotatedThroughMs: rotated.rotatedThroughMs },
      );
    },
    'diag.collect': async (_, caller) => {
      const status = server.status();
      const archive = await collectDiagnostics({
        store,
        status,
        licenseLocation: deps.licensePath,
        debugLog: await recentMasterLog(status),
        settings: {
          dataFolder: store.dataDir,
          licenseLocation: deps.licensePath,
          identity: deps.identity ?? {},
          address: `${status.port}@${status.host}`,
          mode: status.mode,
          role: status.role,
        },
        nowMs: now(),
        timeoutMs: deps.verifyTimeoutMs ?? 3_000,
      });
      const folder = join(store.dataDir, 'diagnostics');
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const file = join(folder, archive.fileName);
      // user and host names, like the database: for the server's OS user only
      writeFileSync(file, archive.bytes, { mode: 0o600 });
      // user and host names and the license files leave the server in it: an export worth a row
      audit(caller, 'collect diagnostics', file);
      return {
        fileName: archive.fileName,
        path: file,
        bytes: archive.bytes.length,
        base64: Buffer.from(archive.bytes).toString('base64'),
        entries: archive.entries,
      };
    },
    'logs.get': () => logs(),
    'logs.configure': async (patch, caller) => {
      const merged = applyRetentionPatch(store.retention.settings(), patch);
      if (!merged.ok) throw new ApiError('bad-request', `The settings were not saved: ${merged.error}`);
      store.retention.saveSettings(merged.value);
      audit(caller, 'log retention', describeRetention(merged.value, resolveArchiveFolder(store.dataDir, merged.value)));
      server.retentionChanged();
      return logs();
    },
    'logs.rotate': async ({ log }, caller) => {
      if (server.status().role === 'stopped') {
        throw new ApiError('not-running', 'The license server is stopped: start it to rotate its logs (the rows stay in the database meanwhile).');
      }
      const message = await server.rotateLog(log, caller);
      return { message, overview: await logs() };
    },
    'client.get': () => clientConfig(),
    'client.setUse': ({ use }) => {
      store.searchList.setUseLicenseServer(use);
      return changedClientConfig();
    },
    'client.add': ({ name, type, hosts }) => {
      const added = store.searchList.add({ name: name || defaultEntryName(type, hosts), type, hosts });
      if (!added.ok) throw new ApiError('bad-request', added.error);
      return changedClientConfig();
    },
    'client.update': ({ id, name, hosts }) => {
      const updated = store.searchList.update(id, { ...(name ? { name } : {}), ...(hosts ? { hosts } : {}) });
      if (!updated.ok) throw new ApiError(store.searchList.list().some((e) => e.id === id) ? 'bad-request' : 'not-found', updated.error);
      return changedClientConfig();
    },
    'client.remove': ({ id }) => {
      if (!store.searchList.remove(id)) throw entryNotFound(id);
      return changedClientConfig();
    },
    'client.move': ({ id, delta }) => {
      if (!store.searchList.move(id, delta)) throw entryNotFound(id);
      return changedClientConfig();
    },
    'client.import': ({ value }) => {
      const imported = importLicensePath(value, currentPlatform());
      if (imported.skipped.length > 0) {
        throw new ApiError('bad-request', `Nothing was imported: ${imported.skipped.join('; ')}. Fix the value and import again.`);
      }
      const replaced = store.searchList.replaceAll(imported.entries);
      if (!replaced.ok) throw new ApiError('bad-request', `Nothing was imported: ${replaced.error}`);
      return changedClientConfig();
    },
    'client.export': ({ platform }) => {
      const formatted = exportLicensePath(store.searchList.list(), platform);
      if (!formatted.ok) throw new ApiError('bad-request', formatted.error);
      return { value: formatted.text };
    },
    'client.verify': async ({ ids }) => {
      const entries = store.searchList.list().filter((e) => !ids || ids.includes(e.id));
      return Promise.all(entries.map((entry) => verifyEntry(entry, deps.verifyTimeoutMs ?? 3_000)));
    },
  };

  async function invokeAs<M extends MethodName>(caller: AdminCaller, method: M, raw: MethodArgs<M>): Promise<Result<MethodResult<M>>> {
    try {
      if (!Object.hasOwn(handlers, method)) throw new ApiError('unknown-method', `There is no method "${String(method)}".`);
      const handler = handlers[method] as (args: unknown, caller: AdminCaller) => Promise<MethodResult<M>> | MethodResult<M>;
      return { ok: true, value: await handler(parseArgs(method, raw), caller) };
    } catch (error) {
      return { ok: false, error: toContractError(error) };
    }
  }

  return {
    invoke: (method, raw) => invokeAs(thisMachineApp, method, raw),
    invokeAs,
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      const set = listeners.get(event);
      if (!set) return () => false;
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    close() {
      for (const off of unsubscribe) off();
      for (const set of listeners.values()) set.clear();
    },
  };
}

function toLogLine(entry: DebugLogEntry): DebugLogLine {
  return { id: entry.id, time: entry.timeMs, daemon: entry.daemon, message: entry.message };
}

function toContractError(error: unknown): ContractError {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `The server could not do that: ${message}` };
}

function entryNotFound(id: number): ApiError {
  return new ApiError('not-found', `Search-order entry ${id} no longer exists; the list was changed elsewhere. Reload the screen.`);
}

function defaultEntryName(type: 'single' | 'redundant', hosts: { host: string }[]): string {
  return type === 'single' ? hosts[0]!.host : `${hosts[0]!.host} (redundant)`;
}

function fileStamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}`;
}

/**
 * What `triad lmstat -a -c <this server>` prints: every member asked over the license port, so
 * the text is the one a script or lmtools' Status Enquiry gets, not a rendering of our snapshot.
 */
async function lmstatOf(status: ServerStatus, timeoutMs: number, nowMs: number): Promise<string> {
  const report = await askMembers(status, timeoutMs, 'triad lmstat (admin UI)');
  return (
    formatLmstatFailure([report], { nowMs, timeZone: localTimeZone() }) ?? formatLmstatText([report], { usage: 'all' }, { nowMs, timeZone: localTimeZone() })
  );
}

/** The license file an import in place of all others writes, in a data directory's license folder. */
export function licenseFileIn(dataDir: string): string {
  return join(licenseFolderIn(dataDir), MAIN_LICENSE_FILE);
}
