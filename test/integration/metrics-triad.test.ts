import { describe, expect, it } from 'vitest';
import { type Backend } from '../../src/core/backend';
import { formatOpenMetrics } from '../../src/core/metrics';
import { parseOpenMetrics, sampleValue } from '../support/openMetricsParser';
import { eventually } from '../support/eventually';
import { triadFixture } from '../support/triadFixture';
import { triadSuite } from '../support/triadSuite';

/** The triad's metrics from three real members in one process: role, quorum, peers, failover. */

const port = 29_900 + (process.pid % 90);

const scrape = (backend: Backend) => parseOpenMetrics(formatOpenMetrics(backend.metrics()));

describe('triad metrics', () => {
  const { temp, backends } = triadSuite('triad-metrics-');

  it('show role, quorum and peer heartbeat ages, and count the failover when the master dies', async () => {
    const triad = triadFixture(temp.dir, port, [{ name: 'Redundant', count: 2 }]);
    for (const rank of [0, 1, 2]) backends[rank] = await triad.start(rank);
    await eventually(() => backends[0]!.status().role === 'master' && backends[1]!.status().role === 'standby', 10_000);
    await eventually(() => backends[1]!.status().members.every((m) => m.self || m.heartbeatAgeMs !== null), 5_000);

    const primary = scrape(backends[0]!);
    expect(sampleValue(primary, 'triad_role', { role: 'master' })).toBe(1);
    expect(sampleValue(primary, 'triad_quorum')).toBe(1);
    const secondary = scrape(backends[1]!);
    expect(sampleValue(secondary, 'triad_role', { role: 'standby' })).toBe(1);
    expect(sampleValue(secondary, 'triad_peer_up', { peer: '127.0.0.1' })).toBe(1);
    const age = sampleValue(secondary, 'triad_peer_heartbeat_age_seconds', { peer: '127.0.0.1' });
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(5);
    expect(sampleValue(secondary, 'triad_failovers_total')).toBe(0);
    expect(sampleValue(secondary, 'triad_connections')).toBeGreaterThanOrEqual(1);

    await backends[0]!.stop('killed by the test');
    backends[0] = null;
    await eventually(() => backends[1]!.status().role === 'master', 10_000);
    const after = scrape(backends[1]!);
    expect(sampleValue(after, 'triad_role', { role: 'master' })).toBe(1);
    expect(sampleValue(after, 'triad_failovers_total')).toBe(1);
    expect(sampleValue(after, 'triad_peer_up', { peer: '127.0.0.1' })).toBe(0);
    expect(sampleValue(scrape(backends[2]!), 'triad_failovers_total')).toBe(1);
  }, 60_000);
});
