import { describe, expect, it } from 'vitest';
import { QuorumMachine, isEligible, type QuorumConfig, type QuorumInput, type Ready, type Rank } from '../../src/core/quorum';
import { startedTriad, wipeTertiaryThenLoseMaster } from './world/scenario';
import type { TriadWorld } from './world/triadWorld';

/**
 * The simulation is only worth its green tick if it goes red for broken code. Each variant below
 * removes one safety rule from the quorum engine the real driver runs; a scenario that the
 * correct engine survives must then end in the violation the rule exists for.
 */

/** Votes whenever asked: forgets the promise made to a live master (no lease wait). */
class NoLeaseWaitMachine extends QuorumMachine {
  protected override mayVoteFor(candidate: Rank): boolean {
    return isEligible(candidate);
  }
}

/** Forgets at a restart what it may have promised before it stopped. */
class PromiseForgettingMachine extends QuorumMachine {
  override step(input: QuorumInput): Ready {
    const ready = super.step(input);
    if (input.type === 'restart') this.state.promisedUntil = 0;
    return ready;
  }
}

/** Votes and counts as soon as it runs, even with an empty or replaced disk. */
class LearnerIgnoringMachine extends QuorumMachine {
  override step(input: QuorumInput): Ready {
    const ready = super.step(input);
    this.state.persisted.learner = false;
    return ready;
  }
}

type MakeMachine = (config: QuorumConfig) => QuorumMachine;

/** The primary is master; it loses the secondary, which starts asking the tertiary for votes. */
async function secondaryCampaigns(makeMachine: MakeMachine, seed = 21): Promise<TriadWorld> {
  const triad = await startedTriad({ seed, makeMachine });
  triad.network.cut(0, 1);
  return triad;
}

describe('the simulation catches a broken quorum engine', () => {
  it('a member that votes while it still promised the old master lets two masters serve', async () => {
    const triad = await secondaryCampaigns((config) => new NoLeaseWaitMachine(config));
    expect(await triad.run(triad.world.now + 15_000)).toMatch(/two masters serving at once/);
  });

  it('a lease that ignores clock drift (longer than the promises behind it) lets two masters serve', async () => {
    // the tertiary stops hearing the primary but its acknowledgements still arrive: the primary's
    // lease runs on its last one while the tertiary's promise ends and it votes for the secondary
    const triad = await secondaryCampaigns((config) => new QuorumMachine({ ...config, driftBound: -0.2 }));
    triad.network.cutOneWay(0, 2);
    expect(await triad.run(triad.world.now + 15_000)).toMatch(/two masters serving at once/);
  });

  it('a member that forgets its promise when it restarts lets two masters serve (and the real engine does not)', async () => {
    const restartBeforeCampaign = async (makeMachine: MakeMachine, seed: number) => {
      const triad = await secondaryCampaigns(makeMachine, seed);
      // just before the secondary campaigns (E + s/4 after the cut) the tertiary restarts and
      // hears the primary no more, whose lease still runs on the tertiary's last acknowledgement
      await triad.run(triad.world.now + 3_100);
      triad.member(2).crash();
      triad.network.cut(0, 2);
      triad.member(2).start();
      return triad.run(triad.world.now + 10_000);
    };
    const violations: (string | null)[] = [];
    for (const seed of [21, 22, 23]) {
      violations.push(await restartBeforeCampaign((config) => new PromiseForgettingMachine(config), seed));
      expect(await restartBeforeCampaign((config) => new QuorumMachine(config), seed)).toBeNull();
    }
    expect(violations.join('\n')).toMatch(/two masters serving at once/);
  });

  it('a member that votes right after its disk was wiped loses an acknowledged seat (and the real engine does not)', async () => {
    const wipeThenLoseMaster = async (makeMachine: MakeMachine, seed: number) =>
      wipeTertiaryThenLoseMaster(await startedTriad({ seed, makeMachine }));
    const violations: (string | null)[] = [];
    for (const seed of [12, 13]) {
      violations.push(await wipeThenLoseMaster((config) => new LearnerIgnoringMachine(config), seed));
      expect(await wipeThenLoseMaster((config) => new QuorumMachine(config), seed)).toBeNull();
    }
    expect(violations.join('\n')).toMatch(/became master without the acknowledged seat/);
  });
});
