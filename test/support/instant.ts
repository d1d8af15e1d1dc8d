import type { Instant } from '../../src/core/instant';

/** One number on both clocks: tests of pure modules step time by hand, with no wall-clock steps. */
export function at(ms: number): Instant {
  return { wallMs: ms, monoMs: ms };
}
