import { describe, expect, it } from 'vitest';
import { TRIAD_STATUS_REFRESH_MS } from '../../../src/core/backend';
import { checkout, type CheckoutRequest } from '../../../src/core/client/checkout';
import type { ServerStatus } from '../../../src/shared/status';
import { eventually } from '../../support/eventually';
import { TRIAD_HOSTS, triadFixture } from '../../support/triadFixture';
import { triadSuite } from '../../support/triadSuite';

/**
 * What a triad member's status says in each state, with real servers in one process: a standby
 * shows the master's seats (replicated) and says so, and hears of them without a request; a
 * member left alone says it serves nobody, with vendors down and features not served, as lmstat
 * and the clients see it.
 */

const hosts = TRIAD_HOSTS;
const port = 29_900 + (process.pid % 90);
const request = (user: string): CheckoutRequest => ({ feature: 'Modeler', version: '1.0', count: 1, user, host: 'ws', display: ':0' });

describe('triad status in each state', () => {
  const { temp, backends, held } = triadSuite('triad-status-');

  it('a standby shows the replicated seats; a member alone says why it serves nobody', async () => {
    const triad = triadFixture(temp.dir, port, [{ name: 'Modeler', count: 5 }]);
    for (const rank of [0, 1, 2]) backends[rank] = await triad.start(rank);
    await eventually(() => backends[0]!.status().role === 'master' && backends[1]!.status().role === 'standby', 10_000);
    const standby = backends[1]!;
    const heard: ServerStatus[] = [];
    standby.events.on('status', (status) => heard.push(status));

    for (const user of ['ann', 'bob']) {
      const granted = await checkout([{ host: hosts[0]!, port }], request(user));
      if (granted.kind !== 'granted') throw new Error(`not granted: ${JSON.stringify(granted)}`);
      held.push(granted.license);
    }
    const modeler = (status: ServerStatus) => status.features.find((feature) => feature.name === 'Modeler')!;
    await eventually(() => modeler(standby.status()).inUse === 2, 5_000);
    const seen = standby.status();
    expect(seen.seatsFrom).toEqual({ master: hosts[0] });
    expect(modeler(seen).users.map((user) => user.user).sort()).toEqual(['ann', 'bob']);
    expect(seen.notServing ?? null).toBeNull();
    expect(backends[0]!.status().seatsFrom ?? null).toBeNull();
    // nobody asked the standby: its listeners heard the seats all the same
    await eventually(() => heard.some((status) => modeler(status).inUse === 2), 3 * TRIAD_STATUS_REFRESH_MS);

    await backends[0]!.stop('primary stopped by the test');
    backends[0] = null;
    await backends[2]!.stop('tertiary stopped by the test');
    backends[2] = null;
    await eventually(() => standby.status().role === 'no-quorum', 15_000);
    const alone = standby.status();
    expect(alone.notServing).toMatch(/^No quorum: this server gives out no licenses/);
    expect(alone.notServing).toContain('127.0.0.1 (primary)');
    expect(alone.notServing).toContain('127.0.0.3 (tertiary)');
    expect(alone.vendors.every((vendor) => !vendor.up)).toBe(true);
    expect(modeler(alone).served).toBe(false);
    expect(modeler(alone).notServedReason).toContain('no quorum');
    // the last seats it had from the master, and no master to name
    expect(alone.seatsFrom).toEqual({ master: null });
    expect(modeler(alone).inUse).toBe(2);
  }, 60_000);
});
