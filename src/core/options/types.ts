import type { FileProblem } from '../../shared/status';

/**
 * The parsed options file of one vendor daemon (reference section 5.1). Plain data so it can be
 * shown in the UI, compared on lmreread and evaluated by the pure policy functions in policy.ts.
 */

/** Who an option line targets. INTERNET takes an IPv4 address with `*` octets. */
export type TargetType = 'USER' | 'HOST' | 'DISPLAY' | 'INTERNET' | 'PROJECT' | 'GROUP' | 'HOST_GROUP';

export const targetTypes: readonly TargetType[] = ['USER', 'HOST', 'DISPLAY', 'INTERNET', 'PROJECT', 'GROUP', 'HOST_GROUP'];

export interface Target {
  type: TargetType;
  name: string;
}

/**
 * `feature`, `feature:VERSION=2.0` or `"feature VERSION=2.0"`. Qualifier keys are upper-cased
 * for the FlexLM keywords (VERSION, HOSTID, EXPDATE, VENDOR_STRING...) and kept as written for
 * the lowercase end-user ones (dist_info, user_info, asset_info).
 */
export interface FeatureSelector {
  name: string;
  qualifiers: Record<string, string>;
}

/** Where an option came from, for messages and the UI. */
export interface SourceLine {
  line: number;
}

export interface FeatureRule extends SourceLine {
  feature: FeatureSelector;
  target: Target;
}

export interface AllRule extends SourceLine {
  target: Target;
}

export interface CountRule extends FeatureRule {
  count: number;
}

export interface FeatureSeconds extends SourceLine {
  feature: FeatureSelector;
  seconds: number;
}

export type NologEvent = 'IN' | 'OUT' | 'DENIED' | 'QUEUED';

export interface LogFileOption {
  path: string;
  /** A leading `+` on the path: append instead of overwriting at start. */
  append: boolean;
}

export interface Options {
  fileName: string;
  /** GROUP / USER_GROUP: repeated lines with the same name add members. */
  groups: Record<string, string[]>;
  hostGroups: Record<string, string[]>;
  /** GROUPCASEINSENSITIVE ON: user names in GROUP lists match whatever their case. */
  groupCaseInsensitive: boolean;
  includes: FeatureRule[];
  excludes: FeatureRule[];
  includeAll: AllRule[];
  excludeAll: AllRule[];
  reserves: CountRule[];
  maxes: CountRule[];
  timeouts: FeatureSeconds[];
  timeoutAll: number | null;
  lingers: FeatureSeconds[];
  nolog: NologEvent[];
  reportLog: LogFileOption | null;
  debugLog: LogFileOption | null;
}

/** A problem at FILE:LINE:COL with how to fix it; the status snapshot carries these as they are. */
export type OptionsDiagnostic = FileProblem;

export interface ParsedOptions {
  options: Options;
  diagnostics: OptionsDiagnostic[];
}

/** The requester as the policy sees it. `project` is the client's LM_PROJECT, when sent. */
export interface Requester {
  user: string;
  host: string;
  display: string;
  ip: string;
  project?: string;
}

/**
 * The feature line being checked out, for selector matching: its name, version and the
 * keywords a qualifier may name (VENDOR_STRING, HOSTID, EXPDATE, dist_info...).
 */
export interface PolicyFeature {
  name: string;
  version: string;
  attrs: Record<string, string>;
}

export function emptyOptions(fileName: string): Options {
  return {
    fileName,
    groups: {},
    hostGroups: {},
    groupCaseInsensitive: false,
    includes: [],
    excludes: [],
    includeAll: [],
    excludeAll: [],
    reserves: [],
    maxes: [],
    timeouts: [],
    timeoutAll: null,
    lingers: [],
    nolog: [],
    reportLog: null,
    debugLog: null,
  };
}
