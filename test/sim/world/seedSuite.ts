import { describe, expect, it } from 'vitest';
import { runRandomSeed } from './randomRun';

/**
 * The seeded whole-triad simulation of the real driver and licensing service. `npm test` runs
 * SIM_SEEDS seeds (1,000 by default) in two halves, one per test file, so both cores share them;
 * `npm run sim:long` runs 100,000; `SEED=n npm run sim` replays one seed and prints its trace.
 */

const replaySeed = process.env.SEED === undefined ? null : Number(process.env.SEED);
const seedCount = Number(process.env.SIM_SEEDS ?? 1000);
const firstSeed = Number(process.env.SIM_FIRST_SEED ?? 1);

export function seedSuite(half: 0 | 1): void {
  describe('the real triad code under seeded faults', () => {
    if (replaySeed !== null) {
      if (half === 1) return;
      it(`replays seed ${replaySeed}`, async () => {
        const result = await runRandomSeed({ seed: replaySeed, fullTrace: true });
        console.log(result.trace);
        console.log(result.violation ? `seed ${replaySeed}: ${result.violation}` : `seed ${replaySeed}: all checks held`);
        expect(result.violation).toBeNull();
      });
      return;
    }
    const from = firstSeed + (half === 0 ? 0 : Math.ceil(seedCount / 2));
    const count = half === 0 ? Math.ceil(seedCount / 2) : Math.floor(seedCount / 2);
    it(`holds every check over seeds ${from} to ${from + count - 1}`, async () => {
      let grants = 0;
      let slowestHealMs = 0;
      let compactions = 0;
      let snapshotsInstalled = 0;
      let runsWithoutCompaction = 0;
      let runsWithSnapshot = 0;
      for (let seed = from; seed < from + count; seed++) {
        const result = await runRandomSeed({ seed });
        if (result.violation) {
          throw new Error(
            `seed ${seed}: ${result.violation}\nreplay: SEED=${seed} npm run sim\nlast events:\n${result.trace.split('\n').slice(-80).join('\n')}`,
          );
        }
        grants += result.grantsTold;
        slowestHealMs = Math.max(slowestHealMs, result.healToServingMs ?? 0);
        compactions += result.compactions;
        snapshotsInstalled += result.snapshotsInstalled;
        if (result.compactions === 0) runsWithoutCompaction += 1;
        if (result.snapshotsInstalled > 0) runsWithSnapshot += 1;
      }
      console.log(
        `${count} seeds: ${grants} seats granted and acknowledged, slowest recovery after heal ${slowestHealMs.toFixed(0)} ms; ` +
          `${compactions} log compactions (${runsWithoutCompaction} runs without one), ${snapshotsInstalled} snapshots installed (in ${runsWithSnapshot} runs)`,
      );
      // the clients must really have been served, or the checks above prove little
      expect(grants).toBeGreaterThan(count * 5);
    });
  });
}
