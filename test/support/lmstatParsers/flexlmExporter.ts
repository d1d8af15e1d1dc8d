/**
 * The lmstat parsing rules of the Prometheus FlexLM exporter, transcribed to TypeScript:
 *   repository mjtrangoni/flexlm_exporter (Apache License 2.0, Copyright 2017 Mario Trangoni)
 *   collector/lmstat.go @ 153766a49cae1f6c9ba9400a07ab0998f698a5e7 (splitOutput, parseLmstat*)
 *   collector/regexp.go @ 038e920829fac76f04b51ff19c7fbe270ac4304f (the regexes, kept verbatim
 *     apart from Go's [[:print:]] and [[:graph:]], written as the ASCII ranges they stand for)
 *   collector/lmstat_feature_exp.go @ 33b72c6a9f70aa7590a52c30b96c5a47e645e1d7 (`lmstat -i`)
 * What it extracts is what the exporter turns into metrics. Where Go would panic (a server line
 * whose name the `License server status:` line does not list: issues #54, #76, #80), this throws.
 * Start times are kept as lmstat prints them (the exporter turns them into Unix time with the
 * clock of the machine it runs on).
 */
import { exporterLines } from './goCsvLines';

const PRINT = '\\x20-\\x7E';
const GRAPH = '\\x21-\\x7E';

const versionRegex = /^lmstat (?<version>v[\d.]+) build (?<build>\d+) (?<arch>[\w]+)/;
const serversRegex = /^License server status: (?<servers>[\w,.@-]+)/;
const serverStatusRegex = /(?<fqdn>[\w.-]+): license server (?<status>\w+)(?<master>\s\(MASTER\))? (?<version>v[\d.]+)$/;
const vendorStatusRegex = /^\s+(?<vendor>\w+): (?<status>UP|DOWN) (?<version>v[\d.]+)$/;
const featureUsageRegex = /^Users of (?<name>.*):\s+\(Total of (?<issued>\d+) \w+ issued;\s+Total of (?<used>\d+) \w+ in use\)$/;
const tail = String.raw`\, start (?<since>\w+ \d+\/\d+ \d+\:\d+)(\,\s(?<licenses>\d+)\s\w+|)(\s+\(linger\:\s\d+\s\/\s\d+\))?(\,\s+PID\:\s+\d+\s?)?$`;
const userRegex = new RegExp(String.raw`^\s+(?<user>[\w${PRINT}]+) [\w\-\.]+ [${PRINT}]+ (?<ver>\(v[\w\.]+\)) \([\w\-\.]+\/\d+ \d+\)` + tail);
const user2Regex = new RegExp(String.raw`^\s+(?<user>[\w${PRINT}]+) [\w\-\.]+ (?<ver>\(v[\w\.]+\)) \([\w\-\.]+\/\d+ \d+\)` + tail);
const groupReservationRegex = /^(\s+|)(?<reservation>\d+)\s+\w+\s+for\s+(HOST_GROUP|GROUP)\s+(?<group>\w+).*$/;
const featureExpRegex = new RegExp(String.raw`^(?<feature>[${GRAPH}]+)\s+(?<version>[\d\.]+)\s+(?<licenses>\d+)\s+(?<expires>[\w\-]+)\s+(?<vendor>\w+)$`);
const featureExpRegex2 = new RegExp(
  String.raw`^(?<feature>[${GRAPH}]+)\s+(?<version>[\d\.]+)\s+(?<licenses>\d+)\s+(?<vendor>\w+)\s+(?<expires>[\w\-\s\(\)]+)$`,
);

export interface ExporterServer {
  fqdn: string;
  port: string;
  status: boolean;
  master: boolean;
  version: string;
}

export interface ExporterUserUse {
  version: string;
  since: string;
  num: number;
}

export interface ExporterResult {
  /** Keyed by the first DNS label of the server name, as the exporter keys them. */
  servers: Record<string, ExporterServer>;
  vendors: Record<string, { status: boolean; version: string }>;
  features: Record<string, { issued: number; used: number }>;
  /** feature -> user -> uses by version (the exporter's flexlm_feature_used_users). */
  users: Record<string, Record<string, ExporterUserUse[]>>;
  /** feature -> group -> reserved seats (flexlm_feature_reserved_groups). */
  reservations: Record<string, Record<string, number>>;
}

