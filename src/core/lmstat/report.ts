import type { ServerStatus } from '../../shared/status';

/**
 * What `lmstat` learned about one entry of its search list: every server it asked (the three
 * members of a triad, or one server) and what each said. The formatters read only this.
 */
export type MemberProbe =
  | { host: string; port: number; status: ServerStatus }
  | { host: string; port: number; failure: ConnectFailure };

export interface ConnectFailure {
  /** Node's error code (`ECONNREFUSED`, `ETIMEDOUT` for our connect timeout, `ENOTFOUND`...) when there is one. */
  code: string | null;
  message: string;
}

export interface ServerReport {
  /**
   * The servers as the license file's SERVER lines name them, in file order (the `License server
   * status:` line); the `-c` text only when no server answered.
   */
  members: { host: string; port: number }[];
  /** One per member, same order. */
  probes: MemberProbe[];
}

/** Which features `lmstat` lists with their users. */
export type UsageSelection =
  /** none: server and vendor daemon status only (plain `lmstat`) */
  | 'none'
  /** `-a`: every feature */
  | 'all'
  /** `-A`: only features with licenses checked out */
  | 'active'
  /** `-f FEATURE` */
  | { feature: string };

export interface LmstatOptions {
  usage: UsageSelection;
  /** `-S VENDOR`: that vendor daemon and its features only (absent: every vendor). */
  vendor?: string;
  /**
   * `-s [SERVER]`: the server status part only; with a name, only the entries that list that
   * server (`host` or `port@host`, case-insensitive). Absent: not `-s`.
   */
  serverStatus?: { server: string | null };
}

/** The answer that speaks for the entry: the master's, else the first member that answered. */
export function authoritativeStatus(report: ServerReport): ServerStatus | null {
  const answered = report.probes.flatMap((probe) => ('status' in probe ? [probe.status] : []));
  return answered.find((status) => status.role === 'master') ?? answered[0] ?? null;
}

const CANNOT_CONNECT = 'Cannot connect to license server system.';

/**
 * lmutil's words for a server that does not answer (reference 4.2): the sentence, and its
 * `(major,minor:errno "text")` tail. Errno numbers are Linux's; lmutil prints the OS's own.
 */
function failureWords(failure: ConnectFailure): { sentence: string; detail: string } {
  switch (failure.code) {
    case 'ECONNREFUSED':
      return { sentence: CANNOT_CONNECT, detail: '(-15,570:111 "Connection refused")' };
    // our connect timeout: lmutil's own gives up on its non-blocking connect with errno 115
    case 'ETIMEDOUT':
      return { sentence: CANNOT_CONNECT, detail: '(-15,570:115 "Operation now in progress")' };
    case 'EHOSTUNREACH':
      return { sentence: CANNOT_CONNECT, detail: '(-15,570:113 "No route to host")' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { sentence: 'Cannot find SERVER hostname in network database.', detail: '(-14,7)' };
    default:
      return { sentence: CANNOT_CONNECT, detail: `(-15,570 "${failure.message}")` };
  }
}

/** `Cannot connect to license server system. (-15,570:111 "Connection refused")` and the like. */
export function connectFailureMessage(failure: ConnectFailure): string {
  const { sentence, detail } = failureWords(failure);
  return `${sentence} ${detail}`;
}

/** The tail alone, `(-15,570:111 "Connection refused")`, for one-line summaries. */
export function connectFailureDetail(failure: ConnectFailure): string {
  return failureWords(failure).detail;
}
