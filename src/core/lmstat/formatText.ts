import type { FeatureStatus, ServerStatus, UserStatus } from '../../shared/status';
import { escapeControlCharactersDeep } from '../../shared/controlChars';
import { quorumProblems } from './quorumProblems';
import { formatStartTime, formatStatusDate, type LmstatClock } from './clock';
import { authoritativeStatus, connectFailureDetail, type LmstatOptions, type ServerReport } from './report';

/**
 * `lmstat` text in the FlexLM layout of reference section 4.2, so that existing lmstat parsers
 * and monitoring exporters read it unchanged. Pure: the clock comes in as a parameter.
 */

/** Our own banner; line 1 keeps lmutil's `lmutil - ` prefix that some parsers skip on. */
export const LMSTAT_BANNER = 'lmutil - Copyright (c) 2026 Triad License Server developers. All Rights Reserved.';

export function formatLmstatText(reports: readonly ServerReport[], options: LmstatOptions, clock: LmstatClock): string {
  const lines = [LMSTAT_BANNER, `Flexible License Manager status on ${formatStatusDate(clock.nowMs, clock.timeZone)}`, ''];
  // names come from clients: escape sequences in them must reach the terminal as text
  for (const report of escapeControlCharactersDeep(reports)) lines.push(...serverSection(report, options, clock));
  return lines.join('\n') + '\n';
}

/** Whole-command failure when no server of any entry answered (FlexLM's wording). */
export function formatLmstatFailure(reports: readonly ServerReport[]): string | null {
  if (reports.some((report) => authoritativeStatus(report) !== null)) return null;
  const first = reports[0]?.probes.find((probe) => 'failure' in probe);
  const detail = first && 'failure' in first ? connectFailureDetail(first.failure) : '(-1,359 "no license server listed")';
  return `Error getting status: Cannot connect to license server ${detail}`;
}

function serverSection(report: ServerReport, options: LmstatOptions, clock: LmstatClock): string[] {
  const status = authoritativeStatus(report);
  const lines = [`License server status: ${report.members.map((m) => `${m.port}@${m.host}`).join(',')}`];
  if (status) lines.push(`    License file(s) on ${status.host}: ${status.licenseFiles.map((file) => `${file}:`).join('')}`);
  lines.push('');
  for (const probe of report.probes) {
    if ('status' in probe) {
      const master = probe.status.role === 'master' ? ' (MASTER)' : '';
      lines.push(`${probe.status.host}: license server UP${master} ${probe.status.version}`);
    } else {
      lines.push(`${probe.host}: Cannot connect to license server system. ${connectFailureDetail(probe.failure)}`);
    }
  }
  for (const { host, problem } of quorumProblems(report)) lines.push(`    ${host}: UP but not in the quorum: ${problem}`);
  lines.push('');
  if (!status) return lines;

  const serving = status.role === 'master';
  lines.push(`Vendor daemon status (on ${status.master ?? status.host}):`, '');
  for (const vendor of status.vendors) {
    lines.push(vendor.up && serving ? `  ${vendor.name}: UP ${vendor.version}` : `  ${vendor.name}: The desired vendor daemon is down. (-97,121)`);
  }
  lines.push('');
  if (options.all || options.feature !== null) lines.push(...featureUsage(status, options.feature, clock));
  return lines;
}

function featureUsage(status: ServerStatus, only: string | null, clock: LmstatClock): string[] {
  const lines = ['Feature usage info:', ''];
  const names = only !== null ? [only] : [...new Set(status.features.map((pool) => pool.name))];
  for (const name of names) {
    const pools = status.features.filter((pool) => pool.name === name);
    if (pools.length === 0) {
      lines.push(`Users of ${name}: Cannot get users of ${name}: No such feature exists. (-5,222)`, '');
      continue;
    }
    lines.push(usersHeader(name, pools), '');
    for (const pool of pools) lines.push(...poolBlock(pool, status, clock));
  }
  return lines;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function usersHeader(name: string, pools: FeatureStatus[]): string {
  const served = pools.filter((pool) => pool.served);
  if (served.length === 0) {
    const issued = pools.reduce((sum, pool) => sum + (pool.issued ?? 0), 0);
    return `Users of ${name}:  (Error: ${issued} licenses, unsupported by licensed server)`;
  }
  if (served.every((pool) => pool.issued === null)) return `Users of ${name}:  (Uncounted, node-locked)`;
  const issued = served.reduce((sum, pool) => sum + (pool.issued ?? 0), 0);
  const inUse = served.reduce((sum, pool) => sum + pool.inUse, 0);
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
 * Linger prints seconds remaining / seconds total: which number comes first in FlexLM is
 * UNCONFIRMED (reference 3 shows only `(linger: a / b)`).
 */
export function userLine(user: UserStatus, clock: LmstatClock): string {
  const start = formatStartTime(user.startedAt, clock.timeZone);
  let line = `    ${user.user} ${user.host} ${user.display} (v${user.version}) (${user.server}/${user.port} ${user.handle}), start ${start}`;
  if (user.count > 1) line += `, ${user.count} licenses`;
  if (user.linger) line += `  (linger: ${user.linger.remaining} / ${user.linger.total})`;
  return line;
}
