import { describe, expect, it } from 'vitest';
import { QuorumMachine, isEligible, type QuorumConfig, type QuorumEffect, type QuorumInput, type Rank } from '../../src/core/quorum';
import { runRandomSeed } from './harness/randomRun';

/**
 * The simulation is only worth its green tick if it goes red for a broken engine. Each variant
 * below removes one safety rule; the seeded faults must catch it within a few hundred seeds.
 */

/** Votes whenever asked: forgets the promise made to a live master (no lease wait). */
class NoLeaseWaitMachine extends QuorumMachine {
  protected override mayVoteFor(candidate: Rank): boolean {
    return isEligible(candidate);
  }
}

/** Never flushes what it must persist: a crash takes its log and its votes with it. */
class NeverFlushesMachine extends QuorumMachine {
  override step(input: QuorumInput): QuorumEffect[] {
    return super.step(input).filter((effect) => effect.type !== 'persist');
  }
}

/** Forgets at a restart what it promised before the crash. */
class PromiseForgettingMachine extends QuorumMachine {
  override step(input: QuorumInput): QuorumEffect[] {
    if (input.type !== 'restart') return super.step(input);
    return super.step({ ...input, persisted: { ...input.persisted, promisedUntil: 0 } });
  }
}

function firstViolation(makeMachine: (config: QuorumConfig) => QuorumMachine): { seed: number; violation: string } | null {
  for (let seed = 1; seed <= 400; seed++) {
    const result = runRandomSeed({ seed, makeMachine });
    if (result.violation) return { seed, violation: result.violation };
  }
  return null;
}

describe('the simulation catches a broken quorum engine', () => {
  it('a member that votes while it still promised the old master lets two masters serve', () => {
    const found = firstViolation((config) => new NoLeaseWaitMachine(config));
    expect(found?.violation).toMatch(/two masters serving at once/);
  });

  it('a lease that ignores clock drift (longer than the promises behind it) is caught', () => {
    const found = firstViolation((config) => new QuorumMachine({ ...config, driftBound: -0.2 }));
    expect(found?.violation).toMatch(/two masters serving at once/);
  });

  it('a member that does not persist before answering is caught losing an acknowledged seat', () => {
    // its disk stays empty, so it keeps its whole log in memory (there is nothing to read back)
    const found = firstViolation((config) => new NeverFlushesMachine({ ...config, logMemoryEntries: Number.POSITIVE_INFINITY }));
    expect(found?.violation).toMatch(/became master without the acknowledged/);
  });

  it('a member that forgets its promise when it restarts is caught', () => {
    const found = firstViolation((config) => new PromiseForgettingMachine(config));
    expect(found?.violation).toMatch(/two masters serving at once/);
  });
});
