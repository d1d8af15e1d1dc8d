import type { MemberProbe, ServerReport } from '../lmstat/report';
import type { ConnectOptions } from './connection';
import type { SearchTarget } from './search';
import { queryStatus } from './searchAttempts';

/**
 * Asks every search target for its status, the way lmstat reports it: all members of a triad
 * (also when the entry named only one member, whose status lists the other two), and for
 * `@host` the first of the default ports that answers. Used by `triad lmstat` and `client verify`.
 */
export async function probeTargets(targets: readonly SearchTarget[], options: ConnectOptions): Promise<ServerReport[]> {
  const reports: ServerReport[] = [];
  for (const target of targets) reports.push(await probeTarget(target, options));
  return reports;
}

export async function probeTarget(target: SearchTarget, options: ConnectOptions): Promise<ServerReport> {
  if (target.redundant) {
    const probes = await Promise.all(target.addresses.map((address) => probeAddress(address.host, address.port, options)));
    return { members: target.addresses, probes };
  }
  let firstProbe: MemberProbe | null = null;
  for (const address of target.addresses) {
    const probe = await probeAddress(address.host, address.port, options);
    firstProbe ??= probe;
    if (!('status' in probe)) continue;
    const status = probe.status;
    if (status.mode !== 'triad' || status.members.length !== 3) return { members: [address], probes: [probe] };
    // A single entry that is one triad member: report the whole triad, as lmstat does.
    const members = status.members.map((member) => ({ host: member.host, port: member.port ?? address.port, self: member.self }));
    const probes = await Promise.all(members.map((member) => (member.self ? probe : probeAddress(member.host, member.port, options))));
    return { members: members.map(({ host, port }) => ({ host, port })), probes };
  }
  const first = target.addresses[0];
  return { members: first ? [first] : [], probes: firstProbe ? [firstProbe] : [] };
}

async function probeAddress(host: string, port: number, options: ConnectOptions): Promise<MemberProbe> {
  const answer = await queryStatus({ host, port }, options);
  return 'status' in answer ? { host, port, status: answer.status } : { host, port, failure: answer.failure };
}
