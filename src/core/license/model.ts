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
  | PackageLine;

/** Lines that carry a publisher signature. */
export type SignedLine = FeatureLine | PackageLine;

export interface LicenseFile {
  fileName: string;
  /** Every logical line in file order, comments and blank lines included. */
  lines: LicenseLine[];
  servers: ServerLine[];
  vendors: VendorLine[];
  /** FEATURE and INCREMENT lines in file order. */
  features: FeatureLine[];
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
    packages: lines.filter((l): l is PackageLine => l.kind === 'package'),
    useServer: lines.some((l) => l.kind === 'useServer'),
  };
}

export function isUncounted(count: Count): boolean {
  return count === 'uncounted' || count === 0;
}
