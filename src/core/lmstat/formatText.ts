import type { FeatureStatus, ServerStatus, UserStatus } from '../../shared/status';
import { escapeControlCharactersDeep } from '../../shared/controlChars';
import { quorumProblems } from './quorumProblems';
import { formatStartTime, formatStatusDate, type LmstatClock } from './clock';
import { LMUTIL_BANNER } from './identity';
import { authoritativeStatus, connectFailureMessage, type LmstatOptions, type MemberProbe, type ServerReport } from './report';

/**
 * `lmstat` text in the FlexLM layout of reference section 4.2 (the classic v11 layout most
 * lmstat parsers were written against), so that existing parsers and monitoring exporters read
 * it unchanged. Pure: the clock comes in as a parameter. Every line is built by one function
 * below, so escaping what a client sent (user, host, display) is one change per field.
 */

/** What lmutil prints between the entries of a license path with several servers. */
const ENTRY_SEPARATOR = '-'.repeat(76);

function header(clock: LmstatClock): string[] {
  return [LMUTIL_BANNER, `Flexible License Manager status on ${formatStatusDate(clock.nowMs, clock.timeZone)}`, ''];
}

export function formatLmstatText(reports: readonly ServerReport[], options: LmstatOptions, clock: LmstatClock): string {
  const lines = header(clock);
  // names come from clients: escape sequences in them must reach the terminal as text
  const escaped = escapeControlCharactersDeep(reports);
  const shown = options.serverStatus?.server ? escaped.filter((report) => listsServer(report, options.serverStatus!.server!)) : escaped;
  shown.forEach((report, index) => {
    if (index > 0) lines.push('', '', ENTRY_SEPARATOR);
    lines.push(...serverSection(report, options, clock));
  });
  return lines.join('\n') + '\n';
}

function listsServer(report: ServerReport, server: string): boolean {
  const wanted = server.toLowerCase();
  return report.members.some((m) => m.host.toLowerCase() === wanted || `${m.port}@${m.host}`.toLowerCase() === wanted);
}

/**
 * When no server of any entry answered, lmutil prints its banner and date, then one error
 * line for the first server it tried; null when someone answered.
 */
export function formatLmstatFailure(reports: readonly ServerReport[], clock: LmstatClock): string | null {
  if (reports.some((report) => authoritativeStatus(report) !== null)) return null;
  const first = reports.flatMap((report) => report.probes).find((probe) => 'failure' in probe);
  const message = first && 'failure' in first ? connectFailureMessage(first.failure) : 'No SERVER lines in license file. (-13,66)';
  return [...header(clock), `Error getting status: ${message}`, ''].join('\n');
}

function serverSection(report: ServerReport, options: LmstatOptions, clock: LmstatClock): string[] {
  const status = authoritativeStatus(report);
  const lines = [`License server status: ${report.members.map((m) => `${m.port}@${m.host}`).join(',')}`];
  if (status) lines.push(`    License file(s) on ${status.host}: ${status.licenseFiles.map((file) => `${file}:`).join('')}`);
  lines.push('', ...report.probes.map(serverLine));
  for (const { host, problem } of quorumProblems(report)) lines.push(`    ${host}: UP but not in the quorum: ${problem}`);
  lines.push('');
  if (!status || options.serverStatus) return lines;

  lines.push(`Vendor daemon status (on ${status.master ?? status.host}):`, '');
  const serving = status.role === 'master';
  for (const vendor of status.vendors) {
    if (options.vendor !== undefined && vendor.name !== options.vendor) continue;
    lines.push(vendor.up && serving ? `  ${vendor.name}: UP ${vendor.version}` : `  ${vendor.name}: The desired vendor daemon is down. (-97,121)`);
  }
  lines.push('');
  if (options.usage !== 'none') lines.push(...featureUsage(status, options, clock));
  return lines;
}

function serverLine(probe: MemberProbe): string {
  if ('failure' in probe) return `${probe.host}: ${connectFailureMessage(probe.failure)}`;
  const master = probe.status.role === 'master' ? ' (MASTER)' : '';
  return `${probe.status.host}: license server UP${master} ${probe.status.version}`;
}

