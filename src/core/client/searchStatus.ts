import type { ServerStatus } from '../../shared/status';
import type { MemberProbe, ServerReport } from '../lmstat/report';
import type { ConnectOptions } from './connection';
import type { SearchTarget, ServerAddress } from './search';
import { queryStatus, type StatusAnswer } from './searchAttempts';

/** One status query (a socket in production; a fake network in tests). */
export type StatusQuery = (address: ServerAddress, options: ConnectOptions) => Promise<StatusAnswer>;

/**
 * Asks every search target for its status, the way lmstat reports it: all members of a triad
 * (also when the entry named only one member, whose status lists the other two), and for
 * `@host` the first of the default ports that answers. Used by `triad lmstat` and `client verify`.
 */
export async function probeTargets(targets: readonly SearchTarget[], options: ConnectOptions, query: StatusQuery = queryStatus): Promise<ServerReport[]> {
  const reports: ServerReport[] = [];
  for (const target of targets) reports.push(await probeTarget(target, options, query));
  return reports;
}

/**
 * Once a server answers, the report names the servers as its license file's SERVER lines do,
 * not as the `-c` text did (lmutil does the same, and monitoring tools match the `License
 * server status:` names against the per-server lines: flexlm_exporter #54, #76, #80). Members
 * not asked yet, or asked by another name, are asked by their SERVER-line name.
 */
export async function probeTarget(target: SearchTarget, options: ConnectOptions, query: StatusQuery = queryStatus): Promise<ServerReport> {
  const ask = async ({ host, port }: ServerAddress): Promise<MemberProbe> => {
    const answer = await query({ host, port }, options);
    return 'status' in answer ? { host, port, status: answer.status } : { host, port, failure: answer.failure };
  };
  const probes = target.redundant ? await Promise.all(target.addresses.map(ask)) : await firstAnswer(target.addresses, ask);
  const answered = probes.find((probe): probe is Extract<MemberProbe, { status: ServerStatus }> => 'status' in probe);
  if (!answered) return { members: probes.map(({ host, port }) => ({ host, port })), probes };

  const members = serverLines(answered.status, answered.port);
  const reuse = (member: ServerAddress) =>
    probes.find((probe) => ('status' in probe ? probe.status.host === member.host : probe.host === member.host && probe.port === member.port));
  return { members, probes: await Promise.all(members.map((member) => reuse(member) ?? ask(member))) };
}

/** `@host`'s ports in turn until one answers; the probes made, the answering one last. */
async function firstAnswer(addresses: readonly ServerAddress[], ask: (address: ServerAddress) => Promise<MemberProbe>): Promise<MemberProbe[]> {
  const probes: MemberProbe[] = [];
  for (const address of addresses) {
    const probe = await ask(address);
    if ('status' in probe) return [probe];
    probes.push(probe);
  }
  return probes.slice(0, 1);
}

/** The SERVER lines of the answering server's license file; a line without a port uses the one that answered. */
function serverLines(status: ServerStatus, answeredPort: number): ServerAddress[] {
  if (status.members.length === 0) return [{ host: status.host, port: status.port || answeredPort }];
  const lines = status.mode === 'triad' ? status.members : status.members.filter((member) => member.self).slice(0, 1);
  return (lines.length > 0 ? lines : status.members.slice(0, 1)).map((member) => ({ host: member.host, port: member.port ?? answeredPort }));
}
