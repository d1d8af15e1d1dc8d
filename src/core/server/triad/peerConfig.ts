import type { LicenseFile } from '../../license';
import { licenseHash, serverHostIds } from '../../license/canonical';
import type { LicenseIdentity, QuorumConfig, Rank } from '../../quorum';
import type { MasterAddress } from '../seams';

/**
 * A triad member's quorum configuration from its license file (DESIGN.md section 5): ranks
 * from SERVER-line order, `s` from HEARTBEAT_INTERVAL= (or SERVER_TIMEOUT=), PRIMARY_IS_MASTER
 * from the first line, and the identity peers compare (license hash, SERVER host ids in order).
 */

export interface TriadSetup {
  config: QuorumConfig;
  /** Each member's license port by rank, as the SERVER lines give it. */
  addresses: readonly [MasterAddress, MasterAddress, MasterAddress];
}

export interface TriadSetupOptions {
  self: Rank;
  /** The vendor daemon's name for its debug-log lines (e.g. `ibmratl`). */
  vendorDaemon: string;
  /** The cluster's proof for peer hellos; always '': the driver authenticates whole links (peerAuth.ts). */
  auth: string;
  /** Clock-rate disagreement the leases allow for. 1% is far above what real clocks drift. */
  driftBound?: number;
  /** Random: the triad's id if this member becomes its first master. */
  newTriadId: string;
}

/** Our default when the file is silent: failure detected in about 3 s (FlexLM's 20 s gives 79 s). */
const DEFAULT_HEARTBEAT_SECONDS = 1;

export function triadSetup(file: LicenseFile, options: TriadSetupOptions): { ok: true; value: TriadSetup } | { ok: false; message: string } {
  const servers = file.servers;
  if (servers.length !== 3) {
    return { ok: false, message: `${file.fileName}: a redundant license server needs exactly three SERVER lines; this file has ${servers.length}.` };
  }
  const missingPort = servers.find((server) => server.port === null);
  if (missingPort) {
    return {
      ok: false,
      message:
        `${file.fileName}:${missingPort.line}: SERVER ${missingPort.host} has no port. ` +
        `Three-server redundancy needs a port on all three SERVER lines, e.g. "SERVER ${missingPort.host} ${missingPort.hostid} 27000".`,
    };
  }
  // the keyword belongs on the first line, but a file that puts it on another still means it
  const seconds = servers.map((server) => server.heartbeatInterval).find((value) => value !== null) ?? DEFAULT_HEARTBEAT_SECONDS;
  const hosts = [servers[0].host, servers[1].host, servers[2].host] as const;
  const config: QuorumConfig = {
    self: options.self,
    hosts,
    memberKeys: memberKeysOf(file),
    newTriadId: options.newTriadId,
    // FlexNet allows 0; the timeout formula needs at least one second
    heartbeatIntervalMs: Math.max(1, seconds) * 1000,
    driftBound: options.driftBound ?? 0.01,
    primaryIsMaster: servers[0].primaryIsMaster,
    identity: licenseIdentity(file),
    auth: options.auth,
    daemons: { lmgrd: 'lmgrd', vendor: options.vendorDaemon },
  };
  const address = (index: number): MasterAddress => ({ host: servers[index].host, port: servers[index].port! });
  return { ok: true, value: { config, addresses: [address(0), address(1), address(2)] } };
}

/**
 * Each member's host identity by rank: its SERVER line's host id, or (when the host ids do not
 * tell the three apart, e.g. `ANY`) its host name with the host id.
 */
export function memberKeysOf(file: LicenseFile): readonly [string, string, string] {
  const ids = file.servers.map((server) => server.hostid.toLowerCase());
  const distinct = new Set(ids).size === ids.length;
  const keys = file.servers.map((server, i) => (distinct ? ids[i] : `${server.host.toLowerCase()}/${ids[i]}`));
  return [keys[0], keys[1], keys[2]];
}

/** What members compare in every heartbeat: the license hash and the SERVER-line order. */
export function licenseIdentity(file: LicenseFile): LicenseIdentity {
  return { licenseHash: licenseHash(file), serverOrder: serverHostIds(file) };
}
