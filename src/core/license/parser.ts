import type { Diagnostic } from './diagnostic';
import { hasErrors } from './diagnostic';
import { parseLicenseDate, type Expiry } from './expiry';
import { hostIdProblem } from './hostId';
import { mistypedKeyword } from './keywordTypo';
import { lexLicenseText, LINE_KEYWORDS, type RawLine, type Token } from './lexer';
import {
  makeLicenseFile,
  type Attribute,
  type Count,
  type FeatureLine,
  type LicenseFile,
  type LicenseLine,
  type PackageLine,
  type ServerLine,
  type UpgradeLine,
  type VendorLine,
} from './model';
import { structuralDiagnostics } from './validate';

/** Reports a problem at a token; the parser collects them and never throws. */
type Report = (severity: Diagnostic['severity'], at: { line: number; column: number }, message: string, hint: string | null) => void;

/**
 * Parses a license file and runs every check that does not depend on the clock. The model is
 * returned even when there are errors, so tools can still show what they understood.
 */
export function parseLicenseText(text: string, fileName: string): { file: LicenseFile; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (severity, at, message, hint) =>
    diagnostics.push({ severity, file: fileName, line: at.line, column: at.column, message, hint });
  const { lines: rawLines, problems } = lexLicenseText(text);
  for (const p of problems) report('error', p, p.message, p.hint);
  const lines = rawLines.flatMap((raw) => splitRunTogether(raw, report)).map((raw) => {
    const line = parseLine(raw, report);
    return 'runOn' in raw ? { ...line, runOn: true as const } : line;
  });
  const file = makeLicenseFile(fileName, lines);
  diagnostics.push(...structuralDiagnostics(file));
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { file, diagnostics };
}

/** Like parseLicenseText, but hands out a model only when the file has no errors. */
export function parseLicenseFile(text: string, fileName: string): { file: LicenseFile | null; diagnostics: Diagnostic[] } {
  const { file, diagnostics } = parseLicenseText(text, fileName);
  return { file: hasErrors(diagnostics) ? null : file, diagnostics };
}

type Statement = RawLine & { kind: 'statement' };

/**
 * A line keyword in the middle of a line (`... SIGN="..." INCREMENT b ...`) is two lines run
 * together by a bad paste: an error there, and both lines read, so the report shows what the file
 * holds. Only an unquoted word in capitals counts (no feature, vendor or host is called INCREMENT).
 */
function splitRunTogether(raw: RawLine, report: Report): (RawLine & { runOn?: true })[] {
  if (raw.kind !== 'statement') return [raw];
  const starts = raw.tokens.flatMap((t, i) => (i > 0 && t.key === null && !t.quoted && LINE_KEYWORDS.includes(t.text) ? [i] : []));
  if (starts.length === 0) return [raw];
  const physical = raw.source.split('\n');
  const offset = (t: Token) => physical.slice(0, t.line - raw.line).reduce((n, l) => n + l.length + 1, 0) + t.column - 1;
  const bounds = [0, ...starts, raw.tokens.length];
  return bounds.slice(0, -1).map((from, k) => {
    const head = raw.tokens[from]!;
    const to = bounds[k + 1]!;
    if (k > 0)
      report(
        'error',
        head,
        `a second ${head.text} line starts here: two lines were run together`,
        `start a new line before "${head.text}" (a line lost its line break when it was pasted)`,
      );
    // the parts' texts add up to the line as written, so writing the file back changes nothing
    const source = raw.source.slice(k === 0 ? 0 : offset(head), to < raw.tokens.length ? offset(raw.tokens[to]!) : raw.source.length);
    const part: Statement = { kind: 'statement', line: head.line, source, tokens: raw.tokens.slice(from, to) };
    return k === 0 ? part : { ...part, runOn: true as const };
  });
}

function parseLine(raw: RawLine, report: Report): LicenseLine {
  if (raw.kind === 'blank') return { kind: 'blank', line: raw.line, source: raw.source };
  if (raw.kind === 'comment') return { kind: 'comment', line: raw.line, source: raw.source, text: raw.text };
  const [head, ...rest] = raw.tokens;
  if (!head) {
    // Only continuation backslashes: nothing to read, but the text is kept for serialize.
    return { kind: 'unknown', line: raw.line, source: raw.source, text: raw.source };
  }
  // Third-party parsers accept lowercase keywords; real lmgrd's behaviour is UNCONFIRMED.
  switch (head.text.toUpperCase()) {
    case 'SERVER':
      return parseServer(raw, head, rest, report);
    case 'VENDOR':
    case 'DAEMON':
      return parseVendor(raw, head, rest, report);
    case 'USE_SERVER':
      for (const t of rest) report('warning', t, `USE_SERVER takes no arguments; "${t.text}" is ignored`, 'remove it');
      return { kind: 'useServer', line: raw.line, source: raw.source };
    case 'FEATURE':
    case 'INCREMENT':
    case 'UPGRADE':
      return parseFeature(raw, head, rest, report);
    case 'PACKAGE':
      return parsePackage(raw, head, rest, report);
    default: {
      // a near miss of a keyword drops a line that was meant to serve: an error, not a note
      const meant = mistypedKeyword(head.text);
      report(
        meant ? 'error' : 'warning',
        head,
        meant
          ? `"${head.text}" is not a license-file keyword (${meant} mistyped?); the line is not read, so nothing on it is served`
          : `"${head.text}" is not a license-file keyword; the line is ignored`,
        meant
          ? `write ${meant}, or start the line with # to make it a comment`
          : 'start the line with SERVER, VENDOR, USE_SERVER, FEATURE, INCREMENT, UPGRADE or PACKAGE, or with # to make it a comment',
      );
      return { kind: 'unknown', line: raw.line, source: raw.source, text: raw.source };
    }
  }
}

