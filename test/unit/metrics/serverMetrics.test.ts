import { describe, expect, it } from 'vitest';
import { collectServerMetrics, denialCodeOf, formatOpenMetrics, ServerCounters } from '../../../src/core/metrics';
import { denial, type DenialCode } from '../../../src/core/protocol';
import { parseOpenMetrics, sampleValue } from '../../support/openMetricsParser';
import { triadStatus } from '../lmstat/sampleStatus';

const noListener = { connections: 0, connectionProblems: new Map<string, number>(), adminAuth: { failures: 0, lockouts: 0 }, process: null };

describe('denial reason labels', () => {
  it('turns each FlexLM denial text, with or without detail, back into its code', () => {
    const codes: DenialCode[] = ['MAX_USERS', 'NO_SUCH_FEATURE', 'NOT_INCLUDED', 'NOT_AUTHORIZED_USER', 'OPTIONS_MAX', 'NOT_MASTER', 'BAD_REQUEST'];
    for (const code of codes) {
      expect(denialCodeOf(denial(code).reason)).toBe(code);
      expect(denialCodeOf(denial(code, 'alice on ws01 (see options)').reason)).toBe(code);
    }
    expect(denialCodeOf('something else')).toBe('OTHER');
    expect(denialCodeOf(null)).toBe('OTHER');
  });
});

describe('server counters', () => {
  it('count checkouts and checkins per feature, denials per reason code, reclaims per cause', () => {
    const counters = new ServerCounters();
    counters.observeReport({ event: 'OUT', feature: 'DOORS', reason: null });
    counters.observeReport({ event: 'OUT', feature: 'DOORS', reason: null });
    counters.observeReport({ event: 'IN', feature: 'DOORS', reason: null });
    counters.observeReport({ event: 'DENIED', feature: 'DOORS', reason: denial('MAX_USERS').reason });
    counters.observeReport({ event: 'RECLAIM', feature: 'DOORS', reason: 'no heartbeat' });
    counters.observeReport({ event: 'REMOVE', feature: 'DOORS', reason: 'lmremove' });
    expect(counters.checkouts.get('DOORS')).toBe(2);
    expect(counters.checkins.get('DOORS')).toBe(1);
    expect(counters.denials.get('MAX_USERS')).toBe(1);
    expect(Object.fromEntries(counters.reclaimed)).toEqual({ timeout: 1, lmremove: 1 });
  });

  it('count a failover when the master moves to another server, not when the same one comes back', () => {
    const counters = new ServerCounters();
    counters.observeMaster(null);
    counters.observeMaster('a');
    counters.observeMaster(null);
    counters.observeMaster('a');
    expect(counters.failovers).toBe(0);
    counters.observeMaster('b');
    counters.observeMaster(null);
    counters.observeMaster('a');
    expect(counters.failovers).toBe(2);
  });
});

describe('collectServerMetrics', () => {
  const counters = new ServerCounters();
  counters.observeReport({ event: 'OUT', feature: 'DOORS', reason: null });
  counters.observeReport({ event: 'DENIED', feature: 'DOORS', reason: denial('NOT_INCLUDED', 'bob').reason });
  const status = triadStatus();
  status.members[0]!.heartbeatAgeMs = 1250;
  const parsed = parseOpenMetrics(
    formatOpenMetrics(
      collectServerMetrics({
        ...noListener,
        status,
        counters,
        connections: 12,
        connectionProblems: new Map([['hello_timeout', 3]]),
        process: { residentBytes: 5e7, heapUsedBytes: 2e7, cpuSeconds: 1.25, startTimeSeconds: 1.7e9, eventLoopLag: { p50: 0.0102, p99: 0.035, max: 0.081 } },
      }),
    ),
  );

  it('sums seats per feature over its pools, counting only served, counted pools as issued', () => {
    expect(sampleValue(parsed, 'triad_seats_issued', { feature: 'DOORS', vendor: 'ibmratl' })).toBe(21);
    expect(sampleValue(parsed, 'triad_seats_in_use', { feature: 'DOORS', vendor: 'ibmratl' })).toBe(8);
    expect(sampleValue(parsed, 'triad_seats_issued', { feature: 'RequisitePro' })).toBeUndefined();
    expect(sampleValue(parsed, 'triad_seats_issued', { feature: 'Tau' })).toBeUndefined();
    expect(sampleValue(parsed, 'triad_seats_in_use', { feature: 'Tau' })).toBe(0);
  });

  it('reports role, quorum, peers, counters (zero for features without events) and process numbers', () => {
    expect(sampleValue(parsed, 'triad_role', { role: 'master' })).toBe(1);
    expect(sampleValue(parsed, 'triad_role', { role: 'standby' })).toBe(0);
    expect(sampleValue(parsed, 'triad_quorum')).toBe(1);
    expect(sampleValue(parsed, 'triad_peer_up', { peer: 'host3.domain.net' })).toBe(0);
    expect(sampleValue(parsed, 'triad_peer_heartbeat_age_seconds', { peer: 'host-1.domain.net' })).toBe(1.25);
    expect(parsed.get('triad_peer_heartbeat_age_seconds')!.samples).toHaveLength(1);
    expect(sampleValue(parsed, 'triad_checkouts_total', { feature: 'DOORS' })).toBe(1);
    expect(sampleValue(parsed, 'triad_checkouts_total', { feature: 'ClearCase' })).toBe(0);
    expect(sampleValue(parsed, 'triad_denials_total', { reason: 'NOT_INCLUDED' })).toBe(1);
    expect(sampleValue(parsed, 'triad_denials_total', { reason: 'MAX_USERS' })).toBe(0);
    // every reason is shown from 0, so the first denial of a kind is an increase
    expect(sampleValue(parsed, 'triad_denials_total', { reason: 'NO_SUCH_FEATURE' })).toBe(0);
    expect(sampleValue(parsed, 'triad_denials_total', { reason: 'OTHER' })).toBe(0);
    expect(sampleValue(parsed, 'triad_connections')).toBe(12);
    expect(sampleValue(parsed, 'triad_connection_problems_total', { kind: 'hello_timeout' })).toBe(3);
    expect(sampleValue(parsed, 'triad_failovers_total')).toBe(0);
    expect(sampleValue(parsed, 'process_resident_memory_bytes')).toBe(5e7);
    expect(parsed.get('process_cpu_seconds')!.unit).toBe('seconds');
    expect(sampleValue(parsed, 'nodejs_eventloop_lag_p99_seconds')).toBe(0.035);
    expect(sampleValue(parsed, 'nodejs_eventloop_lag_max_seconds')).toBe(0.081);
  });

  it('answers for a stopped server: up 0, role stopped, no counters', () => {
    const stopped = parseOpenMetrics(
      formatOpenMetrics(
        collectServerMetrics({ ...noListener, status: { ...triadStatus(), role: 'stopped', quorum: false, features: [], members: [] }, counters: null }),
      ),
    );
    expect(sampleValue(stopped, 'triad_up')).toBe(0);
    expect(sampleValue(stopped, 'triad_role', { role: 'stopped' })).toBe(1);
    expect(sampleValue(stopped, 'triad_failovers_total')).toBe(0);
  });
});
