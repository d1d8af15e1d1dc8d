import { describe, expect, it } from 'vitest';
import { checkout, runUntil, startedTriad, wipeTertiaryThenLoseMaster } from './world/scenario';

/**
 * The six ways an outside review broke the triad's promise (issue 14); the four that live in the
 * triad's own code are replayed here on the real driver and licensing service in the simulated
 * world (findings 5 and 6 are about the server's files: test/integration/triadMembership.test.ts).
 * Each scenario failed before its fix.
 */

describe('issue 14 findings, replayed on the real driver and licensing service', () => {
  it('1. wall-clock steps on a member give no second master (durations are on the monotonic clock)', async () => {
    const triad = await startedTriad({ seed: 11 });
    const [primary, secondary, tertiary] = triad.members;
    triad.network.cut(primary.rank, secondary.rank);
    // the tertiary's wall clock keeps jumping forward (a broken time source): its promise to the
    // primary must not end early, or the secondary is elected while the primary still serves
    for (let t = 0; t < 12_000; t += 500) triad.world.at(triad.world.now + t, () => tertiary.clock.stepWall(5_000));
    expect(await triad.run(triad.world.now + 15_000)).toBeNull();
    expect(secondary.running && primary.running).toBe(true);
  });

  it('2. a member restarted with an empty disk does not elect a master without an acknowledged seat', async () => {
    const triad = await startedTriad({ seed: 12, clients: 4 });
    expect(await wipeTertiaryThenLoseMaster(triad)).toBeNull();
  });

  it('2b. a member restored from an older copy of its disk catches up as a learner, votes again, and loses nothing', async () => {
    const triad = await startedTriad({ seed: 15, clients: 4 });
    const [primary, secondary, tertiary] = triad.members;
    tertiary.backUp();
    const before = triad.clients.oracle.grantsTold;
    expect(await runUntil(triad, () => triad.clients.oracle.grantsTold >= before + 4, 30_000)).toBeNull();
    tertiary.crash();
    expect(tertiary.restoreBackup()).toBe(true);
    tertiary.start();
    expect(tertiary.disk.quorum.state().learner).toBe(true);
    // the master probes the restored log from its own end (what it knew of the old one is void)
    expect(await runUntil(triad, () => !tertiary.disk.quorum.state().learner, 10_000)).toBeNull();
    triad.network.cut(primary.rank, secondary.rank);
    primary.crash();
    expect(await runUntil(triad, () => triad.checker.masters()[0] === secondary, 15_000)).toBeNull();
    expect(await triad.run(triad.world.now + 5_000)).toBeNull();
  });

  it('3. a license switch committed with one peer before the master dies does not leave the triad without a master', async () => {
    const triad = await startedTriad({ seed: 13, clients: 2 });
    const [primary, secondary] = triad.members;
    triad.network.cut(primary.rank, secondary.rank);
    expect(triad.distribute(3)).toBe(true);
    await triad.run(triad.world.now + 300);
    primary.crash();
    triad.network.healAll();
    const healedAt = triad.world.now;
    const bound = 2 * triad.electionMs() + triad.settings.heartbeatMs + 500;
    expect(await runUntil(triad, () => triad.checker.masters().length > 0, 20_000)).toBeNull();
    expect(triad.world.now - healedAt).toBeLessThan(bound);
    // the secondary caught up from the tertiary's log and switched too
    expect(triad.checker.masters()[0]).toBe(secondary);
    expect(secondary.license).toBe(2);
  });

  it('4. the licensing service never hands a seat out twice when serving stops and resumes within one epoch', async () => {
    const triad = await startedTriad({ seed: 14, seats: 1 });
    const [primary] = triad.members;
    const toPrimary = (from: number, to: number) => to === primary.rank && from !== primary.rank;
    // the standbys persist the grant, but their acknowledgements do not come back
    triad.network.filter = (from, to, message) => !(toPrimary(from, to) && (message as { type: string }).type === 'appendAck');
    const first = checkout(primary, 'ann');
    await triad.run(triad.world.now + 200);
    // then nothing comes back: the primary's lease lapses (same epoch, nobody else elected)
    triad.network.filter = (from, to) => !toPrimary(from, to);
    expect(await runUntil(triad, () => primary.driver!.role() !== 'master', 10_000)).toBeNull();
    // heartbeat acknowledgements return: the lease is renewed, the grant is still unacknowledged
    triad.network.filter = (from, to, message) => !(toPrimary(from, to) && (message as { type: string }).type === 'appendAck');
    expect(await runUntil(triad, () => primary.driver!.role() === 'master', 10_000)).toBeNull();
    const second = checkout(primary, 'ben');
    await triad.run(triad.world.now + 200);
    triad.network.filter = () => true;
    expect(await triad.run(triad.world.now + 3_000)).toBeNull();
    const answers = await Promise.all([first, second]);
    expect(answers.filter((answer) => answer.type === 'granted')).toHaveLength(1);
  });
});
