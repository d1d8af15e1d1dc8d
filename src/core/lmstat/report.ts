import type { ServerStatus } from '../../shared/status';

/**
 * What `triad lmstat` learned about one entry of its search list: every server it asked (the
 * three members of a triad, or one server) and what each said. The formatters read only this.
 */
export type MemberProbe =
  | { host: string; port: number; status: ServerStatus }
  | { host: string; port: number; failure: ConnectFailure };

export interface ConnectFailure {
  /** Node's error code (`ECONNREFUSED`, `ETIMEDOUT`, `ENOTFOUND`...) when there is one. */
  code: string | null;
  message: string;
}

export interface ServerReport {
  /** The servers as the entry lists them (`License server status:` line). */
  members: { host: string; port: number }[];
  probes: MemberProbe[];
}

export interface LmstatOptions {
  /** `-a`: every feature and its users. */
  all: boolean;
  /** `-f FEATURE`: only this feature (all features when given without a name is `all`). */
  feature: string | null;
}

/** The answer that speaks for the entry: the master's, else the first member that answered. */
export function authoritativeStatus(report: ServerReport): ServerStatus | null {
  const answered = report.probes.flatMap((probe) => ('status' in probe ? [probe.status] : []));
  return answered.find((status) => status.role === 'master') ?? answered[0] ?? null;
}

/**
 * FlexLM's wording for a server that does not answer, with its `(-15,570:errno "text")` tail
 * (reference 4.2). Errno numbers are Linux's; FlexLM prints the OS's own.
 */
export function connectFailureDetail(failure: ConnectFailure): string {
  switch (failure.code) {
    case 'ECONNREFUSED':
      return '(-15,570:111 "Connection refused")';
    case 'ETIMEDOUT':
      return '(-15,570:110 "Connection timed out")';
    case 'EHOSTUNREACH':
      return '(-15,570:113 "No route to host")';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `(-14,7 "${failure.message}")`;
    default:
      return `(-15,570 "${failure.message}")`;
  }
}
