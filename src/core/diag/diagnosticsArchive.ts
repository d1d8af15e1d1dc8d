import { strToU8, zipSync } from 'fflate';
import type { ClientConfig, DebugLogLine } from '../../shared/contract';
import { formatDebugLogText } from '../../shared/debugLogText';
import type { ServerStatus } from '../../shared/status';
import { formatLmstatText, type ServerReport } from '../lmstat';

/**
 * "Collect diagnostics": one zip with what support asks for, so an administrator sends one file
 * instead of answering ten questions. Pure: the sources are read by the caller (the admin API,
 * which reaches the master's log over the peer link, or `triad diag`); secrets never enter (the
 * admin token, the cluster secret and private keys are not sources), and any text that still
 * carries one of `secrets` has it replaced before it is zipped.
 */

export interface DiagnosticsSources {
  nowMs: number;
  timeZone: string;
  /** This server's own snapshot. */
  status: ServerStatus;
  /** Every member asked over its license port, as lmstat asks (null when it could not be asked). */
  members: ServerReport | null;
  /** The master's most recent debug-log lines, oldest first, and whose they are. */
  debugLog: { lines: DebugLogLine[]; from: string };
  licenseFiles: { fileName: string; text: string }[];
  optionsFiles: { fileName: string; text: string }[];
  versions: Record<string, string>;
  /** Server settings (data folder, identity, ports...): nothing secret. */
  settings: Record<string, unknown>;
  clientConfig: ClientConfig;
  trustedKeys: { vendor: string; fingerprint: string }[];
  /** Values that must not appear anywhere in the archive. */
  secrets: string[];
}

/** What the archive says it leaves out, in its README. */
export const LEFT_OUT = ['the admin token (admin.token)', 'the cluster secret (cluster.secret)', 'private vendor keys (*.key)', 'the database itself'];

export function diagnosticsEntries(sources: DiagnosticsSources): Record<string, string> {
  const entries: Record<string, string> = {
    'README.txt': readme(sources),
    'status/this-server.json': json(sources.status),
    'peers.txt': peersTable(sources.status),
    'versions.txt': Object.entries(sources.versions).map(([name, version]) => `${name}: ${version}`).join('\n') + '\n',
    'settings.json': json({ ...sources.settings, clientConfiguration: sources.clientConfig, trustedKeys: sources.trustedKeys }),
    'debug-log.txt': formatDebugLogText(sources.debugLog.lines),
  };
  if (sources.members) {
    entries['lmstat-a.txt'] = formatLmstatText([sources.members], { usage: 'all' }, { nowMs: sources.nowMs, timeZone: sources.timeZone });
    for (const probe of sources.members.probes) {
      entries[`status/${probe.port}@${probe.host}.json`] = json('status' in probe ? probe.status : { unreachable: probe.failure });
    }
  }
  for (const file of sources.licenseFiles) entries[`licenses/${file.fileName}`] = file.text;
  for (const file of sources.optionsFiles) entries[`options/${file.fileName}`] = file.text;
  return Object.fromEntries(Object.entries(entries).map(([name, text]) => [name, redact(text, sources.secrets)]));
}

/** The zip (deflated) of the entries, in a folder named like the archive, so unpacking stays tidy. */
export function diagnosticsZip(folder: string, entries: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(entries).map(([name, text]) => [`${folder}/${name}`, strToU8(text)])), { level: 6 });
}

/** `triad-diag-HOST-YYYYMMDD-HHMMSS` in UTC. */
export function diagnosticsName(host: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `triad-diag-${host.replace(/[^A-Za-z0-9.-]/g, '_')}-${stamp}`;
}

function readme(sources: DiagnosticsSources): string {
  const { status } = sources;
  return [
    `Triad License Server diagnostics, collected on ${status.host} (${status.role}) at ${new Date(sources.nowMs).toISOString()}.`,
    '',
    'status/this-server.json   this server\'s status snapshot',
    'status/PORT@HOST.json     each member\'s status, asked over its license port',
    'lmstat-a.txt              lmstat -a for this server (all members of a triad)',
    'peers.txt                 triad members: up, master, heartbeat round trip, age, loss',
    `debug-log.txt             the most recent debug-log lines of ${sources.debugLog.from}`,
    'licenses/, options/       the license and options files served',
    'versions.txt, settings.json',
    '',
    `Left out on purpose: ${LEFT_OUT.join(', ')}.`,
    '',
  ].join('\n');
}

function peersTable(status: ServerStatus): string {
  if (status.members.length === 0) return 'No SERVER lines: an uncounted license, no members.\n';
  const cell = (value: number | null, unit: string) => (value === null ? '-' : `${value}${unit}`);
  const rows = status.members.map((m) =>
    [
      m.rank,
      `${m.port ?? ''}@${m.host}`,
      m.self ? 'this server' : m.up ? 'up' : 'DOWN',
      m.master ? 'MASTER' : '',
      cell(m.heartbeatRttMs, ' ms'),
      cell(m.heartbeatAgeMs, ' ms'),
      cell(m.heartbeatLossPercent, ' %'),
      m.problem ?? '',
    ].join('\t'),
  );
  return ['rank\tserver\tstate\trole\tround trip\tlast heard\tloss\tproblem', ...rows].join('\n') + '\n';
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((secret) => secret.length >= 8).reduce((out, secret) => out.split(secret).join('[left out: secret]'), text);
}
