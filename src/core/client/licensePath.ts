import { isIPv6 } from 'node:net';
import { DEFAULT_PORT } from '../protocol/ports';

/**
 * LM_LICENSE_FILE / <VENDOR>_LICENSE_FILE values: parse into search entries and format back
 * (reference section 3). Pure: no file system, no environment reads; callers pass them in, and the
 * platform is a parameter so that both platforms' rules are tested anywhere.
 *
 * Entry forms, in the order they are recognised:
 * - `p1@h1,p2@h2[,p3@h3]` members of one redundant server. A comma joins "members of the same
 *                        redundant license server triad" (IBM's FlexLM note; Revenera documents the
 *                        three-member form). lmutil also accepts two members, tries them in order
 *                        and uses the first that answers, never adding them up (flexlm_exporter
 *                        issue #40), so two or three members are one entry here, tried in order, a
 *                        standby sending us on to the master. Ports are mandatory, more than three
 *                        members or a member named twice is refused;
 * - `port@host`          one license server;
 * - `@host`              one license server on a default port: the client probes 27000-27009;
 * - a path               contains `/` or `\`, starts with `.` or `~`, or ends in `.lic`/`.dat`:
 *                        a license file, or a directory whose `*.lic` files are read;
 * - `host`               a bare host name means port 27000 (the seed's `siteZserver`). This is
 *                        our choice for a bare word; FlexLM itself would read it as a file name,
 *                        so a file named without an extension must be written `./name`.
 *
 * Separators: `:` or `;` on UNIX (the seed's UNIX example uses `;`), only `;` on Windows so that
 * `C:\flexlm\license.dat` stays one entry. Empty items (`a::b`, a trailing `:`) are skipped, as a
 * shell's `LM_LICENSE_FILE=$LM_LICENSE_FILE:...` produces them. Double quotes (a Windows `set
 * X="..."` keeps them in the value) are not part of any entry: they are removed, and separators
 * inside them do not split. On UNIX, a drive letter at the start of an item (`C:\` or `C:/`) does
 * not split either: the item is a Windows path, refused with a reason instead of becoming a server
 * `27000@C` (a one-letter bare host name before a `/` path reads as a drive too); a UNC path
 * (`\\server\share`) is likewise Windows-only.
 */

export type PathPlatform = 'unix' | 'windows';

export interface ServerAddress {
  host: string;
  /** null: `@host`, probe the default ports. */
  port: number | null;
}

export interface TriadMember {
  host: string;
  port: number;
}

export type LicensePathEntry =
  | { kind: 'server'; host: string; port: number | null }
  /** Two or three members of one redundant server, in the order written (license-file order). */
  | { kind: 'triad'; members: TriadMember[] }
  | { kind: 'path'; path: string };

export interface LicensePathError {
  /** 1-based position of the item between separators, empty items included. */
  position: number;
  entry: string;
  message: string;
  hint: string;
}

export interface ParsedLicensePath {
  entries: LicensePathEntry[];
  errors: LicensePathError[];
}

const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;
const PORT_TEXT = /^[0-9]{1,5}$/;
const LICENSE_FILE_SUFFIX = /\.(lic|dat)$/i;

export function currentPlatform(): PathPlatform {
  return process.platform === 'win32' ? 'windows' : 'unix';
}

export function listSeparators(platform: PathPlatform): readonly string[] {
  return platform === 'windows' ? [';'] : [':', ';'];
}

/** Never throws: every bad item becomes an error naming it and its position. */
export function parseLicensePath(text: string, platform: PathPlatform): ParsedLicensePath {
  const entries: LicensePathEntry[] = [];
  const errors: LicensePathError[] = [];
  // `set X="a;b"` keeps the quotes around the whole value: they quote no one entry
  const whole = /^\s*"([^"]*)"\s*$/.exec(text);
  splitItems(whole ? whole[1]! : text, platform).forEach((raw, index) => {
    const written = raw.trim();
    const item = written.replaceAll('"', '').trim();
    if (item === '') return;
    const parsed = unclosedQuote(written) ?? parseEntry(item, platform);
    if ('entry' in parsed) entries.push(parsed.entry);
    else errors.push({ position: index + 1, entry: written, message: parsed.message, hint: parsed.hint });
  });
  return { entries, errors };
}

