import { describe, expect, it } from 'vitest';
import { checkChaosRun, type ChaosRecords } from '../../bench/chaos/checker';
import type { ClientEvent } from '../../bench/chaos/clients';
import type { RoleObservation } from '../../bench/chaos/observer';
import { nemesisSchedule, CLASSIC_KINDS, FAULT_KINDS } from '../../bench/chaos/nemesis';
import { toRealTime } from '../../bench/chaos/wallClock';

// The chaos checker must fail a run when an invariant breaks: fed records of broken runs, it
// names the violation; fed a clean run, it finds none. (Pure: no servers here.)

const grant = (client: number, leaseId: string, atMs: number): ClientEvent => ({ atMs, client, kind: 'granted', leaseId });
const checkin = (client: number, leaseId: string, atMs: number): ClientEvent => ({ atMs, client, kind: 'checkinSent', leaseId });
const observe = (member: 0 | 1 | 2, sentAt: number, role: RoleObservation['role']): RoleObservation => ({
  member,
  sentAt,
  receivedAt: sentAt + 5,
  role,
  inUse: null,
});

function cleanRun(): ChaosRecords {
  return {
    licensedSeats: 2,
    clientEvents: [grant(0, 'a', 100), grant(1, 'b', 110), checkin(0, 'a', 200), grant(2, 'c', 210), checkin(1, 'b', 300), checkin(2, 'c', 400)],
    reportRows: [
      { member: 0, leaseId: 'a', event: 'OUT', timeMs: 99 },
      { member: 0, leaseId: 'b', event: 'OUT', timeMs: 109 },
      { member: 0, leaseId: 'a', event: 'IN', timeMs: 201 },
      { member: 0, leaseId: 'c', event: 'OUT', timeMs: 209 },
      { member: 0, leaseId: 'b', event: 'IN', timeMs: 301 },
      { member: 0, leaseId: 'c', event: 'IN', timeMs: 401 },
    ],
    // P master, then (after a gap) S master: a failover, never both at once
    observations: [
      observe(0, 0, 'master'),
      observe(0, 100, 'master'),
      observe(1, 50, 'standby'),
      observe(0, 200, null),
      observe(1, 300, 'master'),
      observe(1, 400, 'master'),
    ],
    endedAt: 500,
  };
}

