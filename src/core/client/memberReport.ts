import type { ServerReport } from '../lmstat/report';
import type { ServerStatus } from '../../shared/status';
import { probeTarget } from './searchStatus';

/**
 * Asks every member a status snapshot lists (the three of a triad, or the one server) over its
 * license port, as `lmstat -c` would: what scripts and support see, not our own snapshot.
 */
export function askMembers(status: ServerStatus, timeoutMs: number, agent: string): Promise<ServerReport> {
  const members = status.members.flatMap((m) => (m.port === null ? [] : [{ host: m.host, port: m.port }]));
  const addresses = members.length > 0 ? members : [{ host: status.host, port: status.port }];
  const target = { label: addresses.map((a) => `${a.port}@${a.host}`).join(','), source: agent, redundant: addresses.length === 3, addresses };
  return probeTarget(target, { connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, agent });
}