function toAttribute(t: Token): Attribute {
  return t.key === null ? { key: t.text, value: null, quoted: t.quoted } : { key: t.key, value: t.value, quoted: t.quoted };
}

function parsePort(t: Token, text: string, min: number, report: Report): number | null {
  const at = { line: t.valueLine, column: t.valueColumn };
  if (!/^\d+$/.test(text)) {
    report('error', at, `port "${text}" is not a number`, `write a TCP port between ${min} and 65535, e.g. 27000`);
    return null;
  }
  const port = Number(text);
  if (port < min || port > 65535) {
    report('error', at, `port ${port} is outside ${min}-65535`, `choose a TCP port between ${min} and 65535, e.g. 27000`);
    return null;
  }
  return port;
}

function missingFields(head: Token, what: string, example: string, report: Report): void {
  report('error', head, `${head.text.toUpperCase()} line is missing ${what}`, `write it as: ${example}`);
}

function parseServer(raw: Statement, head: Token, rest: Token[], report: Report): ServerLine {
  const [host, hostid, ...options] = rest;
  const server: ServerLine = {
    kind: 'server',
    line: raw.line,
    source: raw.source,
    host: host?.text ?? '',
    hostid: hostid?.text ?? '',
    port: null,
    primaryIsMaster: false,
    heartbeatInterval: null,
    extras: [],
  };
  if (!host || !hostid) {
    missingFields(head, host ? 'the host id' : 'the host name and host id', 'SERVER host hostid 27000', report);
    return server;
  }
  const idProblem = hostIdProblem(hostid.text, 'server');
  if (idProblem) report('warning', hostid, idProblem.message, idProblem.hint);
  for (const t of options) {
    const key = t.key?.toUpperCase() ?? null;
    if (key === null && /^\d/.test(t.text) && server.port === null) {
      server.port = parsePort(t, t.text, 1, report);
    } else if (key === null && t.text.toUpperCase() === 'PRIMARY_IS_MASTER') {
      server.primaryIsMaster = true;
    } else if (key === 'HEARTBEAT_INTERVAL' || key === 'SERVER_TIMEOUT') {
      const value = t.value ?? '';
      if (/^\d+$/.test(value)) server.heartbeatInterval = Number(value);
      else report('error', { line: t.valueLine, column: t.valueColumn }, `${t.key} "${value}" is not a whole number of seconds`, `write e.g. ${t.key}=20`);
    } else if (key === 'PORT') {
      server.port = parsePort(t, t.value ?? '', 1, report);
    } else {
      server.extras.push(toAttribute(t));
    }
  }
  return server;
}

function parseVendor(raw: Statement, head: Token, rest: Token[], report: Report): VendorLine {
  const [name, ...options] = rest;
  const vendor: VendorLine = {
    kind: 'vendor',
    keyword: head.text.toUpperCase() === 'DAEMON' ? 'DAEMON' : 'VENDOR',
    line: raw.line,
    source: raw.source,
    name: name?.text ?? '',
    path: null,
    options: null,
    port: null,
    extras: [],
  };
  if (!name) {
    missingFields(head, 'the vendor name', 'VENDOR ibmratl', report);
    return vendor;
  }
  // Positional form: `VENDOR name [path] [options] [port]`. A bare number is taken as the port
  // (no daemon is called "27001"), so `VENDOR ibmratl 27001` means what its writer meant.
  let positional = 0;
  for (const t of options) {
    const key = t.key?.toUpperCase() ?? null;
    if (key === 'OPTIONS') vendor.options = t.value ?? '';
    // VENDOR port 0 means "any free port" (reference 1.3).
    else if (key === 'PORT') vendor.port = parsePort(t, t.value ?? '', 0, report);
    else if (key === null && /^\d+$/.test(t.text)) vendor.port = parsePort(t, t.text, 0, report);
    else if (key === null && positional === 0) {
      vendor.path = t.text;
      positional = 1;
    } else if (key === null && positional === 1) {
      vendor.options = t.text;
      positional = 2;
    } else vendor.extras.push(toAttribute(t));
  }
  return vendor;
}

const FEATURE_EXAMPLE = 'FEATURE name vendor 1.0 31-dec-2026 10 SIGN="..."';

function parseExpiry(t: Token, report: Report): Expiry {
  if (t.text.toLowerCase() === 'permanent') return { permanent: true };
  const parsed = parseLicenseDate(t.text);
  if (!parsed.ok) {
    report('error', t, `expiry date: ${parsed.message}`, `${parsed.hint}, or "permanent"`);
    return { permanent: true };
  }
  return parsed.date === 'year-zero' ? { permanent: true } : { permanent: false, ...parsed.date };
}

