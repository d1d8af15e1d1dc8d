import { describe, expect, it } from 'vitest';
import { checkout, type CheckoutRequest } from '../../../src/core/client/checkout';
import { eventually } from '../../support/eventually';
import { TRIAD_HOSTS, triadFixture } from '../../support/triadFixture';
import { triadSuite } from '../../support/triadSuite';

/**
 * The whole server, three times in one process: each member binds its own SERVER-line address
 * (127.0.0.1, .2, .3, one port), runs the real licensing service behind the triad, and clients
 * use the real client library (redirects, resume). Killing the master keeps every seat.
 */

const hosts = TRIAD_HOSTS;
// one port for all three, away from 27000 so a developer's own server does not collide
const port = 29_000 + (process.pid % 900);
const request = (user: string): CheckoutRequest => ({ feature: 'Redundant', version: '1.0', count: 1, user, host: 'ws', display: ':0' });

describe('a triad of full servers', () => {
  const { temp, backends, held } = triadSuite('triad-backend-');

  it('elects the primary, and a new master serves the same seats within 5 s of the master dying', async () => {
    const triad = triadFixture(temp.dir, port, [{ name: 'Redundant', count: 2 }]);
    const start = (rank: number) => triad.start(rank, { clientHeartbeatIntervalMs: 300 });
    for (const rank of [0, 1, 2]) backends[rank] = await start(rank);
    await eventually(() => backends[0]!.status().role === 'master', 10_000);
    expect(backends[1]!.status().role).toBe('standby');
    expect(backends[0]!.status().members.map((member) => member.up)).toEqual([true, true, true]);

    // the client asks the tertiary first and is sent to the master
    const servers = [2, 1, 0].map((rank) => ({ host: hosts[rank], port }));
    const first = await checkout(servers, request('ann'));
    expect(first.kind).toBe('granted');
    if (first.kind === 'granted') held.push(first.license);

    await backends[0]!.stop('killed by the test');
    backends[0] = null;
    const stoppedAt = Date.now();
    await eventually(() => backends[1]!.status().role === 'master', 10_000);
    const failoverMs = Date.now() - stoppedAt;
    expect(failoverMs).toBeLessThan(5000);
    const inUse = () => backends[1]!.status().features.find((feature) => feature.name === 'Redundant')?.inUse;
    expect(inUse()).toBe(1);

    // one seat left: the second client gets it, the third is denied (no seat was issued twice)
    const second = await checkout(servers, request('bob'));
    expect(second.kind).toBe('granted');
    if (second.kind === 'granted') held.push(second.license);
    expect((await checkout(servers, request('cy'))).kind).toBe('denied');
    expect(inUse()).toBe(2);
  }, 60_000);
});
