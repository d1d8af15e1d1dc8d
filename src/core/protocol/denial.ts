/**
 * Why a checkout was refused, worded the way FlexLM users and log parsers expect:
 * `Reason text. (major,minor)`.
 *
 * Codes whose major AND minor appear in our reference (flexnet-behaviour.md) are marked
 * CONFIRMED. For the others the major number is FlexLM's public error number for that
 * condition as listed in the project brief, and the minor (FlexLM's internal call site) is our
 * own: 900 + a fixed index. Log parsers match `(-N,M)` and key on the major, so that is enough.
 */

export type DenialCode =
  | 'MAX_USERS'
  | 'NO_SUCH_FEATURE'
  | 'VERSION_TOO_HIGH'
  | 'EXPIRED'
  | 'NOT_STARTED'
  | 'EXCLUDED'
  | 'NOT_INCLUDED'
  | 'NOT_AUTHORIZED_USER'
  | 'OPTIONS_MAX'
  | 'BAD_SIGNATURE'
  | 'WRONG_HOSTID'
  | 'BAD_REQUEST'
  | 'SERVER_DOWN'
  | 'NOT_MASTER'
  | 'DISK_FULL';

export interface Denial {
  code: DenialCode;
  major: number;
  minor: number;
  /** Full text as logged and shown to the user, e.g. `Licensed number of users already reached. (-4,342)`. */
  reason: string;
}

interface DenialText {
  major: number;
  minor: number;
  text: string;
}

const denialTexts: Record<DenialCode, DenialText> = {
  // CONFIRMED: real debug-log line in reference section 5.2.
  MAX_USERS: { major: -4, minor: 342, text: 'Licensed number of users already reached.' },
  // CONFIRMED text and numbers (lmstat output, reference section 4.2).
  NO_SUCH_FEATURE: { major: -5, minor: 222, text: 'No such feature exists.' },
  VERSION_TOO_HIGH: { major: -25, minor: 901, text: 'License server does not support this version of this feature.' },
  EXPIRED: { major: -10, minor: 902, text: 'Feature has expired.' },
  NOT_STARTED: { major: -31, minor: 903, text: 'Feature start date is in the future.' },
  EXCLUDED: { major: -38, minor: 904, text: 'User/host on EXCLUDE list for feature.' },
  NOT_INCLUDED: { major: -39, minor: 905, text: 'User/host not on INCLUDE list for feature.' },
  // USER_BASED: FlexLM reports these users as not on the INCLUDE list too; own minor tells them apart.
  NOT_AUTHORIZED_USER: { major: -39, minor: 906, text: 'User/host not on INCLUDE list for feature.' },
  OPTIONS_MAX: { major: -87, minor: 907, text: 'Checkout exceeds MAX specified in options file.' },
  BAD_SIGNATURE: { major: -8, minor: 908, text: 'Invalid license signature.' },
  WRONG_HOSTID: {
    major: -9,
    minor: 909,
    text: 'Invalid host. The hostid of this system does not match the hostid specified in the license file.',
  },
  BAD_REQUEST: { major: -42, minor: 910, text: 'Invalid checkout request.' },
  SERVER_DOWN: { major: -96, minor: 911, text: 'License server machine is down or not responding.' },
  NOT_MASTER: { major: -96, minor: 912, text: 'This server is not the master.' },
  // FlexLM has no denial for a full disk; -23 is its "temporarily busy": try another server or later
  DISK_FULL: { major: -23, minor: 913, text: 'License server temporarily busy.' },
};

/**
 * FlexLM's -96 family: a redundant member that is not serving (down, no quorum, not the master).
 * A client tries the next member of a redundant entry on it and nowhere else.
 */
export const MEMBER_NOT_SERVING_MAJOR = denialTexts.NOT_MASTER.major;

/**
 * Builds a denial. `detail` replaces nothing: it is appended before the code so the FlexLM
 * sentence stays first and greppable, e.g. `This server is not the master; the master is hostB. (-96,912)`.
 */
export function denial(code: DenialCode, detail?: string): Denial {
  const { major, minor, text } = denialTexts[code];
  const sentence = detail ? `${text.replace(/\.$/, '')}; ${detail}.` : text;
  return { code, major, minor, reason: `${sentence} (${major},${minor})` };
}

/** The denial a standby gives: `This server is not the master; the master is HOST. (-96,912)`. */
export function notMasterDenial(masterHost: string | null): Denial {
  return denial('NOT_MASTER', masterHost ? `the master is ${masterHost}` : 'no master is known yet');
}
