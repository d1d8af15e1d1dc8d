/**
 * The one contract between the admin UI and the backend: every method the UI may call (name ->
 * argument schema -> result type), every event it may hear, and the one result envelope.
 * The backend implements it once (src/core/adminApi.ts); Electron IPC (src/main) and the headless
 * HTTP host (src/host) carry it unchanged; the renderer reaches it only through a Transport.
 * Argument schemas are zod so every transport validates untrusted input the same way.
 */
import { z } from 'zod';
import type { MemberRank, ServerStatus } from './status';
import { printable } from './controlChars';
import { retentionPatchSchema, type LogsOverview } from './logRetention';
import type { PendingReplacement, ReplacementStep, TriadMachine } from './triadReplacement';

// ---------------------------------------------------------------- envelope

export type ErrorCode =
  | 'bad-request' // arguments failed validation
  | 'unknown-method'
  | 'not-found' // the entry, key or user does not exist
  | 'invalid-license' // import refused: the file has errors
  | 'not-running' // the local server is stopped
  | 'unreachable' // a remote server did not answer
  | 'unsupported' // the backend cannot do this yet (e.g. fetching the master's log)
  | 'unauthorized' // the headless host's API without the admin token (sign in first)
  | 'internal';

export interface ContractError {
  code: ErrorCode;
  /** What is wrong, where, and how to fix it: shown to the person as is. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

// ---------------------------------------------------------------- DTOs

export interface LicenseDiagnostic {
  severity: 'error' | 'warning';
  line: number;
  column: number;
  message: string;
  hint: string | null;
}

export type SignatureState = 'valid' | 'invalid' | 'unverified';

/** The same report `triad check --json` prints, plus the file name it was made for. */
export interface LicenseCheckReport {
  fileName: string;
  servers: { host: string; hostid: string; port: number | null; role: MemberRank }[];
  vendors: { name: string; port: number | null; options: string | null }[];
  features: {
    name: string;
    vendor: string;
    version: string;
    expiry: string;
    count: number | 'uncounted';
    signature: SignatureState;
    line: number;
  }[];
  /** UPGRADE lines: move up to `count` licenses of a version >= fromVersion (and < version) to `version`. */
  upgrades: {
    name: string;
    vendor: string;
    fromVersion: string;
    version: string;
    expiry: string;
    count: number | 'uncounted';
    signature: SignatureState;
    line: number;
  }[];
  /** PACKAGE lines: what an enabling FEATURE/INCREMENT of the package's name serves. */
  packages: {
    name: string;
    vendor: string;
    version: string | null;
    /** `feature[:version[:count]]` as written. */
    components: string[];
    signature: SignatureState;
    line: number;
  }[];
  errors: LicenseDiagnostic[];
  warnings: LicenseDiagnostic[];
  /**
   * Set when the file's SERVER lines name other machines than this server's triad was formed
   * with (one of the errors says so): what differs, for the screen to offer the migration.
   */
  membership?: TriadMembership | null;
}

export interface LicenseImportResult {
  /** False when the file had errors: the current license was kept. */
  imported: boolean;
  /** The name the file has in the license folder (`license.lic` when it replaced the others). */
  savedAs?: string;
  /** True when all three redundant servers switched to it (asked for with `distribute`). */
  distributed: boolean;
  report: LicenseCheckReport;
  /** What the server does with the imported file now, in words (null when not imported). */
  outcome: ImportOutcome | null;
}

export interface ImportOutcome {
  /**
   * `served`: this server serves features of it; `standby`: a triad member whose master serves
   * it; `waiting-for-peers`: a triad member without a quorum yet; `catching-up`: a triad member
   * that joined as a learner and does not vote yet; `nothing-served`: imported, but
   * no feature of it is served (the message says why).
   */
  state: 'served' | 'standby' | 'waiting-for-peers' | 'catching-up' | 'nothing-served';
  message: string;
}

/** One SERVER line of a triad license file beside the member this server's triad recorded at its place. */
export interface TriadMemberLine {
  /** 1-3, in file order. */
  position: number;
  rank: MemberRank;
  now: TriadMachine;
  /** The machine the triad was formed with at this place; null when this server never ran as a triad member. */
  recorded: TriadMachine | null;
  changed: boolean;
}

/**
 * A triad license file's SERVER lines against the members this server's triad was formed with
 * (members are machines, recorded at the first start). `replace-one`: one line names a new
 * machine in place of a member, which "Replace a server" serves; `other`: the lines are
 * reordered or name more than one new machine, which only `triad quorum-reset` on all three
 * serves; `unformed`: nothing recorded yet (the first start records the file's).
 */
export interface TriadMembership {
  /** The license file(s) compared. */
  fileName: string;
  change: 'unformed' | 'same' | 'replace-one' | 'other';
  lines: TriadMemberLine[];
  /** What differs and what serves the file, in words. */
  summary: string;
}

/** What "Replace a server" did here, what the server does now that it started again, and what is left to do on the other two. */
export interface ReplaceServerResult {
  message: string;
  outcome: ImportOutcome;
  status: ServerStatus;
  replacement: PendingReplacement;
  steps: ReplacementStep[];
}

export interface CurrentLicense {
  path: string;
  text: string;
  hash: string;
  importedAt: number;
}

/** One license file the server serves, with what `triad check` says of it among the others. */
export interface LicenseFileInfo {
  fileName: string;
  path: string;
  text: string;
  hash: string;
  modifiedAt: number;
  report: LicenseCheckReport;
}

/** Every license file served together (lmgrd serves every `*.lic` of its license folder). */
export interface LicenseSet {
  /** The folder (or the one file) the server reads. */
  location: string;
  files: LicenseFileInfo[];
}

/** The archive "Collect diagnostics" wrote. */
export interface DiagnosticsResult {
  fileName: string;
  /** Where it was saved on the server machine. */
  path: string;
  bytes: number;
  /** The archive itself, base64, so a browser on another machine can save a copy. */
  base64: string;
  /** What is inside, for the screen to list. */
  entries: string[];
}

export interface TrustedKey {
  vendor: string;
  publicKey: string;
  /** Short sha256 of the key, so two keys of one vendor can be told apart. */
  fingerprint: string;
  addedAt: number;
}

export interface DebugLogLine {
  id: number;
  /** Epoch milliseconds. */
  time: number;
  daemon: string;
  message: string;
}

export interface DebugLogPage {
  lines: DebugLogLine[];
  /** Daemons present in the log, for the filter. */
  daemons: string[];
  /** Set on a standby: only the master writes the debug log (DESIGN.md section 5). */
  masterKeepsLog: { master: string } | null;
}

export interface DebugLogExport {
  fileName: string;
  /** FlexLM debug-log lines `H:MM:SS (daemon) message`, with TIMESTAMP lines at day changes. */
  text: string;
  lineCount: number;
}

export interface UsagePoint {
  time: number;
  /** The most seats in use per feature since the previous point (at the first point: at `time`). */
  inUse: Record<string, number>;
}

export interface UsagePeak {
  feature: string;
  peak: number;
  at: number;
  issued: number | null;
}

export interface UsageDenial {
  time: number;
  feature: string;
  user: string;
  host: string;
  reason: string;
}

/** One user's use of one feature over the range. */
export interface UsageByUser {
  user: string;
  feature: string;
  /** Checkouts granted in the range. */
  checkouts: number;
  /** Seat-milliseconds held inside the range (two seats for an hour: two hours). */
  heldMs: number;
  denials: number;
  /** Last time the user held a seat of it in the range; null when only denied. */
  lastUsed: number | null;
}

export interface UsageReport {
  sinceMs: number;
  untilMs: number;
  /** Activity up to this time was rotated out of the report log (to archive files); null or absent when none was. */
  keptSinceMs?: number | null;
  features: string[];
  points: UsagePoint[];
  peaks: UsagePeak[];
  denials: UsageDenial[];
  /** Per user and feature, for the usage-by-user report. */
  users?: UsageByUser[];
}

export type ClientEntryType = 'single' | 'redundant';

export interface ClientHost {
  host: string;
  /** Null (single entries only): `@host`, the client probes ports 27000-27009. */
  port: number | null;
}

export interface ClientEntry {
  id: number;
  name: string;
  type: ClientEntryType;
  /** One host for single, primary/secondary/tertiary for redundant. */
  hosts: ClientHost[];
}

export interface ClientConfig {
  useLicenseServer: boolean;
  entries: ClientEntry[];
  /**
   * Windows: where the list is also kept for FlexLM tools (the `FLEXlm License Manager` registry
   * key), or why writing it there failed; absent elsewhere.
   */
  registry?: { where: string | null; problem: string | null };
}

/** One server of a Verify entry, as this machine reached it. */
export interface VerifyMember {
  host: string;
  port: number;
  /** It answered a status query. */
  up: boolean;
  master: boolean;
  /** Connect plus status query as this machine measured it; null when it did not answer. */
  roundTripMs: number | null;
  /** Why it did not answer, or why it serves nothing although it answers. */
  problem: string | null;
}

export interface VerifyResult {
  entryId: number;
  reachable: boolean;
  /** Why the entry did not answer, in words. */
  problem: string | null;
  /** Host of the master that answered (for a triad, whichever member is master). */
  master: string | null;
  features: { name: string; version: string; issued: number | null; inUse: number }[];
  /** Each server asked: a redundant entry's three members, or the one that answered. */
  members?: VerifyMember[];
}

// ---------------------------------------------------------------- argument schemas

const empty = z.object({}).strict();
const port = z.number().int().min(1).max(65535);
const hostName = z.string().trim().min(1, 'A host name is required.').max(255);
const clientHosts = z.union([
  z.array(z.object({ host: hostName, port: port.nullable() })).length(1),
  z.array(z.object({ host: hostName, port })).length(3),
]);
const entryId = z.number().int().positive();
/** A license file the screen holds (not yet imported), as `license.import` takes it. */
const candidateLicense = z.object({ fileName: z.string().min(1).max(260), text: z.string().max(8_000_000), add: z.boolean().optional() });
const timeRange = { sinceMs: z.number().int().nonnegative().optional(), untilMs: z.number().int().nonnegative().optional() };

export const methodArgs = {
  'status.get': empty,
  /** `lmstat -a` of this server (all three members of a triad), as lmutil prints it. */
  'status.lmstat': empty,
  'server.start': empty,
  /** Stops this server only (the app keeps running). */
  'server.stop': empty,
  /** lmdown: in a triad, stops all three members. */
  'server.lmdown': empty,
  'server.reread': empty,
  'server.removeUser': z.object({
    feature: printable(z.string().min(1)),
    user: printable(z.string().min(1)),
    host: printable(z.string().min(1)),
    display: printable(z.string()),
  }),
  'license.current': empty,
  'license.list': empty,
  // add: the file joins the ones served (checked against them) instead of replacing them all
  // replace: checked as "Replace a server" would use it (another member than recorded is no error)
  'license.check': candidateLicense.extend({ replace: z.boolean().optional() }),
  // distribute: on a triad master, switch all three members to the files over the peer links
  'license.import': z.object({
    fileName: z.string().min(1).max(260),
    text: z.string().max(8_000_000),
    distribute: z.boolean().optional(),
    add: z.boolean().optional(),
  }),
  'license.remove': z.object({ fileName: z.string().min(1).max(260), distribute: z.boolean().optional() }),
  /**
   * One SERVER line of `license` (else of the files served now) names a new machine in place of a
   * member: this server stops, records it as `triad replace-server` does, serves the file and
   * starts again, keeping its seats and log.
   */
  'triad.replaceServer': z.object({ license: candidateLicense.optional() }).strict(),
  /** The last replacement done here while the other members still have steps left, else null. */
  'triad.replacement': empty,
  'keys.list': empty,
  'keys.add': z.object({ vendor: z.string().trim().min(1).max(64), publicKey: z.string().min(1).max(10_000) }),
  'keys.remove': z.object({ vendor: z.string().min(1), fingerprint: z.string().min(1) }),
  'log.query': z.object({
    ...timeRange,
    /** `master`: on a standby, fetch the master's log instead of the (empty) local one. */
    source: z.enum(['local', 'master']).optional(),
    daemon: z.string().optional(),
    text: z.string().optional(),
    afterId: z.number().int().nonnegative().optional(),
    limit: z.number().int().min(1).max(5000).optional(),
  }),
  /** The lines the screen's filters select (daemon, text, time range), whole, as a FlexLM log file. */
  'log.export': z.object({ ...timeRange, source: z.enum(['local', 'master']).optional(), daemon: z.string().optional(), text: z.string().optional() }),
  'usage.get': z.object({
    sinceMs: z.number().int().nonnegative(),
    untilMs: z.number().int().nonnegative(),
    points: z.number().int().min(2).max(2000).optional(),
  }),
  /** One zip with what support asks for: members' status, the master's log, files, versions, settings. */
  'diag.collect': empty,
  /** The debug and report logs: what is kept, the retention settings, the archives, the disk. */
  'logs.get': empty,
  /** Changes the retention settings (any subset); the running server applies them at once. */
  'logs.configure': retentionPatchSchema,
  /** lmswitch / lmswitchr: the log's rows so far go into an archive file now. */
  'logs.rotate': z.object({ log: z.enum(['debug', 'report']) }),
  'client.get': empty,
  'client.setUse': z.object({ use: z.boolean() }),
  'client.add': z.object({ name: z.string().trim().max(255).optional(), type: z.enum(['single', 'redundant']), hosts: clientHosts }),
  'client.update': z.object({ id: entryId, name: z.string().trim().max(255).optional(), hosts: clientHosts.optional() }),
  'client.remove': z.object({ id: entryId }),
  'client.move': z.object({ id: entryId, delta: z.union([z.literal(-1), z.literal(1)]) }),
  'client.import': z.object({ value: z.string().max(100_000) }),
  'client.export': z.object({ platform: z.enum(['windows', 'unix']) }),
  'client.verify': z.object({ ids: z.array(entryId).optional() }),
} as const;

export type MethodName = keyof typeof methodArgs;
export type MethodArgs<M extends MethodName> = z.input<(typeof methodArgs)[M]>;
/** Arguments after validation (defaults applied), as the backend receives them. */
export type ParsedArgs<M extends MethodName> = z.output<(typeof methodArgs)[M]>;

export interface MethodResults {
  'status.get': ServerStatus;
  'status.lmstat': { text: string };
  'server.start': ServerStatus;
  'server.stop': ServerStatus;
  'server.lmdown': ServerStatus;
  'server.reread': ServerStatus;
  'server.removeUser': ServerStatus;
  'license.current': CurrentLicense | null;
  'license.list': LicenseSet;
  'license.check': LicenseCheckReport;
  'license.import': LicenseImportResult;
  'license.remove': LicenseSet;
  'triad.replaceServer': ReplaceServerResult;
  'triad.replacement': PendingReplacement | null;
  'keys.list': TrustedKey[];
  'keys.add': TrustedKey[];
  'keys.remove': TrustedKey[];
  'log.query': DebugLogPage;
  'log.export': DebugLogExport;
  'usage.get': UsageReport;
  'diag.collect': DiagnosticsResult;
  'logs.get': LogsOverview;
  'logs.configure': LogsOverview;
  'logs.rotate': { message: string; overview: LogsOverview };
  'client.get': ClientConfig;
  'client.setUse': ClientConfig;
  'client.add': ClientConfig;
  'client.update': ClientConfig;
  'client.remove': ClientConfig;
  'client.move': ClientConfig;
  'client.import': ClientConfig;
  'client.export': { value: string };
  'client.verify': VerifyResult[];
}

export type MethodResult<M extends MethodName> = MethodResults[M];

export const methodNames = Object.keys(methodArgs) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methodArgs, name);
}

// ---------------------------------------------------------------- events

export interface EventPayloads {
  status: ServerStatus;
  log: DebugLogLine;
  clientConfig: ClientConfig;
  license: CurrentLicense | null;
}

export type EventName = keyof EventPayloads;
export const eventNames: EventName[] = ['status', 'log', 'clientConfig', 'license'];

export function isEventName(name: string): name is EventName {
  return (eventNames as string[]).includes(name);
}

// ---------------------------------------------------------------- transport

/**
 * What the renderer talks to. The backend's admin API implements it in-process; the IPC and HTTP
 * transports implement it across a boundary. `invoke` never rejects: failures are envelopes.
 */
export interface Transport {
  invoke<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** Validates raw arguments against the method's schema; the message names the bad field. */
export function parseMethodArgs<M extends MethodName>(method: M, raw: unknown): Result<ParsedArgs<M>> {
  const parsed = methodArgs[method].safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as ParsedArgs<M> };
  const issues = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'arguments'}: ${issue.message}`);
  return { ok: false, error: { code: 'bad-request', message: `Invalid arguments for ${method}: ${issues.join('; ')}` } };
}