function featureUsage(status: ServerStatus, options: LmstatOptions, clock: LmstatClock): string[] {
  const lines = ['Feature usage info:', ''];
  const pools = options.vendor === undefined ? status.features : status.features.filter((pool) => pool.vendor === options.vendor);
  const names = typeof options.usage === 'object' ? [options.usage.feature] : [...new Set(pools.map((pool) => pool.name))];
  for (const name of names) {
    const named = pools.filter((pool) => pool.name === name);
    if (named.length === 0) {
      lines.push(`Users of ${name}: Cannot get users of ${name}: No such feature exists. (-5,222)`, '');
      continue;
    }
    if (options.usage === 'active' && named.every((pool) => pool.inUse === 0)) continue;
    lines.push(usersHeader(name, named), '');
    for (const pool of named) lines.push(...poolBlock(pool, status, clock));
  }
  return lines;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function sumOf<T>(items: readonly T[], seats: (item: T) => number | null): number {
  return items.reduce((sum, item) => sum + (seats(item) ?? 0), 0);
}

function usersHeader(name: string, pools: FeatureStatus[]): string {
  const served = pools.filter((pool) => pool.served);
  // the count the license file gives, which the server cannot serve (bad signature, expired...)
  if (served.length === 0) return `Users of ${name}:  (Error: ${sumOf(pools, (pool) => pool.issued)} licenses, unsupported by licensed server)`;
  if (served.every((pool) => pool.issued === null)) return `Users of ${name}:  (Uncounted, node-locked)`;
  const issued = sumOf(served, (pool) => pool.issued);
  // lmutil counts a reserved seat as in use until someone it is reserved for takes it
  const inUse = sumOf(served, (pool) => pool.inUse + sumOf(pool.reservations, (reservation) => reservation.count));
  return `Users of ${name}:  (Total of ${plural(issued, 'license')} issued;  Total of ${plural(inUse, 'license')} in use)`;
}

/** FlexLM shows a pool only when someone holds it or seats are reserved in it. */
function poolBlock(pool: FeatureStatus, status: ServerStatus, clock: LmstatClock): string[] {
  if (!pool.served || (pool.users.length === 0 && pool.reservations.length === 0)) return [];
  const expiry = pool.expiry === 'permanent' ? 'permanent(no expiration date)' : pool.expiry;
  const lines = [`  "${pool.name}" v${pool.version}, vendor: ${pool.vendor}, expiry: ${expiry}`];
  if (pool.vendorString !== null) lines.push(`  vendor_string: ${pool.vendorString}`);
  lines.push(`  ${poolKindLine(pool)}`, '');
  const server = `${status.master ?? status.host}/${status.port}`;
  for (const reservation of pool.reservations) {
    const word = reservation.count === 1 ? 'RESERVATION' : 'RESERVATIONs';
    lines.push(`\t${reservation.count} ${word} for ${reservation.type} ${reservation.name} (${server})`);
  }
  for (const user of pool.users) lines.push(userLine(user, clock));
  lines.push('');
  return lines;
}

function poolKindLine(pool: FeatureStatus): string {
  switch (pool.kind) {
    case 'uncounted':
      return `uncounted nodelocked license locked to ${pool.lockedTo ? `"${pool.lockedTo}"` : 'NOTHING (hostid=ANY)'}`;
    case 'nodelocked':
      return `nodelocked license, locked to "${pool.lockedTo ?? 'ANY'}"`;
    case 'floating':
    case 'user-based':
      return 'floating license';
  }
}

/**
 * `    user host display (vVER) (server/port handle), start ddd M/D H:MM[, N licenses][  (linger: a / b)]`.
 * An empty display is left out, as lmutil does (exporter-app7 sample). Linger prints seconds
 * remaining / seconds total: which number comes first in FlexLM is UNCONFIRMED (reference 3
 * shows only `(linger: a / b)`). Newer builds append `, PID: n`; we do not, because several
 * parsers (omnivector's) stop matching user lines that carry it.
 */
export function userLine(user: UserStatus, clock: LmstatClock): string {
  const who = [user.user, user.host, ...(user.display === '' ? [] : [user.display])].join(' ');
  let line = `    ${who} (v${user.version}) (${user.server}/${user.port} ${user.handle}), start ${formatStartTime(user.startedAt, clock.timeZone)}`;
  if (user.count > 1) line += `, ${user.count} licenses`;
  if (user.linger) line += `  (linger: ${user.linger.remaining} / ${user.linger.total})`;
  return line;
}
