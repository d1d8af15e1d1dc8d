import { MEMBERS, type Member } from './cluster';
import type { ClientEvent } from './clients';
import type { RoleObservation } from './observer';

/**
 * Issue 7's checks over what a chaos run left behind: the clients' records, the three report
 * logs and the role observations, all on the drill's real time (report rows put back on it, see
 * reportTail.ts). Pure: records in, violations and figures out.
 */

export interface ReportRow {
  member: Member;
  leaseId: string | null;
  event: string;
  timeMs: number;
}

export interface ChaosRecords {
  /** Seats licensed at the start. */
  licensedSeats: number;
  /**
   * Later counts (run-time imports), oldest first, each in force from `fromMs`. While an import
   * is under way the larger of the old and the new count is allowed.
   */
  countChanges?: { fromMs: number; count: number }[];
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
  /** Seats a member answered heartbeats for after some member's report log ended them. */
  seatsAnsweredAfterEnd: number;
  /** Total time two members answered master at once (proven overlaps), ms. */
  twoMasterMs: number;
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

/**
 * Sweeps the intervals in time order (ends before starts at the same ms): the most open at once,
 * and the worst excess over what was licensed when an interval opened (a seat handed out while
 * as many as allowed were already out), if any.
 */
function sweep(intervals: Interval[], allowedAt: (t: number) => number): { max: number; excess: { open: string[]; at: number; allowed: number } | null } {
  const points = intervals.flatMap((iv) => [
    { t: iv.start, d: 1, iv },
    { t: iv.end, d: -1, iv },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  const open = new Set<Interval>();
  let max = 0;
  let excess: { open: string[]; at: number; allowed: number } | null = null;
  for (const p of points) {
    if (p.d === -1) {
      open.delete(p.iv);
      continue;
    }
    open.add(p.iv);
    max = Math.max(max, open.size);
    const allowed = allowedAt(p.t);
    if (open.size > allowed && (excess === null || open.size - allowed > excess.open.length - excess.allowed)) {
      excess = { open: [...open].map((iv) => iv.label), at: p.t, allowed };
    }
  }
  return { max, excess };
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

  const changes = [...(records.countChanges ?? [])].sort((a, b) => a.fromMs - b.fromMs);
  const allowedAt = (t: number) => changes.reduce((count, change) => (change.fromMs <= t ? change.count : count), licensedSeats);
  const iso = (t: number) => new Date(t).toISOString();

  // 1. seats held at once, as the clients were told: from "granted" until the client let go
  // (checkin sent, seat lost) or a report log says a server took it back (reclaim), but never
  // before the last time some member answered the client's heartbeat or resume for it: a member
  // still answering for a seat is still handing it out, whatever another member's log says.
  const grants = clientEvents.filter((e) => e.kind === 'granted');
  let seatsAnsweredAfterEnd = 0;
  const heldIntervals: Interval[] = grants.map((grant) => {
    const own = clientEvents.filter((e) => e.client === grant.client && e.leaseId === grant.leaseId && e.atMs >= grant.atMs);
    const letGo = own.find((e) => e.kind === 'checkinSent' || e.kind === 'lost')?.atMs ?? endedAt;
    const answers = own.filter((e) => (e.kind === 'confirmed' || e.kind === 'resumed') && e.atMs <= letGo);
    const lastAnswer = answers.at(-1);
    const taken = endedInLog.get(grant.leaseId!);
    const takenAt = taken && taken.event !== 'IN' ? taken.timeMs : Infinity;
    if (lastAnswer && lastAnswer.atMs > takenAt) seatsAnsweredAfterEnd++;
    const end = Math.min(letGo, Math.max(takenAt, lastAnswer?.atMs ?? grant.atMs));
    const answered =
      lastAnswer && lastAnswer.atMs > takenAt
        ? `, answered by ${lastAnswer.detail} at ${iso(lastAnswer.atMs)} after ${MEMBERS[taken!.member]} logged ${taken!.event} at ${iso(takenAt)}`
        : '';
    return { start: grant.atMs, end: Math.max(grant.atMs, end), label: `client ${grant.client} lease ${grant.leaseId}${answered}` };
  });
  const held = sweep(heldIntervals, allowedAt);
  if (held.excess) {
    violations.push(
      `${held.excess.open.length} seats held by clients at ${iso(held.excess.at)}, only ${held.excess.allowed} licensed: ${held.excess.open.join('; ')}`,
    );
  }

  // 2. seats in use as the report logs tell it (all members' rows merged by lease)
  const loggedIntervals: Interval[] = [...outInLog.values()].map((out) => {
    const ended = endedInLog.get(out.leaseId!);
    return { start: out.timeMs, end: Math.max(out.timeMs, ended?.timeMs ?? endedAt), label: `lease ${out.leaseId} (OUT on ${MEMBERS[out.member]})` };
  });
  const logged = sweep(loggedIntervals, allowedAt);
  if (logged.excess) {
    violations.push(
      `${logged.excess.open.length} seats out at once in the report logs at ${iso(logged.excess.at)}, only ${logged.excess.allowed} licensed: ` +
        `${logged.excess.open.join(', ')}`,
    );
  }

  // 3. no acknowledged seat lost: every grant is in a report log, and no client lost a seat
  for (const grant of grants) {
    if (!outInLog.has(grant.leaseId!)) {
      violations.push(`grant ${grant.leaseId} to client ${grant.client} at ${iso(grant.atMs)} is in no member's report log`);
    }
  }
  const lost = clientEvents.filter((e) => e.kind === 'lost');
  for (const event of lost) {
    const taken = endedInLog.get(event.leaseId!);
    violations.push(
      `client ${event.client} lost seat ${event.leaseId} at ${iso(event.atMs)} (${event.detail})` +
        (taken ? `; ${MEMBERS[taken.member]} logged ${taken.event} at ${iso(taken.timeMs)}` : '; no member logged it ending'),
    );
  }

  // 4. never two masters serving. A member answering "master" twice in a row (polls well under
  // the election timeout apart) was master in between; another member's whole "master" answer
  // window inside that span means both served at once.
  const byMember = ([0, 1, 2] as Member[]).map((m) => observations.filter((o) => o.member === m).sort((a, b) => a.sentAt - b.sentAt));
  const tenures = byMember.flatMap((list) =>
    list.slice(1).flatMap((o, i) => (o.role === 'master' && list[i].role === 'master' ? [{ member: o.member, from: list[i].receivedAt, to: o.sentAt }] : [])),
  );
  // one violation per episode: clashes of the same two members less than two seconds apart
  const episodes: { pair: string; first: number; last: number; answers: number }[] = [];
  for (const o of [...observations].sort((a, b) => a.sentAt - b.sentAt)) {
    if (o.role !== 'master') continue;
    const clash = tenures.find((t) => t.member !== o.member && t.from <= o.sentAt && o.receivedAt <= t.to);
    if (!clash) continue;
    const pair = `${MEMBERS[Math.min(o.member, clash.member)]} and ${MEMBERS[Math.max(o.member, clash.member)]} both answered master`;
    const episode = episodes.findLast((e) => e.pair === pair);
    if (episode && o.sentAt - episode.last < 2_000) {
      episode.last = o.receivedAt;
      episode.answers++;
    } else episodes.push({ pair, first: o.sentAt, last: o.receivedAt, answers: 1 });
  }
  for (const e of episodes) {
    violations.push(
      `two masters: ${e.pair}, ${e.answers} answers inside the other's tenure from ${iso(e.first)} to ${iso(e.last)} ` +
        `(${((e.last - e.first) / 1000).toFixed(1)} s)`,
    );
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
      seatsAnsweredAfterEnd,
      twoMasterMs: episodes.reduce((sum, e) => sum + (e.last - e.first), 0),
      masterChanges,
      observations: observations.length,
      observationGranularityMs: granularity,
    },
  };
}
