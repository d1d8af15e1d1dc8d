import { createHash } from 'node:crypto';
import { formatExpiry } from './expiry';
import { isUncounted, signedLines, type Attribute, type Count, type LicenseFile, type SignedLine } from './model';

/**
 * The canonical signed form (DESIGN.md section 3, reference 1.1). Covered: keyword, name, vendor,
 * version, normalised expiry and count, every UPPERCASE attribute except SIGN, and the SERVER host
 * ids in order. Not covered, so administrators may edit them: host names, ports,
 * HEARTBEAT_INTERVAL / PRIMARY_IS_MASTER, VENDOR path/options/port, USE_SERVER, lowercase
 * attributes, comments, whitespace and continuation layout.
 */
const FORM_VERSION = 'triad-sig-1';

function isPublisherAttribute(a: Attribute): boolean {
  return a.key === a.key.toUpperCase() && /[A-Z]/.test(a.key);
}

/** Whitespace inside a value is layout (a quoted value may be re-wrapped), so it is collapsed. */
function normaliseValue(value: string | null): string | null {
  return value === null ? null : value.trim().replace(/\s+/g, ' ');
}

/** Host ids compare case-insensitively (lmhostid prints lowercase, files often uppercase). */
export function serverHostIds(file: LicenseFile): string[] {
  return file.servers.map((s) => s.hostid.toLowerCase());
}

/** Publisher attributes sorted by keyword (stable for repeats): attribute order is layout too. */
function signedAttributes(line: SignedLine): [string, string | null][] {
  return line.attributes
    .filter(isPublisherAttribute)
    .map((a, index) => ({ a, index }))
    .sort((x, y) => (x.a.key < y.a.key ? -1 : x.a.key > y.a.key ? 1 : x.index - y.index))
    .map(({ a }) => [a.key, normaliseValue(a.value)]);
}

export function canonicalSignedForm(file: LicenseFile, line: SignedLine): string {
  const count = (c: Count) => (isUncounted(c) ? 'uncounted' : String(c));
  const fields =
    line.kind === 'feature'
      ? [line.keyword, line.name, line.vendor, line.version, formatExpiry(line.expiry), count(line.count)]
      : line.kind === 'upgrade'
        ? // the from-version last: a FEATURE form never has a seventh field
          ['UPGRADE', line.name, line.vendor, line.version, formatExpiry(line.expiry), count(line.count), line.fromVersion]
        : ['PACKAGE', line.name, line.vendor, line.version ?? '', null, null];
  return JSON.stringify([FORM_VERSION, ...fields, signedAttributes(line), serverHostIds(file)]);
}

/**
 * What triad members compare in every heartbeat: the SERVER host ids in order, the vendors, and
 * every signed line with its signature. Comments, whitespace, host names, ports and USE_SERVER
 * are left out (they change nothing a server serves), so a member that names its peers by IP
 * address still agrees with the others.
 */
export function licenseHash(file: LicenseFile): string {
  const form = JSON.stringify({
    servers: serverHostIds(file),
    vendors: file.vendors.map((v) => v.name),
    lines: signedLines(file).map((l) => [canonicalSignedForm(file, l), l.sign === null ? null : normaliseSign(l.sign)]),
  });
  return createHash('sha256').update(form).digest('hex');
}

/** SIGN values are hex in groups; grouping and case are layout. */
export function normaliseSign(sign: string): string {
  return sign.replace(/\s+/g, '').toLowerCase();
}
