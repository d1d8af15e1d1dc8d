import { MEMBERS, type Member } from './cluster';
import type { ClientEvent } from './clients';
import type { RoleObservation } from './observer';

/**
 * Issue 7's checks over what a chaos run left behind: the clients' records, the three report
 * logs and the role observations. Pure: records in, violations and figures out.
 */

export interface ReportRow {
  member: Member;
  leaseId: string | null;
  event: string;
  timeMs: number;
}

export interface ChaosRecords {
  licensedSeats: number;
  clientEvents: ClientEvent[];
  reportRows: ReportRow[];
  observations: RoleObservation[];
  endedAt: number;
}

export interface ChaosFigures {
  grants: number;
  denials: number;
  unreachable: number;
  resumes: number;
  lostSeats: number;
  /** Checkins sent whose seat a server reclaimed instead (the checkin met a broken link). */
  checkinsReclaimed: number;
  maxSeatsHeldByClients: number;
  maxSeatsInReportLogs: number;
  masterChanges: number;
  observations: number;
  /** Largest gap between two answers of one member while it was up, ms (observation granularity). */
  observationGranularityMs: number;
}

export interface CheckResult {
  violations: string[];
  figures: ChaosFigures;
}

type Interval = { start: number; end: number; label: string };

/** Most intervals open at one instant, and when (ends before starts at the same ms). */
function maxOverlap(intervals: Interval[]): { max: number; at: number; open: string[] } {
  const points = intervals.flatMap((iv) => [
    { t: iv.start, d: 1, iv },
    { t: iv.end, d: -1, iv },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  const open = new Set<Interval>();
  let best = { max: 0, at: 0, open: [] as string[] };
  for (const p of points) {
    if (p.d === 1) open.add(p.iv);
    else open.delete(p.iv);
    if (open.size > best.max) best = { max: open.size, at: p.t, open: [...open].map((iv) => iv.label) };
  }
  return best;
}

const ENDING_EVENTS = new Set(['IN', 'RECLAIM', 'REMOVE']);

export function checkChaosRun(records: ChaosRecords): CheckResult {
  const violations: string[] = [];
  const { clientEvents, reportRows, observations, licensedSeats, endedAt } = records;

  // the first row that ended each lease, in any member's report log
  const endedInLog = new Map<string, ReportRow>();
  const outInLog = new Map<string, ReportRow>();
  for (const row of [...reportRows].sort((a, b) => a.timeMs - b.timeMs)) {
    if (!row.leaseId) continue;
    if (row.event === 'OUT' && !outInLog.has(row.leaseId)) outInLog.set(row.leaseId, row);
    if (ENDING_EVENTS.has(row.event) && !endedInLog.has(row.leaseId)) endedInLog.set(row.leaseId, row);
  }

  // 1. seats held at once, as the clients were told: from "granted" until the client let go
  // (checkin sent, seat lost) or a report log says the server took it back (reclaim)
  const grants = clientEvents.filter((e) => e.kind === 'granted');
  const heldIntervals: Interval[] = grants.map((grant) => {
    const after = clientEvents.find(
      (e) => e.client === grant.client && e.leaseId === grant.leaseId && e.atMs >= grant.atMs && (e.kind === 'checkinSent' || e.kind === 'lost'),
    );
    const taken = endedInLog.get(grant.leaseId!);
    const end = Math.min(after?.atMs ?? endedAt, taken && taken.event !== 'IN' ? taken.timeMs : Infinity);
    return { start: grant.atMs, end: Math.max(grant.atMs, end), label: `client ${grant.client} lease ${grant.leaseId}` };
  });
  const held = maxOverlap(heldIntervals);
  if (held.max > licensedSeats) {
    violations.push(`${held.max} seats held by clients at ${new Date(held.at).toISOString()}, only ${licensedSeats} licensed: ${held.open.join(', ')}`);
  }

  // 2. seats in use as the report logs tell it (all members' rows merged by lease)
  const loggedIntervals: Interval[] = [...outInLog.values()].map((out) => {
    const ended = endedInLog.get(out.leaseId!);
    return { start: out.timeMs, end: Math.max(out.timeMs, ended?.timeMs ?? endedAt), label: `lease ${out.leaseId} (OUT on ${MEMBERS[out.member]})` };
  });
  const logged = maxOverlap(loggedIntervals);
  if (logged.max > licensedSeats) {
    violations.push(
      `${logged.max} seats out at once in the report logs at ${new Date(logged.at).toISOString()}, only ${licensedSeats} licensed: ${logged.open.join(', ')}`,
    );
  }

  // 3. no acknowledged seat lost: every grant is in a report log, and no client lost a seat
  for (const grant of grants) {
    if (!outInLog.has(grant.leaseId!)) {
      violations.push(`grant ${grant.leaseId} to client ${grant.client} at ${new Date(grant.atMs).toISOString()} is in no member's report log`);
    }
  }
  const lost = clientEvents.filter((e) => e.kind === 'lost');
  for (const event of lost) {
    const taken = endedInLog.get(event.leaseId!);
    violations.push(
      `client ${event.client} lost seat ${event.leaseId} at ${new Date(event.atMs).toISOString()} (${event.detail})` +
        (taken ? `; ${MEMBERS[taken.member]} logged ${taken.event} at ${new Date(taken.timeMs).toISOString()}` : '; no member logged it ending'),
    );
  }

  // 4. never two masters serving. A member answering "master" twice in a row (polls well under
  // the election timeout apart) was master in between; another member's whole "master" answer
  // window inside that span means both served at once.
  const byMember = ([0, 1, 2] as Member[]).map((m) => observations.filter((o) => o.member === m).sort((a, b) => a.sentAt - b.sentAt));
  const tenures = byMember.flatMap((list) =>
    list.slice(1).flatMap((o, i) => (o.role === 'master' && list[i].role === 'master' ? [{ member: o.member, from: list[i].receivedAt, to: o.sentAt }] : [])),
  );
  for (const o of observations) {
    if (o.role !== 'master') continue;
    const clash = tenures.find((t) => t.member !== o.member && t.from <= o.sentAt && o.receivedAt <= t.to);
    if (clash) {
      violations.push(
        `two masters: ${MEMBERS[o.member]} answered master between ${o.sentAt} and ${o.receivedAt} ` +
          `while ${MEMBERS[clash.member]} was master from ${clash.from} to ${clash.to} (epoch ms)`,
      );
    }
  }
  // plus the tertiary never masters
  if (observations.some((o) => o.member === 2 && o.role === 'master')) violations.push('the tertiary answered as master');

  let masterChanges = 0;
  let lastMaster: Member | null = null;
  for (const o of [...observations].sort((a, b) => a.receivedAt - b.receivedAt)) {
    if (o.role !== 'master') continue;
    if (lastMaster !== null && lastMaster !== o.member) masterChanges++;
    lastMaster = o.member;
  }
  let granularity = 0;
  for (const list of byMember) {
    for (let i = 1; i < list.length; i++)
      if (list[i].role !== null && list[i - 1].role !== null) granularity = Math.max(granularity, list[i].receivedAt - list[i - 1].receivedAt);
  }

  return {
    violations,
    figures: {
      grants: grants.length,
      denials: clientEvents.filter((e) => e.kind === 'denied').length,
      unreachable: clientEvents.filter((e) => e.kind === 'unreachable').length,
      resumes: clientEvents.filter((e) => e.kind === 'resumed').length,
      lostSeats: lost.length,
      checkinsReclaimed: clientEvents.filter((e) => e.kind === 'checkinSent' && endedInLog.get(e.leaseId!)?.event === 'RECLAIM').length,
      maxSeatsHeldByClients: held.max,
      maxSeatsInReportLogs: logged.max,
      masterChanges,
      observations: observations.length,
      observationGranularityMs: granularity,
    },
  };
}
