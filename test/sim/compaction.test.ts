import { describe, expect, it } from 'vitest';
import type { SimMember } from './world/member';
import { runUntil, serving, startedTriad } from './world/scenario';
import type { TriadWorld } from './world/triadWorld';

/**
 * Log compaction and snapshots on the real driver and licensing service (SIM_SNAPSHOTS: every
 * member compacts once its log holds 20 entries beyond its snapshot, keeping 4; snapshots travel
 * in frames of a few seats). The checker runs throughout: committed entries never change, and
 * every acknowledged seat is held by every later master.
 */

const snapshotIndex = (member: SimMember) => member.disk.quorum.snapshot().index;
const commitIndex = (member: SimMember) => member.disk.quorum.state().commitIndex;
const heldIds = (member: SimMember) => member.disk.leases.list().map((lease) => lease.leaseId).sort();

/** Clients check seats out and in until every member has compacted past `index`. */
async function compactedPast(triad: TriadWorld, members: SimMember[], index: number): Promise<void> {
  expect(await runUntil(triad, () => members.every((member) => snapshotIndex(member) > index), 60_000)).toBeNull();
}

describe('log compaction and snapshots', () => {
  it('a member with a wiped disk catches up from a snapshot, then votes again', async () => {
    const triad = await startedTriad({ seed: 31, clients: 4 });
    const [primary, secondary, tertiary] = triad.members;
    await compactedPast(triad, triad.members, 1);
    tertiary.crash();
    tertiary.wipeDisk();
    tertiary.start();
    // entry 1 is gone from the master's log: only a snapshot brings the tertiary back
    expect(await runUntil(triad, () => !tertiary.disk.quorum.state().learner, 20_000)).toBeNull();
    expect(tertiary.snapshotsInstalled).toBeGreaterThan(0);
    expect(tertiary.disk.quorum.readFrom(1, 1)[0]?.idx ?? commitIndex(tertiary) + 1).toBeGreaterThan(1);
    triad.clients.stop();
    expect(await triad.run(triad.world.now + 3_000)).toBeNull();
    expect(heldIds(tertiary)).toEqual(heldIds(primary));
    // the primary dies: the secondary needs the tertiary's vote, and gets it
    primary.crash();
    expect(await runUntil(triad, () => serving(triad).includes(secondary.rank), 20_000)).toBeNull();
    expect(heldIds(secondary)).toEqual(heldIds(tertiary));
  });

  it('a member that caught up from a snapshot after losing its disk votes for nobody while the master may still rest on its lost promise', async () => {
    const triad = await startedTriad({ seed: 35, clients: 4 });
    const [primary, secondary, tertiary] = triad.members;
    await compactedPast(triad, triad.members, 1);
    // the secondary loses the primary and keeps asking the tertiary for votes; the primary's
    // lease rests on the tertiary's promises
    triad.network.cut(primary.rank, secondary.rank);
    await triad.run(triad.world.now + 2_500);
    // the tertiary loses its disk and comes straight back: it catches up from the primary's
    // snapshot within milliseconds, long before the promise it gave in its last life ends
    tertiary.crash();
    tertiary.wipeDisk();
    tertiary.start();
    expect(await runUntil(triad, () => tertiary.snapshotsInstalled > 0 && !tertiary.disk.quorum.state().learner, 2_000)).toBeNull();
    // the checker fails the run if the secondary serves while the primary still does
    expect(await triad.run(triad.world.now + 10_000)).toBeNull();
  });

  it('a candidate far behind a voter that compacted past it is elected with every acknowledged seat', async () => {
    const triad = await startedTriad({ seed: 32, clients: 4 });
    const [primary, secondary, tertiary] = triad.members;
    triad.network.cut(secondary.rank, primary.rank);
    triad.network.cut(secondary.rank, tertiary.rank);
    const behind = commitIndex(secondary);
    await compactedPast(triad, [primary, tertiary], behind + 1);
    const told = triad.clients.oracle.grantsTold;
    expect(await runUntil(triad, () => triad.clients.oracle.grantsTold > told, 20_000)).toBeNull();
    // only the tertiary can elect the secondary now, and its log no longer holds what the
    // secondary lacks: its snapshot goes with its vote
    primary.crash();
    triad.network.healAll();
    expect(await runUntil(triad, () => serving(triad).includes(secondary.rank), 20_000)).toBeNull();
    expect(secondary.snapshotsInstalled).toBeGreaterThan(0);
    expect(snapshotIndex(secondary)).toBeGreaterThan(behind);
    // the checker has compared the new master's seats with every grant a client was told of
    expect(await triad.run(triad.world.now + 5_000)).toBeNull();
  });

  it('a restart after compaction reinstalls the license switch the compacted log held', async () => {
    const triad = await startedTriad({ seed: 33, clients: 4 });
    const tertiary = triad.member(2);
    expect(triad.distribute(4)).toBe(true);
    expect(await runUntil(triad, () => triad.members.every((member) => member.license === 2), 10_000)).toBeNull();
    const switchIndex = commitIndex(tertiary);
    await compactedPast(triad, [tertiary], switchIndex);
    expect(tertiary.disk.quorum.licenseSwitchesUpTo(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(tertiary.disk.quorum.snapshot().lastSwitch?.op).toMatchObject({ kind: 'licenseSwitch', payload: { version: 2 } });
    // it crashes right after a commit, before the new file reached its disk
    tertiary.crash();
    tertiary.license = 1;
    tertiary.start();
    expect(tertiary.license).toBe(2);
    expect(tertiary.switchedTo.at(-1)).toBe(2);
    // and it is one of the triad again, not a member with another license file
    expect(await runUntil(triad, () => tertiary.driver?.role() === 'standby', 10_000)).toBeNull();
    expect(tertiary.driver!.decorateStatus(tertiary.service!.status()).warnings).toEqual([]);
  });
});