describe('chaos checker', () => {
  it('finds nothing wrong in a clean run and counts it', () => {
    const result = checkChaosRun(cleanRun());
    expect(result.violations).toEqual([]);
    expect(result.figures).toMatchObject({ grants: 3, maxSeatsHeldByClients: 2, maxSeatsInReportLogs: 2, masterChanges: 1, lostSeats: 0 });
  });

  it('flags more seats held by clients than licensed', () => {
    const run = cleanRun();
    run.clientEvents.push(grant(3, 'd', 150), checkin(3, 'd', 160));
    run.reportRows.push({ member: 0, leaseId: 'd', event: 'OUT', timeMs: 150 });
    const violations = checkChaosRun(run).violations;
    expect(violations.some((v) => v.startsWith('3 seats held by clients'))).toBe(true);
    expect(violations.some((v) => v.startsWith('3 seats out at once in the report logs'))).toBe(true);
  });

  it('does not count a seat the server reclaimed from a client that had not noticed', () => {
    const run = cleanRun();
    run.clientEvents.push(grant(3, 'd', 50), checkin(3, 'd', 450));
    run.reportRows.push({ member: 0, leaseId: 'd', event: 'OUT', timeMs: 50 }, { member: 0, leaseId: 'd', event: 'RECLAIM', timeMs: 90 });
    // client 3 believes it holds 'd' until 450, but the server took it back at 90
    expect(checkChaosRun(run).violations).toEqual([]);
    run.reportRows = run.reportRows.filter((r) => !(r.leaseId === 'd' && r.event === 'RECLAIM'));
    expect(checkChaosRun(run).violations.some((v) => v.startsWith('3 seats held by clients'))).toBe(true);
  });

  it('flags an acknowledged grant missing from every report log', () => {
    const run = cleanRun();
    run.reportRows = run.reportRows.filter((r) => !(r.leaseId === 'b' && r.event === 'OUT'));
    expect(checkChaosRun(run).violations).toEqual([expect.stringMatching(/^grant b to client 1 .* is in no member's report log$/)]);
  });

  it('flags a client that lost its seat', () => {
    const run = cleanRun();
    run.clientEvents.push({ atMs: 250, client: 2, kind: 'lost', leaseId: 'c', detail: 'could not resume' });
    expect(checkChaosRun(run).violations).toEqual([expect.stringMatching(/^client 2 lost seat c .*could not resume/)]);
  });

  it('flags two members serving as master at once, and a tertiary master', () => {
    const run = cleanRun();
    run.observations.push(observe(1, 40, 'master'));
    expect(checkChaosRun(run).violations).toEqual([expect.stringMatching(/^two masters: P and S both answered master, 1 answers/)]);
    run.observations.push(observe(2, 600, 'master'));
    expect(checkChaosRun(run).violations).toContain('the tertiary answered as master');
  });

  it('a master answer outside the other member’s proven tenure is no violation (granularity)', () => {
    const run = cleanRun();
    // S answers master right after P's last master answer, with P silent afterwards: no proof of overlap
    run.observations.push(observe(1, 160, 'master'));
    expect(checkChaosRun(run).violations).toEqual([]);
  });

  it('counts a seat as held while any member answers its heartbeats, whatever another member logged', () => {
    // issue 14, finding 1: S (new master) reclaims lease d and grants its seat again, while the
    // cut-off P goes on answering d's heartbeats: 3 seats out of 2
    const run = cleanRun();
    const confirmed = (atMs: number): ClientEvent => ({ atMs, client: 3, kind: 'confirmed', leaseId: 'd', detail: '27000@P' });
    run.clientEvents.push(grant(3, 'd', 50), confirmed(150), confirmed(250), checkin(3, 'd', 450));
    run.reportRows.push({ member: 0, leaseId: 'd', event: 'OUT', timeMs: 50 }, { member: 1, leaseId: 'd', event: 'RECLAIM', timeMs: 90 });
    const result = checkChaosRun(run);
    expect(result.violations).toEqual([expect.stringMatching(/^3 seats held by clients at .*, only 2 licensed: .*lease d, answered by 27000@P at .* after S logged RECLAIM/)]);
    expect(result.figures.seatsAnsweredAfterEnd).toBe(1);
    // answers that stop before the reclaim leave the seat free from the reclaim on
    run.clientEvents = run.clientEvents.filter((e) => e.kind !== 'confirmed');
    expect(checkChaosRun(run).violations).toEqual([]);
  });

  it('allows seats granted under a larger count to stay out after a run-time import lowers it, never a new grant over it', () => {
    const run = cleanRun();
    // from 205 on only 1 seat is licensed; a and b were granted before and may stay
    run.countChanges = [{ fromMs: 205, count: 1 }];
    const violations = checkChaosRun(run).violations;
    // c granted at 210 while b was still out: 2 seats, 1 licensed
    expect(violations).toEqual([expect.stringMatching(/^2 seats held by clients at .*, only 1 licensed/), expect.stringMatching(/^2 seats out at once in the report logs .*, only 1 licensed/)]);
    run.countChanges = [{ fromMs: 205, count: 2 }, { fromMs: 500, count: 1 }];
    expect(checkChaosRun(run).violations).toEqual([]);
  });

  it('reports one violation per two-master episode, however many answers it spans', () => {
    const run = cleanRun();
    run.observations = [0, 100, 200, 300, 400, 500].flatMap((t) => [observe(0, t, 'master'), observe(1, t + 10, 'master')]);
    expect(checkChaosRun(run).violations).toEqual([expect.stringMatching(/^two masters: P and S both answered master, \d+ answers inside the other's tenure from /)]);
    expect(checkChaosRun(run).figures.twoMasterMs).toBeGreaterThan(300);
  });
});

describe('nemesis schedule', () => {
  it('is the same for the same seed, fills the budget, and uses every fault kind in a long run', () => {
    expect(nemesisSchedule(42, 60_000)).toEqual(nemesisSchedule(42, 60_000));
    expect(nemesisSchedule(42, 60_000)).not.toEqual(nemesisSchedule(43, 60_000));
    const long = nemesisSchedule(42, 180_000);
    const planned = long.reduce((sum, step) => sum + step.durationMs + step.quietMs, 0);
    expect(planned).toBeLessThanOrEqual(180_000);
    expect(new Set(long.map((step) => step.kind))).toEqual(new Set(FAULT_KINDS));
  });

  it("draws issue 7's kinds as it did before the issue 14 kinds came (seed 10 of the short drill is unchanged)", () => {
    expect(nemesisSchedule(10, 40_000, CLASSIC_KINDS).map((step) => step.kind)).toEqual(['isolate', 'kill', 'oneWay', 'pause', 'slow']);
    expect(nemesisSchedule(10, 180_000, CLASSIC_KINDS).every((step) => CLASSIC_KINDS.includes(step.kind))).toBe(true);
  });
});

describe('report rows on real time (member clocks stepped with libfaketime)', () => {
  // the member's clock: right until 10,000, then 30 s back, then right again from 20,000
  const history = [
    { atMs: 0, offsetMs: 0 },
    { atMs: 10_000, offsetMs: -30_000 },
    { atMs: 20_000, offsetMs: 0 },
  ];

  it('takes the offset that was in force when the row was first read', () => {
    expect(toRealTime(5_000, 4_800, 5_050, history)).toBe(5_000);
    // written at real 12,000 with the clock 30 s back
    expect(toRealTime(-18_000, 11_900, 12_100, history)).toBe(12_000);
    // written just before the step, read just after it: the old offset still fits
    expect(toRealTime(9_990, 9_900, 10_100, history)).toBe(9_990);
    expect(toRealTime(25_000, 24_900, 25_100, history)).toBe(25_000);
  });

  it('falls back to the time of reading when no offset explains the stamp', () => {
    expect(toRealTime(1_000_000, 4_800, 5_050, history)).toBe(5_050);
  });
});
