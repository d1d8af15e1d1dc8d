import type { FeatureStatus, MemberStatus, ReservationStatus, ServerStatus, UserStatus, VendorStatus } from '../../src/shared/status';
import type { LmstatClock, MemberProbe, ServerReport } from '../../src/core/lmstat';
import { featureStatus } from './featureStatus';

/**
 * Reads a real `lmutil lmstat -a` (or `-i`) output back into the status a Triad server would
 * report in the same situation: the same servers, master, vendors, counts, pools, reservations
 * and user lines, at the same clock. Our formatter fed this status prints "our lmstat output of
 * the same situation", which the third-party parsers then read beside the real one. Lines a
 * Triad server would not produce (a server listed twice, lmgrd's `[Detecting lmgrd processes]`)
 * are left out; everything else that carries a value is read, or the reader throws.
 */

export interface ReadLmstat {
  clock: LmstatClock;
  reports: ServerReport[];
}

const DATE = /Flexible License Manager status on \w{3} (\d+)\/(\d+)\/(\d+) (\d+):(\d+)/;
const SEPARATOR = /^-{20,}$/;
const SERVERS = /^\s*License server status: (\S+)$/;
const LICENSE_FILES = /^\s*License file\(s\) on [^:]+: (.*):$/;
const SERVER_UP = /^\s*([\w.-]+): license server UP( \(MASTER\))? (v[\d.]+)$/;
const SERVER_DOWN = /^\s*([\w.-]+): Cannot connect to license server system\. \(-15,570:(\d+) "[^"]*"\)$/;
const VENDORS_ON = /^\s*Vendor daemon status \(on ([^)]+)\):$/;
const VENDOR = /^\s+(\w+): (?:UP (v[\d.]+)|The desired vendor daemon is down\. \(-97,121\))$/;
const USERS_COUNTED = /^Users of (\S+): {2}\(Total of (\d+) licenses? issued; {2}Total of (\d+) licenses? in use\)$/;
const USERS_UNCOUNTED = /^Users of (\S+): {2}\(Uncounted, node-locked\)$/;
const USERS_ERROR = /^Users of (\S+): {2}\(Error: (\d+) licenses, unsupported by licensed server\)$/;
const POOL = /^\s*"([^"]+)" v(\S+), vendor: (\w+)(?:, expiry: (.+))?$/;
const VENDOR_STRING = /^\s*vendor_string: (.*)$/;
const KIND = /^\s*(?:(floating) license|(nodelocked) license, locked to "(.*)"|(uncounted) nodelocked license locked to (.*))$/;
const RESERVATION = /^\s*(\d+) RESERVATIONs? for (\S+) (\S+) \([^/]+\/\d+\)$/;
const USER = /^\s+(.+?) \(v([^)]+)\) \(([^/]+)\/(\d+) (\d+)\), start \w{3} (\d+)\/(\d+) (\d+):(\d+)(?:, (\d+) licenses)?(?:\s+\(linger: (\d+) \/ (\d+)\))?(?:, PID: \d+)?\s*$/;
const IGNORED = [/^lmutil - Copyright/, /^\[Detecting lmgrd processes\.\.\.\]$/, /^Feature usage info:$/, /^\s*$/, DATE];

const ERRNO: Record<string, string> = { '111': 'ECONNREFUSED', '115': 'ETIMEDOUT', '113': 'EHOSTUNREACH' };

export function readLmstatText(text: string): ReadLmstat {
  const date = DATE.exec(text);
  if (!date) throw new Error('no "Flexible License Manager status on" line');
  const [year, month, day, hour, minute] = [date[3], date[1], date[2], date[4], date[5]].map(Number);
  const clock = { nowMs: Date.UTC(year, month - 1, day, hour, minute), timeZone: 'UTC' };
  const sections: string[][] = [[]];
  for (const line of text.split('\n')) {
    if (SEPARATOR.test(line)) sections.push([]);
    else sections.at(-1)!.push(line);
  }
  return { clock, reports: sections.map((lines) => readSection(lines, clock, { month, day, year })) };
}