function parseCount(t: Token, report: Report): Count {
  if (t.text.toLowerCase() === 'uncounted') return 'uncounted';
  if (/^\d+$/.test(t.text)) return Number(t.text);
  const what = /^-\d+$/.test(t.text) ? 'is negative' : 'is not a number';
  report('error', t, `license count "${t.text}" ${what}`, 'write the number of licenses (0 or more), or "uncounted"');
  return 0;
}

const VERSION = /^(\d+(\.\d*)?|\.\d+)$/;

function checkVersion(t: Token, report: Report): void {
  if (!VERSION.test(t.text)) report('error', t, `version "${t.text}" is not a decimal number`, 'write a version such as 1.0 or 2024.0101');
}

/** Splits trailing tokens into attributes and SIGN, reporting a repeated SIGN. */
function readAttributes(tokens: Token[], report: Report): { attributes: Attribute[]; sign: string | null } {
  const attributes: Attribute[] = [];
  let sign: string | null = null;
  for (const t of tokens) {
    if (t.key === 'HOSTID') {
      const idProblem = hostIdProblem(t.value ?? '', 'feature');
      if (idProblem) report('warning', { line: t.valueLine, column: t.valueColumn }, idProblem.message, idProblem.hint);
    }
    if (t.key === 'SIGN') {
      if (sign !== null) report('warning', t, 'the line has a second SIGN=; the last one is used', 'keep only one SIGN= per line');
      sign = t.value ?? '';
    } else attributes.push(toAttribute(t));
  }
  return { attributes, sign };
}

const UPGRADE_EXAMPLE = 'UPGRADE name vendor from_version to_version 31-dec-2026 10 SIGN="..."';

/** FEATURE, INCREMENT and UPGRADE lines: the same fields, UPGRADE with a from-version before the version. */
function parseFeature(raw: Statement, head: Token, rest: Token[], report: Report): FeatureLine | UpgradeLine {
  const keyword = head.text.toUpperCase();
  const upgrade = keyword === 'UPGRADE';
  const fields = upgrade ? 6 : 5;
  const positional = rest.slice(0, fields);
  const text = (i: number) => positional[i]?.text ?? '';
  const common = {
    line: raw.line,
    source: raw.source,
    name: text(0),
    vendor: text(1),
    version: text(fields - 3),
    expiry: { permanent: true } as Expiry,
    count: 0 as Count,
    licenseKey: null as string | null,
    attributes: [] as Attribute[],
    sign: null as string | null,
  };
  const line: FeatureLine | UpgradeLine = upgrade
    ? { kind: 'upgrade', fromVersion: text(2), ...common }
    : { kind: 'feature', keyword: keyword === 'INCREMENT' ? 'INCREMENT' : 'FEATURE', ...common };
  if (positional.length < fields || positional.some((t) => t.key !== null)) {
    const [what, example] = upgrade
      ? ['some of: name, vendor, from-version, to-version, expiry date, count', UPGRADE_EXAMPLE]
      : ['some of: name, vendor, version, expiry date, count', FEATURE_EXAMPLE.replace('FEATURE', keyword)];
    missingFields(head, what, example, report);
    return line;
  }
  for (const version of positional.slice(2, fields - 2)) checkVersion(version, report);
  line.expiry = parseExpiry(positional[fields - 2]!, report);
  line.count = parseCount(positional[fields - 1]!, report);
  let tail = rest.slice(fields);
  // Pre-v7.1 files put a 12- or 20-hex-digit license key right after the count.
  if (tail[0] && tail[0].key === null && /^[0-9A-Fa-f]{12,20}$/.test(tail[0].text)) {
    line.licenseKey = tail[0].text;
    tail = tail.slice(1);
  }
  Object.assign(line, readAttributes(tail, report));
  return line;
}

function parsePackage(raw: Statement, head: Token, rest: Token[], report: Report): PackageLine {
  const [name, vendor, ...tail] = rest;
  const pkg: PackageLine = {
    kind: 'package',
    line: raw.line,
    source: raw.source,
    name: name?.text ?? '',
    vendor: vendor?.text ?? '',
    version: null,
    attributes: [],
    sign: null,
  };
  if (!name || !vendor || name.key !== null || vendor.key !== null) {
    missingFields(head, 'the package name or vendor', 'PACKAGE suite vendor 1.0 COMPONENTS="f1 f2" SIGN="..."', report);
    return pkg;
  }
  let attrs = tail;
  if (tail[0] && tail[0].key === null && VERSION.test(tail[0].text)) {
    pkg.version = tail[0].text;
    attrs = tail.slice(1);
  }
  Object.assign(pkg, readAttributes(attrs, report));
  if (!pkg.attributes.some((a) => a.key.toUpperCase() === 'COMPONENTS')) {
    report('error', head, `PACKAGE ${pkg.name} has no COMPONENTS=`, 'list the features it contains, e.g. COMPONENTS="f1 f2:1.0"');
  }
  return pkg;
}
