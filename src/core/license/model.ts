import type { Expiry } from './expiry';

/** One `KEY=value` (or bare `KEY`) on a line, as written, in file order. */
export interface Attribute {
  key: string;
  /** null for a bare keyword such as `TS_OK` or `PRIMARY_IS_MASTER`. */
  value: string | null;
  /** The value was written in double quotes. */
  quoted: boolean;
}

/**
 * Every logical line keeps `source`: its exact text (all physical lines, joined by '\n'), so
 * serializing an unchanged file gives the file back byte for byte. Lines built or changed in code
 * have `source: null` and are rendered from their fields.
 */
interface LineBase {
  /** 1-based physical line where the logical line starts. */
  line: number;
  source: string | null;
  /**
   * Set on a line that starts in the middle of the previous one (two lines run together by a bad
   * paste, an error): its source is the rest of that text, written back on the same line.
   */
  runOn?: true;
}

export interface CommentLine extends LineBase {
  kind: 'comment';
  text: string;
}

export interface BlankLine extends LineBase {
  kind: 'blank';
}

/** A line that starts with no known keyword; old FLEXlm treated such lines as comments. */
export interface UnknownLine extends LineBase {
  kind: 'unknown';
  text: string;
}

export interface ServerLine extends LineBase {
  kind: 'server';
  host: string;
  hostid: string;
  port: number | null;
  primaryIsMaster: boolean;
  /** `HEARTBEAT_INTERVAL=` or its older spelling `SERVER_TIMEOUT=`, in seconds. */
  heartbeatInterval: number | null;
  /** Anything else on the line (e.g. `PLAT=n`), kept as written. */
  extras: Attribute[];
}

export interface VendorLine extends LineBase {
  kind: 'vendor';
  /** `DAEMON` is the pre-v6 spelling of `VENDOR`. */
  keyword: 'VENDOR' | 'DAEMON';
  name: string;
  path: string | null;
  options: string | null;
  port: number | null;
  extras: Attribute[];
}

export interface UseServerLine extends LineBase {
  kind: 'useServer';
}

export type Count = number | 'uncounted';

export interface FeatureLine extends LineBase {
  kind: 'feature';
  keyword: 'FEATURE' | 'INCREMENT';
  name: string;
  vendor: string;
  version: string;
  expiry: Expiry;
  /** `uncounted` as written; `0` stays 0 (it also means uncounted, see isUncounted). */
  count: Count;
  /** Pre-v7.1 positional license key after the count, if any (IBM files still carry them). */
  licenseKey: string | null;
  /** Every optional attribute except SIGN, including unknown and lowercase ones, in order. */
  attributes: Attribute[];
  sign: string | null;
}

/**
 * `UPGRADE feature vendor from_version to_version exp_date count ... SIGN=` (Revenera "UPGRADE
 * Lines"): moves up to `count` licenses of the closest preceding FEATURE/INCREMENT line of the
 * feature whose version is >= from_version and < to_version to a new pool of `version`
 * (to_version). It licenses nothing of its own.
 */
export interface UpgradeLine extends Omit<FeatureLine, 'kind' | 'keyword'> {
  kind: 'upgrade';
  fromVersion: string;
}

export interface PackageLine extends LineBase {
  kind: 'package';
  name: string;
  vendor: string;
  version: string | null;
  /** Every attribute except SIGN (COMPONENTS, OPTIONS, SUPERSEDE, ...), in order. */
  attributes: Attribute[];
  sign: string | null;
}

export type LicenseLine =
  | CommentLine
  | BlankLine
  | UnknownLine
  | ServerLine
  | VendorLine
  | UseServerLine
  | FeatureLine
  | UpgradeLine
  | PackageLine;

/** Lines that carry a publisher signature. */
export type SignedLine = FeatureLine | UpgradeLine | PackageLine;

/** Every signed line in file order. */
export function signedLines(file: LicenseFile): SignedLine[] {
  return file.lines.filter((l): l is SignedLine => l.kind === 'feature' || l.kind === 'upgrade' || l.kind === 'package');
}

export interface LicenseFile {
  fileName: string;
  /** Every logical line in file order, comments and blank lines included. */
  lines: LicenseLine[];
  servers: ServerLine[];
  vendors: VendorLine[];
  /** FEATURE and INCREMENT lines in file order. */
  features: FeatureLine[];
  upgrades: UpgradeLine[];
  packages: PackageLine[];
  useServer: boolean;
}

/** Builds the views from the ordered lines; the one way a LicenseFile is assembled. */
export function makeLicenseFile(fileName: string, lines: LicenseLine[]): LicenseFile {
  return {
    fileName,
    lines,
    servers: lines.filter((l): l is ServerLine => l.kind === 'server'),
    vendors: lines.filter((l): l is VendorLine => l.kind === 'vendor'),
    features: lines.filter((l): l is FeatureLine => l.kind === 'feature'),
    upgrades: lines.filter((l): l is UpgradeLine => l.kind === 'upgrade'),
    packages: lines.filter((l): l is PackageLine => l.kind === 'package'),
    useServer: lines.some((l) => l.kind === 'useServer'),
  };
}

export function isUncounted(count: Count): boolean {
  return count === 'uncounted' || count === 0;
}