interface Feature {
  header: { issued: number | null; inUse: number; served: boolean };
  pools: FeatureStatus[];
}

function readSection(lines: string[], clock: LmstatClock, today: { month: number; day: number; year: number }): ServerReport {
  let members: { host: string; port: number }[] = [];
  let licenseFiles: string[] = [];
  const serverLines: { host: string; up: { master: boolean; version: string } | null; errno: string }[] = [];
  let vendorsOn: string | null = null;
  const vendors: VendorStatus[] = [];
  const features = new Map<string, Feature>();
  let feature: Feature | null = null;
  let pool: FeatureStatus | null = null;

  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = SERVERS.exec(line))) {
      members = m[1].split(',').map((entry) => {
        const [port, host] = entry.split('@');
        return { host, port: Number(port) };
      });
    } else if ((m = LICENSE_FILES.exec(line))) {
      // lmutil names the first server it asked here; ours names the one that answers for the entry
      licenseFiles = [m[1]];
    } else if ((m = SERVER_UP.exec(line))) {
      serverLines.push({ host: m[1], up: { master: m[2] !== undefined, version: m[3] }, errno: '' });
    } else if ((m = SERVER_DOWN.exec(line))) {
      serverLines.push({ host: m[1], up: null, errno: m[2] });
    } else if ((m = VENDORS_ON.exec(line))) {
      vendorsOn = m[1];
    } else if ((m = USERS_COUNTED.exec(line) ?? USERS_UNCOUNTED.exec(line) ?? USERS_ERROR.exec(line))) {
      const error = USERS_ERROR.test(line);
      const counted = USERS_COUNTED.test(line);
      feature = { header: { issued: counted || error ? Number(m[2]) : null, inUse: counted ? Number(m[3]) : 0, served: !error }, pools: [] };
      features.set(m[1], feature);
      pool = null;
    } else if ((m = POOL.exec(line))) {
      if (!feature) throw new Error(`pool line before any "Users of": ${line}`);
      const expiry = m[4] === undefined || m[4] === 'permanent(no expiration date)' ? 'permanent' : m[4];
      pool = featureStatus({ name: m[1], vendor: m[3], version: m[2], expiry });
      feature.pools.push(pool);
    } else if ((m = VENDOR_STRING.exec(line))) {
      pool!.vendorString = m[1];
    } else if ((m = KIND.exec(line))) {
      if (m[2]) Object.assign(pool!, { kind: 'nodelocked', lockedTo: m[3] });
      else if (m[4]) Object.assign(pool!, { kind: 'uncounted', lockedTo: m[5] === 'NOTHING (hostid=ANY)' ? null : m[5].replaceAll('"', '') });
    } else if ((m = RESERVATION.exec(line))) {
      const reservation: ReservationStatus = { count: Number(m[1]), type: m[2], name: m[3] };
      pool!.reservations.push(reservation);
    } else if ((m = USER.exec(line))) {
      pool!.users.push(userOf(m, today));
    } else if ((m = VENDOR.exec(line))) {
      vendors.push({ name: m[1], up: m[2] !== undefined, version: m[2] ?? 'v0', problem: null });
    } else if (!IGNORED.some((re) => re.test(line))) {
      throw new Error(`the reader does not know this line: ${JSON.stringify(line)}`);
    }
  }

  const triad = members.length === 3;
  const memberStatus = members.map((member, index): MemberStatus => {
    const seen = serverLineOf(serverLines, member.host);
    return {
      host: member.host,
      hostid: 'ANY',
      port: member.port,
      rank: triad ? (['primary', 'secondary', 'tertiary'] as const)[index] : 'single',
      up: seen?.up !== null,
      master: seen?.up?.master ?? false,
      self: false,
      heartbeatRttMs: null,
      heartbeatAgeMs: null,
      heartbeatLossPercent: null,
      problem: null,
    };
  });
  // A single server that lmutil listed without (MASTER) still serves (its vendor daemons are UP).
  const masterHost = serverLines.find((s) => s.up?.master)?.host ?? (triad ? null : members[0]?.host ?? null);
  const status = (host: string, version: string): ServerStatus => ({
    optionsProblems: [],
    takenAt: clock.nowMs,
    version,
    host,
    port: members.find((member) => member.host === host)?.port ?? members[0].port,
    licenseFiles,
    mode: triad ? 'triad' : 'single',
    role: host === masterHost ? 'master' : 'standby',
    master: vendorsOn ?? masterHost,
    quorum: true,
    members: memberStatus.map((member) => ({ ...member, self: member.host === host })),
    vendors,
    features: [...features].flatMap(([name, f]) => poolsOf(name, f, vendors)),
    warnings: [],
  });
  const probes = members.map((member): MemberProbe => {
    const seen = serverLineOf(serverLines, member.host);
    if (seen?.up) return { host: member.host, port: member.port, status: status(member.host, seen.up.version) };
    return { host: member.host, port: member.port, failure: { code: ERRNO[seen?.errno ?? ''] ?? null, message: 'down' } };
  });
  return { members, probes };
}

