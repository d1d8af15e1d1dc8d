import { describe, expect, it } from 'vitest';
import { checkChaosRun, type ChaosRecords } from '../../bench/chaos/checker';
import type { ClientEvent } from '../../bench/chaos/clients';
import type { RoleObservation } from '../../bench/chaos/observer';
import { nemesisSchedule, FAULT_KINDS } from '../../bench/chaos/nemesis';

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
    expect(checkChaosRun(run).violations).toEqual([expect.stringMatching(/^two masters: S answered master .* while P was master/)]);
    run.observations.push(observe(2, 600, 'master'));
    expect(checkChaosRun(run).violations).toContain('the tertiary answered as master');
  });

  it('a master answer outside the other member’s proven tenure is no violation (granularity)', () => {
    const run = cleanRun();
    // S answers master right after P's last master answer, with P silent afterwards: no proof of overlap
    run.observations.push(observe(1, 160, 'master'));
    expect(checkChaosRun(run).violations).toEqual([]);
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
});
