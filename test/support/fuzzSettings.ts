/**
 * Run settings for property tests and fuzzing, replayable from the environment:
 *   FUZZ_SEED=n   replays with that seed (fast-check prints the seed of a failing run),
 *   FUZZ_RUNS=n   runs n cases instead of the test's default (longer soaks, quicker smoke runs).
 * Without them each test keeps its own fixed seed, so `npm test` is deterministic.
 */
export function fuzzSettings(defaults: { seed: number; numRuns: number }): { seed: number; numRuns: number } {
  return {
    seed: envInteger('FUZZ_SEED') ?? defaults.seed,
    numRuns: envInteger('FUZZ_RUNS') ?? defaults.numRuns,
  };
}

function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name}=${text}: expected a whole number`);
  return value;
}
