import { describe, expect, it } from 'vitest';
import { TriadWorld } from './world/triadWorld';
import { flexnetLines, serving, timeUntilServing } from './world/scenario';

/**
 * The start-order and failover rules of DESIGN.md section 5, on the real driver in the simulated
 * world with the safety checker running after every event.
 */

const learnerLines = (host: string) => [
  '(lmgrd) Joining the redundant servers as a learner (it has no quorum state yet (a new or emptied data folder)): this server catches up from the ' +
    'master and does not vote until it holds everything the master has committed.',
  `(lmgrd) Caught up with the master ${host}: this server votes again.`,
];

describe('start order', () => {
  it('the primary started first becomes master once a peer arrives', async () => {
    const triad = new TriadWorld({ seed: 7, clients: 0 });
    triad.member(0).start();
    await triad.run(5000);
    expect(serving(triad)).toEqual([]); // alone: no quorum, no licenses
    triad.member(1).start();
    triad.world.at(6000, () => triad.member(2).start());
    expect(await triad.run(12_000)).toBeNull();
    expect(serving(triad)).toEqual([0]);
  });

  it('the primary wins when all three start together', async () => {
    const triad = new TriadWorld({ seed: 7, clients: 0 });
    for (const rank of [2, 1, 0] as const) triad.member(rank).start();
    expect(await triad.run(8000)).toBeNull();
    expect(serving(triad)).toEqual([0]);
  });

  it('the secondary and tertiary started first make the secondary master, and it stays when the primary returns', async () => {
    const triad = new TriadWorld({ seed: 7, clients: 0 });
    triad.member(1).start();
    triad.world.at(500, () => triad.member(2).start());
    expect(await triad.run(8000)).toBeNull();
    expect(serving(triad)).toEqual([1]);
    triad.member(0).start();
    expect(await triad.run(30_000)).toBeNull();
    expect(serving(triad)).toEqual([1]);
    expect(flexnetLines(triad.member(1))).toContain('(lmgrd) Selected (EXISTING) master bravo');
    // a member new to the triad catches up before it votes, and says so in its own log
    expect(flexnetLines(triad.member(0))).toEqual(learnerLines('bravo'));
  });

  it('with PRIMARY_IS_MASTER the returning primary takes over once it has caught up', async () => {
    const triad = new TriadWorld({ seed: 7, clients: 0, primaryIsMaster: true });
    triad.member(1).start();
    triad.member(2).start();
    expect(await triad.run(8000)).toBeNull();
    expect(serving(triad)).toEqual([1]);
    triad.member(0).start();
    expect(await timeUntilServing(triad, 0, 10_000)).not.toBeNull();
    expect(await triad.run(triad.world.now + 10_000)).toBeNull();
    expect(serving(triad)).toEqual([0]);
    expect(flexnetLines(triad.member(1))).toContain('(lmgrd) PRIMARY_IS_MASTER: handing mastership back to the primary alpha');
    expect(flexnetLines(triad.member(0))).toContain('(lmgrd) Redundant server quorum established. Master is alpha');
  });
});

describe('failover', () => {
  it('the secondary serves within 5 s of the master dying, and the primary returns as standby', async () => {
    const triad = new TriadWorld({ seed: 7, clients: 0 });
    for (const member of triad.members) member.start();
    expect(await triad.run(8000)).toBeNull();
    expect(serving(triad)).toEqual([0]);
    triad.member(0).crash();
    const failoverMs = await timeUntilServing(triad, 1, 10_000);
    expect(failoverMs).not.toBeNull();
    expect(failoverMs!).toBeLessThan(5000);
    triad.member(0).start();
    expect(await triad.run(triad.world.now + 20_000)).toBeNull();
    expect(serving(triad)).toEqual([1]);
  });

  it('with a heartbeat interval of 2 s the secondary waits 3*2 + (2-1) = 7 s after the last heartbeat', async () => {
    const triad = new TriadWorld({ seed: 3, clients: 0, heartbeatMs: 2000 });
    for (const member of triad.members) member.start();
    expect(await triad.run(15_000)).toBeNull();
    expect(serving(triad)).toEqual([0]);
    triad.member(0).crash();
    const crashedAt = triad.world.now;
    // the last heartbeat came at most one interval (2 s) before the crash
    expect(await triad.run(crashedAt + 7000 - 2000 - 100)).toBeNull();
    expect(serving(triad)).toEqual([]);
    expect(await triad.run(crashedAt + 7000 + 500 + 1000)).toBeNull();
    expect(serving(triad)).toEqual([1]);
  });

  it('with the primary and secondary down the tertiary serves nothing', async () => {
    const triad = new TriadWorld({ seed: 7, clients: 0 });
    for (const member of triad.members) member.start();
    expect(await triad.run(8000)).toBeNull();
    triad.member(0).crash();
    triad.member(1).crash();
    expect(await triad.run(60_000)).toBeNull();
    expect(serving(triad)).toEqual([]);
    expect(triad.member(2).driver!.role()).toBe('no-quorum');
  });

  it('the primary and secondary cut from each other while both reach the tertiary: the master stays', async () => {
    const triad = new TriadWorld({ seed: 7, clients: 0 });
    for (const member of triad.members) member.start();
    expect(await triad.run(8000)).toBeNull();
    triad.network.cut(0, 1);
    expect(await triad.run(40_000)).toBeNull();
    expect(serving(triad)).toEqual([0]);
    // pre-vote kept the cut-off secondary from raising epochs that would depose the master on heal
    const epoch = triad.member(0).driver!.term();
    triad.network.heal(0, 1);
    expect(await triad.run(50_000)).toBeNull();
    expect(serving(triad)).toEqual([0]);
    expect(triad.member(0).driver!.term()).toBe(epoch);
  });
});
