import { describe, expect, it } from 'vitest';
import { checkin, holdSeat, runUntil, startedTriad } from './world/scenario';

/**
 * The report log after a failover: an op the two peers persisted is committed even when the master
 * that proposed it dies before it hears so, and then no member had written its row. Chaos drill
 * seed 202: the master SIGKILLed with a checkin persisted on all three but not yet known committed;
 * the new master applied it silently, so the report logs showed the seat out for ever (7 of 6
 * seats out at once in them). Every member records each op it applies, in the transaction that
 * applies it (appliedLeaseOps.ts): the seat's whole story is in each log that applied it, once.
 */

describe('ops committed under a master that died before recording them', () => {
  it('a checkin the peers persisted but the dying master never knew committed is in the next master\'s report log', async () => {
    const triad = await startedTriad({ seed: 16 });
    const [primary, secondary, tertiary] = triad.members;
    const leaseId = await holdSeat(triad, primary, 'ann');
    // the peers persist the checkin, but their acknowledgements never reach the primary
    triad.network.cutOneWay(secondary.rank, primary.rank);
    triad.network.cutOneWay(tertiary.rank, primary.rank);
    void checkin(primary, leaseId);
    await triad.run(triad.world.now + 300);
    primary.crash();
    triad.network.healAll();
    expect(await runUntil(triad, () => triad.checker.masters().length > 0, 20_000)).toBeNull();
    const [master] = triad.checker.masters();
    const events = (member: typeof primary) => member.disk.reportLog.query({}).flatMap((row) => (row.leaseId === leaseId ? [row.event] : []));
    expect(events(primary)).toEqual(['OUT']);
    expect(events(master!)).toEqual(['OUT', 'IN']);
    // the third member records the checkin once it hears it committed (the master's next message)
    const third = triad.members.find((member) => member !== primary && member !== master)!;
    expect(await runUntil(triad, () => events(third).length > 1, 5_000)).toBeNull();
    expect(events(third)).toEqual(['OUT', 'IN']);
    expect(master!.disk.leases.get(leaseId)).toBeNull();
  });
});
