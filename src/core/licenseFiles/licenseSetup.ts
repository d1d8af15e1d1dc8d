import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  attributeDateMs,
  commonAttributes,
  formatDiagnostic,
  formatExpiry,
  type Diagnostic,
  hasErrors,
  hostIdMatches,
  localHostIds,
  parseLicenseFile,
  serverRanks,
  validateLicenseFile,
  signedLines,
  verifyFeatures,
  type FeatureLine,
  type LicenseFile,
  type ServerLine,
  type SignedLine,
  type TrustSeams,
  type TrustStore,
  type UpgradeLine,
} from '../license';
import type { SignatureState } from '../../shared/contract';
import type { Options, OptionsDiagnostic } from '../options';
import { readVendorOptions } from './vendorOptions';
import { expandPackages } from './licensePackages';
import { applyUpgrades } from './licenseUpgrades';
import { licenseFilesAt, mergeLicenseSet, type LicenseSetPart } from './licenseSet';
import type { PoolLine } from '../pool';
import type { Store } from '../store';
import { threadedVerifier } from './signatureThreads';
import type { MemberRank } from '../../shared/status';

/**
 * Reading what a server serves: the license file, which SERVER line is this machine, every
 * feature line mapped to a pool line (marked not served when its signature does not verify or
 * it is bound to another host id), and each vendor's options file. Used at start and on lmreread.
 */

export class SetupError extends Error {}

/** Verified signatures the store keeps at most (the oldest go): ten files of 5,000 lines. */
const VERIFIED_SIGNATURES_KEPT = 50_000;

/**
 * How a server's TrustStore verifies: checks that passed are kept in the store, so a restart or
 * reread of unchanged lines verifies nothing again; a cold batch is spread over the cores.
 */
export function serverTrustSeams(store: Store, now: () => number): TrustSeams {
  return {
    // only a speed-up: a store that cannot answer (disk full, closed) means the check is verified
    // here, never that a load fails
    cache: {
      passed: (keys) => attempt(() => store.verifiedSignatures.known(keys), new Set<string>()),
      add: (keys) =>
        attempt(() => {
          store.verifiedSignatures.record(keys, now());
          store.verifiedSignatures.trimTo(VERIFIED_SIGNATURES_KEPT);
        }, undefined),
    },
    verifier: threadedVerifier(),
  };
}

export interface SelfIdentity {
  /** `--as`: which SERVER line is this machine (host name as written on the line). */
  as?: string;
  /** `--hostid`: overrides the detected host ids (tests run several servers on one machine). */
  hostid?: string;
}

export interface LicenseSetup {
  /** The license file, or all of them merged when `licensePath` is a folder. */
  file: LicenseFile;
  licensePath: string;
  /** The license files served, in order (lmstat's `License file(s) on host:`). */
  files: string[];
  self: ServerLine | null;
  rank: MemberRank;
  poolLines: PoolLine[];
  /** Options per vendor; null when the vendor has no options file. */
  options: Map<string, Options | null>;
  /** Per vendor: lines of its options file that were ignored or need a look, or its named options file missing. */
  optionsProblems: Map<string, OptionsDiagnostic[]>;
  /** Lines for the debug log: warnings and why lines are not served. */
  notes: string[];
}

/**
 * Throws SetupError with a message a person can act on (file, line, what to change).
 * `licensePath` is a license file, or a folder whose `*.lic` files are served together.
 */
