import { formatLicenseDate } from '../../license';
import type { Options } from '../../options';
import { licensedSeats, type Pool, type PoolSet, type PoolUsage } from '../../pool';
import type { FeatureStatus, ServerStatus, UserStatus, VendorStatus } from '../../../shared/status';
import type { Instant } from '../runtime';
import type { ServingConfig, ServiceSettings } from './licensing';

/** What one snapshot of a server's own status is made from; `pools` hold the seats as this server knows them. */
export interface SnapshotInput {
  at: Instant;
  role: ServerStatus['role'];
  /** The master's host as the gate knows it (this server's own when it is the master). */
  master: string | null;
  settings: Pick<ServiceSettings, 'host' | 'port' | 'version'>;
  config: ServingConfig;
  pools: PoolSet;
}

/**
 * A server's own status, before the triad adds what only it knows and before the serving view
 * explains it: pure, from the pools and the files served, at one instant.
 */
export function statusSnapshot(input: SnapshotInput): ServerStatus {
  const { at, role, master, settings, config, pools } = input;
  const usage = pools.usage(at);
  return {
    takenAt: at.wallMs,
    version: settings.version,
    host: settings.host,
    port: settings.port,
    licenseFiles: config.licenseFiles,
    mode: config.mode,
    role,
    master,
    quorum: role === 'master' || role === 'standby',
    members: config.members.map((m) => ({
      ...m,
      master: m.host === master,
      heartbeatRttMs: null,
      heartbeatAgeMs: null,
      heartbeatLossPercent: null,
    })),
    vendors: config.vendors.map((name) => vendorStatus(name, usage, settings.version)),
    features: usage.map((u) => featureStatus(u, input)),
    warnings: [],
    optionsProblems: [...config.optionsProblems.values()].flat(),
  };
}

function vendorStatus(name: string, usage: PoolUsage[], version: string): VendorStatus {
  const serving = usage.some((u) => u.pool.vendor === name && u.notServed === null);
  return { name, up: serving, version, problem: serving ? null : 'No features to serve' };
}

/** The remaining linger is a duration, on the clock the pools keep it (monotonic). */
function featureStatus(u: PoolUsage, { at, config, pools, settings }: SnapshotInput): FeatureStatus {
  const { pool } = u;
  const monoMs = at.monoMs;
  const options: Options | null = config.options.get(pool.vendor) ?? null;
  // what lmstat prints: the seats each reservation still holds back (taken ones show as users)
  const reservations = options ? pools.openReservations(pool, options, at).filter((r) => r.remaining > 0) : [];
  // no lease id here: status is open to every client; the handle names a seat (lmremove -h)
  const users: UserStatus[] = u.leases.map((lease) => ({
    user: lease.user,
    host: lease.host,
    display: lease.display,
    version: lease.version,
    server: lease.server,
    port: settings.port,
    handle: lease.handle,
    startedAt: lease.grantedAt,
    count: lease.count,
    linger:
      lease.lingerSeconds > 0
        ? {
            total: lease.lingerSeconds,
            remaining: lease.lingerUntilMs === null ? lease.lingerSeconds : Math.max(0, Math.ceil((lease.lingerUntilMs - monoMs) / 1000)),
          }
        : null,
  }));
  return {
    name: pool.name,
    vendor: pool.vendor,
    version: pool.version,
    expiry: expiryText(pool),
    // a pool it cannot serve shows the file's count (lmstat's `Error: N licenses`)
    issued: u.notServed === null ? u.issued : licensedSeats(pool),
    inUse: u.inUse,
    kind: pool.userBased ? 'user-based' : u.issued === null ? 'uncounted' : pool.hostid !== null ? 'nodelocked' : 'floating',
    lockedTo: pool.hostid,
    vendorString: pool.vendorString,
    served: u.notServed === null,
    notServedReason: u.notServed?.reason ?? null,
    users,
    reservations: reservations.map((r) => ({ count: r.remaining, type: r.rule.target.type, name: r.rule.target.name })),
  };
}
/** The expiry of the pool's first line as the license file writes it. */
export function expiryText(pool: Pool): string {
  const expiry = pool.lines[0].expiry;
  return 'permanent' in expiry ? 'permanent' : formatLicenseDate(expiry);
}
