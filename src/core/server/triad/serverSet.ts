import type { LicenseFile, ServerLine } from '../../license';
import { memberKeysOf } from './peerConfig';

/**
 * Which license servers a file describes, as far as running it is concerned: no server (uncounted
 * only), one server, or a triad of three members in SERVER-line order, and which of them this
 * machine is. A reread may change features and counts; a change of the server set changes what
 * the process is (a single server, a triad member, a member of another triad), so it is served
 * only by stopping, re-forming and starting again, never by rereading in place.
 */

export interface ServerSet {
  mode: 'uncounted' | 'single' | 'triad';
  /** Member host identities in SERVER-line order (host ids; see memberKeysOf). */
  members: readonly string[];
  hosts: readonly string[];
  /** Where each member listens (`host:port`, SERVER-line order): where its peers reach it. */
  endpoints: readonly string[];
  /** This machine's position, or -1 when it is on none of the SERVER lines. */
  self: number;
}

export function serverSetOf(file: LicenseFile, self: ServerLine | null): ServerSet {
  const servers = file.servers;
  const mode = servers.length === 0 ? 'uncounted' : servers.length === 3 ? 'triad' : 'single';
  const members = mode === 'triad' ? memberKeysOf(file) : servers.map((server) => server.hostid.toLowerCase());
  const endpoints = servers.map((server) => `${server.host.toLowerCase()}:${server.port ?? 27000}`);
  return { mode, members, hosts: servers.map((server) => server.host), endpoints, self: self ? servers.indexOf(self) : -1 };
}

export function describeServerSet(set: ServerSet): string {
  if (set.mode === 'uncounted') return 'no license server (uncounted features only)';
  if (set.mode === 'single') return `the single license server ${set.hosts[0]}`;
  return `the three redundant license servers ${set.hosts.join(', ')}`;
}

/**
 * Null when `next` is served by the same servers as `current`, else what changes, in words. A
 * single server's line may name another host id (a reread then serves or refuses it as bound to
 * that host); a triad's three members must stay the same machines in the same order, at the same
 * host and port (the peers and the clients reach them there).
 */
export function serverSetChange(current: ServerSet, next: ServerSet): string | null {
  if (current.mode !== next.mode || current.self !== next.self || (current.mode === 'triad' && current.members.some((key, i) => key !== next.members[i]))) {
    return `the license file changes the license servers from ${describeServerSet(current)} to ${describeServerSet(next)}`;
  }
  if (current.mode !== 'triad') return null;
  const moved = current.endpoints.findIndex((endpoint, i) => endpoint !== next.endpoints[i]);
  return moved < 0 ? null : `the license file moves SERVER line ${moved + 1} from ${current.endpoints[moved]} to ${next.endpoints[moved]}`;
}