function unclosedQuote(written: string): { message: string; hint: string } | null {
  if ((written.match(/"/g) ?? []).length % 2 === 0) return null;
  return {
    message: `the quote in "${written}" is never closed`,
    hint: 'remove the quotes, a license path needs none; or close them around the whole entry',
  };
}

/**
 * Splits at the separators, except inside double quotes, inside @[brackets] (an IPv6 address:
 * 27000@[2001:db8::1]) and, on UNIX, after a drive letter that starts an item (`C:\`, `C:/`).
 */
function splitItems(text: string, platform: PathPlatform): string[] {
  const separators = listSeparators(platform);
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const close = text.startsWith('@[', i) ? text.indexOf(']', i) : -1;
    const ch = text[i]!;
    if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (close > 0) {
      current += text.slice(i, close + 1);
      i = close;
    } else if (separators.includes(ch) && !quoted && !(ch === ':' && isDriveLetter(current, text[i + 1]))) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items;
}

/** `C` of `C:\...` or `C:/...` (quotes and leading blanks aside) at the start of an item. */
function isDriveLetter(itemSoFar: string, next: string | undefined): boolean {
  return /^\s*"?[A-Za-z]$/.test(itemSoFar) && (next === '\\' || next === '/');
}

type EntryResult = { entry: LicensePathEntry } | { message: string; hint: string };

function parseEntry(item: string, platform: PathPlatform): EntryResult {
  const foreign = platform === 'unix' ? windowsOnlyPath(item) : null;
  if (foreign) return foreign;
  if (isPathLike(item)) return { entry: { kind: 'path', path: item } };
  if (item.includes(',')) return parseTriad(item, platform);
  if (item.includes('@')) {
    const server = parseServerAddress(item, platform);
    return 'address' in server ? { entry: { kind: 'server', ...server.address } } : server;
  }
  if (HOST_NAME.test(item)) return { entry: { kind: 'server', host: item, port: DEFAULT_PORT } };
  return {
    message: `"${item}" is neither port@host, @host, a host name nor a license file path`,
    hint: separatorHint(item, platform) ?? 'write a server as 27000@host, or a file as /path/to/license.lic',
  };
}

/** A drive-letter or UNC path read on UNIX, where no such file can be opened. */
function windowsOnlyPath(item: string): { message: string; hint: string } | null {
  const drive = /^([A-Za-z]):[\\/]/.exec(item);
  const what = drive ? `a Windows path (drive ${drive[1]!.toUpperCase()}:)` : item.startsWith('\\\\') ? 'a Windows network path (UNC)' : null;
  if (!what) return null;
  return {
    message: `"${item}" is ${what}, which this UNIX machine cannot open`,
    hint: 'copy the license file here and name its UNIX path (e.g. /opt/flexlm/license.dat), or name its server as port@host',
  };
}

function isPathLike(item: string): boolean {
  return /[\\/]/.test(item) || item.startsWith('.') || item.startsWith('~') || (LICENSE_FILE_SUFFIX.test(item) && !item.includes('@'));
}

function parseTriad(item: string, platform: PathPlatform): EntryResult {
  const parts = item.split(',').map((part) => part.trim());
  if (parts.length > 3) {
    return {
      message: `"${item}" lists ${parts.length} servers joined by commas; a comma joins the members of one redundant server, which has at most three`,
      hint:
        'write the three members in license-file order (27000@primary,27000@secondary,27000@tertiary), and separate independent servers with ' +
        (platform === 'windows' ? '";"' : '":"'),
    };
  }
  const members: TriadMember[] = [];
  for (const part of parts) {
    const server = parseServerAddress(part, platform);
    if (!('address' in server)) return { message: `in "${item}": ${server.message}`, hint: server.hint };
    if (server.address.port === null) {
      return {
        message: `redundant server member "${part}" has no port; every member needs port@host`,
        hint: `write it as 27000${part}`,
      };
    }
    const member = { host: server.address.host, port: server.address.port };
    if (members.some((m) => m.host.toLowerCase() === member.host.toLowerCase() && m.port === member.port)) {
      return {
        message: `"${item}" names ${part} twice; the members of a redundant server are different machines`,
        hint: 'list each member once, in license-file order',
      };
    }
    members.push(member);
  }
  return { entry: { kind: 'triad', members } };
}

function parseServerAddress(text: string, platform: PathPlatform): { address: ServerAddress } | { message: string; hint: string } {
  const at = text.indexOf('@');
  if (at < 0) {
    return { message: `"${text}" is not port@host`, hint: 'write a server as 27000@host' };
  }
  const portText = text.slice(0, at);
  const written = text.slice(at + 1);
  const bracketed = /^\[(.*)\]$/.exec(written);
  const host = bracketed && isIPv6(bracketed[1]!) ? bracketed[1]! : written;
  if (host === written && !HOST_NAME.test(host)) {
    return {
      message: host === '' ? `"${text}" names no host after @` : `"${host}" in "${text}" is not a valid host name`,
      hint:
        separatorHint(text, platform) ??
        'a host name has letters, digits, dots, hyphens and underscores, e.g. 27000@licsrv.example.com; an IPv6 address goes in brackets, 27000@[2001:db8::1]',
    };
  }
  if (portText === '') return { address: { host, port: null } };
  const port = PORT_TEXT.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    return {
      message: `port "${portText}" in "${text}" is not a number from 1 to 65535`,
      hint: `write it as 27000@${host}, or @${host} to probe ports 27000-27009`,
    };
  }
  return { address: { host, port } };
}

/** A `:` inside a Windows item is usually a UNIX-style separator. */
function separatorHint(item: string, platform: PathPlatform): string | undefined {
  return platform === 'windows' && item.includes(':') ? 'on Windows, separate entries with ";" (":" only separates them on UNIX)' : undefined;
}

export type FormatResult = { ok: true; text: string } | { ok: false; error: string };

/** Formats entries with `:` on UNIX and `;` on Windows; refuses what would not parse back. */
export function formatLicensePath(entries: readonly LicensePathEntry[], platform: PathPlatform): FormatResult {
  const separator = platform === 'windows' ? ';' : ':';
  const items: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const item = formatEntry(entry);
    const back = parseLicensePath(item, platform);
    if (back.errors.length > 0 || back.entries.length !== 1 || !sameEntry(back.entries[0], entry)) {
      return { ok: false, error: `entry ${index + 1} ("${item}") cannot be written in a ${platform === 'windows' ? 'Windows' : 'UNIX'} license path` };
    }
    items.push(item);
  }
  const text = items.join(separator);
  // items that parse alone may still run into each other (a path ending in "@[")
  if (parseLicensePath(text, platform).entries.length !== entries.length)
    return { ok: false, error: `these entries cannot be written as one ${platform === 'windows' ? 'Windows' : 'UNIX'} license path` };
  return { ok: true, text };
}

export function formatEntry(entry: LicensePathEntry): string {
  switch (entry.kind) {
    case 'server':
      return `${entry.port ?? ''}@${hostText(entry.host)}`;
    case 'triad':
      return entry.members.map((member) => `${member.port}@${hostText(member.host)}`).join(',');
    case 'path':
      return entry.path;
  }
}

/** An IPv6 address in brackets, so its colons do not read as separators. */
function hostText(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function sameEntry(a: LicensePathEntry, b: LicensePathEntry): boolean {
  return formatEntry(a) === formatEntry(b) && a.kind === b.kind;
}

/** One human line per error: `entry 2 ("x@y"): message` + hint. */
export function formatLicensePathError(error: LicensePathError, source: string): string {
  return `${source}: entry ${error.position} ("${error.entry}"): ${error.message}\n  hint: ${error.hint}`;
}