export function loadLicenseSetup(licensePath: string, identity: SelfIdentity, trust: TrustStore, nowMs: number): LicenseSetup {
  const parts: LicenseSetPart[] = [];
  const diagnostics: Diagnostic[] = [];
  let paths: string[];
  try {
    paths = licenseFilesAt(licensePath);
  } catch (error) {
    throw new SetupError(`cannot read license file ${licensePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (paths.length === 0) throw new SetupError(`${licensePath}: no license files (*.lic) in this folder; import one`);
  for (const filePath of paths) {
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch (error) {
      throw new SetupError(`cannot read license file ${filePath}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = parseLicenseFile(text, filePath);
    diagnostics.push(...(parsed.file ? [...parsed.diagnostics, ...validateLicenseFile(parsed.file, { nowMs })] : parsed.diagnostics));
    if (parsed.file) parts.push({ path: filePath, file: parsed.file });
  }
  const merged = parts.length === paths.length ? mergeLicenseSet(licensePath, parts) : null;
  if (merged) diagnostics.push(...merged.problems);
  if (!merged || hasErrors(diagnostics)) {
    throw new SetupError(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n') || `${licensePath}: not a license file`);
  }
  const file = merged.file;
  const fileOf = (line: FeatureLine | UpgradeLine) => merged.fileOf.get(line) ?? paths[0]!;
  const notes = diagnostics.map(formatDiagnostic);
  const { self, rank } = chooseSelf(file, identity);
  const localIds = identity.hostid ? [identity.hostid] : localHostIds();
  // an override (tests, several "machines" on one host) is said in the log at every start
  if (identity.hostid) notes.push(`host id ${identity.hostid} given with --hostid stands in for this machine's (${localHostIds().join(', ')})`);
  // the SERVER line binds the whole file to this machine, as each HOSTID= binds one line
  const serverProblem =
    self && !hostIdMatches(self.hostid, localIds)
      ? `the SERVER line for ${self.host} is bound to hostid ${self.hostid}, which is not this machine (${localIds.join(', ')}); ` +
        'the license can only be served there'
      : null;
  if (serverProblem) notes.push(serverProblem);
  // every signature in one batch: a cold load spreads it over threads, a warm one reads the cache
  const lines = signedLines(file);
  const states = verifyFeatures(file, lines, trust);
  const signatures = new Map<SignedLine, SignatureState>(lines.map((line, i) => [line, states[i]!]));
  const signatureOf = (line: SignedLine) => signatures.get(line)!;
  const allLines = file.features.map((line) => toPoolLine(line, signatureOf(line), localIds, serverProblem, fileOf(line)));
  const superseded = supersededLines(file.features, allLines);
  for (const [line, by] of superseded) {
    const where = fileOf(by) === fileOf(line) ? 'line ' : `${path.basename(fileOf(by))}:`;
    notes.push(
      `"${line.name}" (${path.basename(fileOf(line))}:${line.line}) is superseded by ${where}${by.line} (SUPERSEDE, ISSUED=${commonAttributes(by).issued})`,
    );
  }
  const served = file.features.flatMap((feature, i) => (superseded.has(feature) ? [] : [{ feature, pool: allLines[i]! }]));
  const upgrades = file.upgrades.map((upgrade) => ({ upgrade, pool: toPoolLine(upgrade, signatureOf(upgrade), localIds, serverProblem, fileOf(upgrade)) }));
  const upgraded = applyUpgrades(upgrades, served, path.basename(licensePath));
  const packages = expandPackages(file, upgraded.served, signatureOf, path.basename(licensePath));
  notes.push(...upgraded.notes, ...packages.notes);
  const poolLines = [...packages.poolLines, ...upgraded.poolLines];
  for (const line of poolLines) {
    if (line.notServed && line.notServed.detail !== serverProblem) notes.push(`"${line.name}" (${line.source}) is not served: ${line.notServed.detail}`);
  }
  const options = new Map<string, Options | null>();
  const optionsProblems = new Map<string, OptionsDiagnostic[]>();
  for (const vendor of file.vendors) {
    const read = readVendorOptions(paths[0]!, vendor);
    options.set(vendor.name, read.options);
    optionsProblems.set(vendor.name, read.problems);
  }
  return { file, licensePath, files: paths, self, rank, poolLines, options, optionsProblems, notes };
}

function attempt<T>(action: () => T, otherwise: T): T {
  try {
    return action();
  } catch {
    return otherwise;
  }
}

const endUserAttributes = new Set(['dist_info', 'user_info', 'asset_info', 'vendor_info']);

/**
 * SUPERSEDE (reference 1.5): a served line with `SUPERSEDE[="f1 f2"]` and ISSUED= replaces the
 * lines of its vendor for its own name (or the names listed) that were issued before it, or carry
 * no ISSUED date. A line the server cannot serve (edited, unsigned) supersedes nothing.
 */
function supersededLines(lines: readonly FeatureLine[], poolLines: readonly PoolLine[]): Map<FeatureLine, FeatureLine> {
  const issuedMs = (line: FeatureLine) => attributeDateMs(commonAttributes(line).issued);
  const superseded = new Map<FeatureLine, FeatureLine>();
  lines.forEach((by, i) => {
    const names = commonAttributes(by).supersede;
    const issued = issuedMs(by);
    if (names === null || issued === null || poolLines[i]!.notServed) return;
    const replaces = names.length > 0 ? names : [by.name];
    for (const line of lines) {
      if (line === by || line.vendor !== by.vendor || !replaces.includes(line.name)) continue;
      const lineIssued = issuedMs(line);
      if (lineIssued === null || lineIssued < issued) superseded.set(line, by);
    }
  });
  return superseded;
}

/** `--as`, else the SERVER line naming this host (name or local address), else the only line. */
export function chooseSelf(file: LicenseFile, identity: SelfIdentity): { self: ServerLine | null; rank: MemberRank } {
  const ranks = serverRanks(file);
  if (ranks.length === 0) return { self: null, rank: 'single' };
  if (identity.as !== undefined) {
    const found = ranks.find(({ server }) => server.host.toLowerCase() === identity.as!.toLowerCase());
    if (!found) {
      const hosts = ranks.map(({ server }) => server.host).join(', ');
      throw new SetupError(`--as ${identity.as}: no SERVER line names that host (the file lists ${hosts}); pass one of them`);
    }
    return { self: found.server, rank: found.rank };
  }
  const names = new Set([os.hostname().toLowerCase(), 'localhost']);
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  const found = ranks.find(({ server }) => names.has(server.host.toLowerCase())) ?? (ranks.length === 1 ? ranks[0] : undefined);
  if (!found) {
    const hosts = ranks.map(({ server }) => server.host).join(', ');
    throw new SetupError(`none of the SERVER lines (${hosts}) names this machine (${os.hostname()}); pass --as HOST to say which one it is`);
  }
  return { self: found.server, rank: found.rank };
}

/** A FEATURE/INCREMENT line, or an UPGRADE line (which adds seats like an INCREMENT), as a pool line. */
function toPoolLine(
  line: FeatureLine | UpgradeLine,
  signature: SignatureState,
  localIds: string[],
  serverProblem: string | null,
  licensePath: string,
): PoolLine {
  const common = commonAttributes(line);
  const source = `${path.basename(licensePath)}:${line.line}`;
  const attrs: Record<string, string> = {};
  // what an options-file qualifier can name: the publisher's attributes, the end-user ones
  // (reference 5.1) and the expiry date
  for (const a of line.attributes) if (a.key === a.key.toUpperCase() || endUserAttributes.has(a.key.toLowerCase())) attrs[a.key] = a.value ?? '';
  attrs.EXPDATE = formatExpiry(line.expiry);
  // SIGN= too: the pools count a pasted copy of a signed line once, and a qualifier may name it
  if (line.sign !== null) attrs.SIGN = line.sign.trim().replace(/\s+/g, ' ');
  const startMs = attributeDateMs(common.start);
  return {
    keyword: line.kind === 'feature' ? line.keyword : 'INCREMENT',
    name: line.name,
    vendor: line.vendor,
    version: line.version,
    count: line.count === 0 ? 'uncounted' : line.count,
    // the pool module reads "permanent" from the key's presence, so dated expiries carry no such key
    expiry: line.expiry.permanent ? { permanent: true } : { year: line.expiry.year, month: line.expiry.month, day: line.expiry.day },
    startMs,
    vendorString: common.vendorString,
    userBased: common.userBased !== null,
    linger: common.lingerSeconds,
    dupGroup: common.dupGroup,
    hostid: common.hostId,
    attrs,
    notServed: servingProblem(line, signature, localIds, common.hostId) ?? (serverProblem ? { code: 'WRONG_HOSTID', detail: serverProblem } : null),
    source,
  };
}

function servingProblem(
  line: FeatureLine | UpgradeLine,
  signature: SignatureState,
  localIds: string[],
  hostId: string | null,
): PoolLine['notServed'] {
  if (signature === 'invalid') {
    return { code: 'BAD_SIGNATURE', detail: `its SIGN= does not verify against the trusted ${line.vendor} keys` };
  }
  if (signature === 'unverified') {
    return {
      code: 'BAD_SIGNATURE',
      detail: `vendor key not trusted: no trusted public key for vendor ${line.vendor}; trust its key (${line.vendor}.pub) under Trusted vendor keys ` +
        `on the License files screen, or start the server with --trust ${line.vendor}.pub`,
    };
  }
  if (hostId !== null && !hostIdMatches(hostId, localIds)) {
    return { code: 'WRONG_HOSTID', detail: `it is bound to HOSTID=${hostId}, which is not this machine` };
  }
  return null;
}
