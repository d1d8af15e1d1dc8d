import { describe, expect, it } from 'vitest';
import { CLASSIC_KINDS } from '../../bench/chaos/nemesis';
import { runChaos } from '../../bench/chaos/run';
import { hostBundle } from '../support/cliBundle';

// The short chaos drill inside `npm test` (issue 7): three real servers behind fault proxies, a
// fixed seed, 40 s of issue 7's faults. `npm run chaos` runs the long, randomly seeded version
// with every fault kind (clock steps, disk wipes and rollbacks, run-time imports too).
// Seed 10 partitions a member, SIGKILLs one, cuts a link one way, SIGSTOPs the master, slows every link.
const SEED = 10;

describe('chaos drill (short)', () => {
  it(`seed ${SEED}: no violation of seats, durability, single master or resumption`, { timeout: 180_000 }, async () => {
    const report = await runChaos({ seed: SEED, durationMs: 40_000, hostPath: await hostBundle(), kinds: CLASSIC_KINDS });
    console.log(report.summary);
    expect(report.violations, report.summary).toEqual([]);
    // the drill really drilled: faults applied, seats granted and contended
    expect(report.faults.length).toBeGreaterThanOrEqual(4);
    expect(report.figures.grants).toBeGreaterThan(15);
    expect(report.figures.masterChanges).toBeGreaterThanOrEqual(1);
    expect(report.figures.maxSeatsHeldByClients).toBe(report.licensedSeats);
  });
});