/** The server line for a member; lmutil sometimes repeats one in another case (Windows). */
function serverLineOf<T extends { host: string }>(lines: T[], host: string): T | undefined {
  return lines.find((line) => line.host.toLowerCase() === host.toLowerCase());
}

/**
 * The feature's count and use go on its first pool: lmstat prints only their sums. Its "in use"
 * counts the reserved seats nobody took (the RESERVATION lines), which the status keeps apart.
 */
function poolsOf(name: string, feature: Feature, vendors: VendorStatus[]): FeatureStatus[] {
  const pools = feature.pools.length > 0 ? feature.pools : [featureStatus({ name, vendor: vendors[0]?.name ?? 'vendor' })];
  const { issued, served } = feature.header;
  const reserved = pools.flatMap((pool) => pool.reservations).reduce((sum, reservation) => sum + reservation.count, 0);
  const inUse = feature.header.inUse - reserved;
  return pools.map((pool, index) => ({
    ...pool,
    issued: issued === null ? null : index === 0 ? issued : 0,
    inUse: index === 0 ? inUse : 0,
    kind: issued === null ? 'uncounted' : pool.kind,
    served,
    notServedReason: served ? null : 'not served',
  }));
}

function userOf(m: RegExpExecArray, today: { month: number; day: number; year: number }): UserStatus {
  const [user, host, ...display] = m[1].split(' ');
  const [month, day, hour, minute] = [m[6], m[7], m[8], m[9]].map(Number);
  // lmstat prints no year: a start after today's date was last year
  const year = month > today.month || (month === today.month && day > today.day) ? today.year - 1 : today.year;
  return {
    user,
    host,
    display: display.join(' '),
    version: m[2],
    server: m[3],
    port: Number(m[4]),
    handle: Number(m[5]),
    startedAt: Date.UTC(year, month - 1, day, hour, minute),
    count: m[10] ? Number(m[10]) : 1,
    linger: m[11] ? { remaining: Number(m[11]), total: Number(m[12]) } : null,
  };
}

/** A real `lmstat -i` table as the status pools that give the same table. */
export function readLicenseTable(text: string): ServerStatus {
  const lines = text.split('\n');
  const headerIndex = lines.findIndex((line) => /^Feature\s+Version\s+#licenses/.test(line));
  const expiresFirst = /Expires\s+Vendor\s*$/.test(lines[headerIndex]);
  const features = lines
    .slice(headerIndex + 2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, version, count, ...rest] = line.trim().split(/\s+/);
      const [expiry, vendor] = expiresFirst ? [rest[0], rest[1]] : [rest.slice(1).join(' '), rest[0]];
      return featureStatus({ name, vendor, version, issued: Number(count), expiry: expiry === 'permanent(no expiration date)' ? 'permanent' : expiry });
    });
  return {
    optionsProblems: [],
    takenAt: 0,
    version: 'v1.0.0',
    host: 'server',
    port: 27000,
    licenseFiles: [],
    mode: 'single',
    role: 'master',
    master: 'server',
    quorum: true,
    members: [],
    vendors: [],
    features,
    warnings: [],
  };
}