/** `lmutil lmstat -v`: { arch, build, version }, or "not found" for each. */
export function exporterLmstatVersion(text: string): { arch: string; build: string; version: string } {
  for (const line of exporterLines(text)) {
    const m = versionRegex.exec(line);
    if (m?.groups) return { arch: m.groups.arch, build: m.groups.build, version: m.groups.version };
  }
  return { arch: 'not found', build: 'not found', version: 'not found' };
}

/** `lmutil lmstat -c X -a`, as the exporter's collect() reads it. */
export function exporterLmstat(text: string): ExporterResult {
  const lines = exporterLines(text);
  return { servers: parseServers(lines), vendors: parseVendors(lines), ...parseFeatures(lines) };
}

function parseServers(lines: string[]): Record<string, ExporterServer> {
  const servers: Record<string, ExporterServer> = {};
  for (const line of lines) {
    const list = serversRegex.exec(line);
    if (list?.groups) {
      for (const portServer of list.groups.servers.split(',')) {
        const [port, fqdn] = portServer.split('@');
        if (fqdn === undefined) throw new Error(`index out of range: "${portServer}" has no @ (Go panics)`);
        servers[fqdn.split('.')[0]] = { fqdn, port, status: false, master: false, version: '' };
      }
      continue;
    }
    const m = serverStatusRegex.exec(line);
    if (!m?.groups) continue;
    const server = servers[m.groups.fqdn.split('.')[0]];
    if (!server) throw new Error(`invalid memory address or nil pointer dereference: "${m.groups.fqdn}" is not on the License server status line`);
    server.version = m.groups.version;
    if (m.groups.status === 'UP') server.status = true;
    if (m.groups.master === ' (MASTER)') server.master = true;
  }
  return servers;
}

function parseVendors(lines: string[]): ExporterResult['vendors'] {
  const vendors: ExporterResult['vendors'] = {};
  for (const line of lines) {
    const m = vendorStatusRegex.exec(line);
    if (m?.groups) vendors[m.groups.vendor] = { status: m.groups.status === 'UP', version: m.groups.version };
  }
  return vendors;
}

function parseFeatures(lines: string[]): Pick<ExporterResult, 'features' | 'users' | 'reservations'> {
  const features: ExporterResult['features'] = {};
  const users: ExporterResult['users'] = {};
  const reservations: ExporterResult['reservations'] = {};
  let featureName = '';
  for (const line of lines) {
    const usage = featureUsageRegex.exec(line);
    if (usage?.groups) {
      featureName = usage.groups.name;
      features[featureName] = { issued: Number(usage.groups.issued), used: Number(usage.groups.used) };
      continue;
    }
    if (userRegex.test(line)) {
      users[featureName] ??= {};
      let m = userRegex.exec(line)!.groups!;
      if (m.user.trim() === '') m = user2Regex.exec(line)?.groups ?? {};
      const byUser = (users[featureName][m.user] ??= []);
      if (m.ver && !byUser.some((use) => use.version === m.ver)) byUser.push({ version: m.ver, since: m.since, num: 0 });
      for (const use of byUser) if (use.version === m.ver) use.num += m.licenses ? Number(m.licenses) : 1;
      continue;
    }
    const reserved = groupReservationRegex.exec(line);
    if (reserved?.groups) {
      reservations[featureName] ??= {};
      reservations[featureName][reserved.groups.group] = Number(reserved.groups.reservation);
    }
  }
  return { features, users, reservations };
}

/** `lmutil lmstat -c X -i`, as the lmstat_feature_exp collector reads it (expiry kept as printed). */
export function exporterFeatureExpiry(text: string): { name: string; version: string; licenses: string; vendor: string; expires: string }[] {
  const rows = [];
  for (const line of exporterLines(text)) {
    const first = featureExpRegex.exec(line)?.groups;
    const m = first ?? featureExpRegex2.exec(line)?.groups;
    if (m) rows.push({ name: m.feature, version: m.version, licenses: m.licenses, vendor: m.vendor, expires: m.expires });
  }
  return rows;
}
