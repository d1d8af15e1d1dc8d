import { describe, expect, it } from 'vitest';
import type { Rank } from '../../src/core/quorum';
import { Cluster } from './harness/cluster';
import { InvariantChecker } from './harness/invariants';

/**
 * The start-order and failover rules of DESIGN.md section 5, each on a calm network with the
 * safety checker running after every event.
 */

function triad(primaryIsMaster = false) {
  const cluster = new Cluster({ seed: 7, heartbeatMs: 1000, driftBound: 0.01, primaryIsMaster, tickMs: 50 });
  const checker = new InvariantChecker(cluster, null);
  cluster.afterEvent = () => checker.check();
  const serving = () => checker.servingMembers();
  /** Runs until `rank` serves; returns the real time it took, or null after `limitMs`. */
  const timeUntilServing = (rank: Rank, limitMs: number): number | null => {
    const from = cluster.now;
    while (cluster.now < from + limitMs) {
      cluster.runUntil(cluster.now + 10);
      if (serving().includes(rank)) return cluster.now - from;
    }
    return null;
  };
  return { cluster, serving, timeUntilServing };
}

describe('start order', () => {
  it('the primary started first becomes master once a peer arrives', () => {
    const { cluster, serving } = triad();
    cluster.start(0);
    cluster.runUntil(5000);
    expect(serving()).toEqual([]); // alone: no quorum, no licenses
    cluster.start(1);
    cluster.at(6000, () => cluster.start(2));
    cluster.runUntil(12_000);
    expect(serving()).toEqual([0]);
  });

  it('the primary wins when all three start together', () => {
    const { cluster, serving } = triad();
    for (const rank of [2, 1, 0] as const) cluster.start(rank);
    cluster.runUntil(8000);
    expect(serving()).toEqual([0]);
  });

  it('the secondary and tertiary started first make the secondary master, and it stays when the primary returns', () => {
    const { cluster, serving } = triad();
    cluster.start(1);
    cluster.at(500, () => cluster.start(2));
    cluster.runUntil(8000);
    expect(serving()).toEqual([1]);
    cluster.start(0);
    cluster.runUntil(30_000);
    expect(serving()).toEqual([1]);
    expect(cluster.nodes[1].logLines).toContain('(lmgrd) Selected (EXISTING) master bravo');
    expect(cluster.nodes[0].logLines).toEqual([]);
  });

  it('with PRIMARY_IS_MASTER the returning primary takes over once it has caught up', () => {
    const { cluster, serving, timeUntilServing } = triad(true);
    cluster.start(1);
    cluster.start(2);
    cluster.runUntil(8000);
    expect(serving()).toEqual([1]);
    cluster.start(0);
    expect(timeUntilServing(0, 10_000)).not.toBeNull();
    cluster.runUntil(cluster.now + 10_000);
    expect(serving()).toEqual([0]);
    expect(cluster.nodes[1].logLines).toContain('(lmgrd) PRIMARY_IS_MASTER: handing mastership back to the primary alpha');
    expect(cluster.nodes[0].logLines).toContain('(lmgrd) Redundant server quorum established. Master is alpha');
  });
});

describe('failover', () => {
  it('the secondary serves within 5 s of the master dying, and the primary returns as standby', () => {
    const { cluster, serving, timeUntilServing } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    expect(serving()).toEqual([0]);
    cluster.crash(0);
    const failoverMs = timeUntilServing(1, 10_000);
    expect(failoverMs).not.toBeNull();
    expect(failoverMs!).toBeLessThan(5000);
    cluster.start(0);
    cluster.runUntil(cluster.now + 20_000);
    expect(serving()).toEqual([1]);
  });

  it('with a heartbeat interval of 2 s the secondary waits 3*2 + (2-1) = 7 s after the last heartbeat', () => {
    const cluster = new Cluster({ seed: 3, heartbeatMs: 2000, driftBound: 0.01, primaryIsMaster: false, tickMs: 50 });
    const checker = new InvariantChecker(cluster, null);
    cluster.afterEvent = () => checker.check();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(15_000);
    expect(checker.servingMembers()).toEqual([0]);
    cluster.crash(0);
    const crashedAt = cluster.now;
    // the last heartbeat came at most one interval (2 s) before the crash
    cluster.runUntil(crashedAt + 7000 - 2000 - 100);
    expect(checker.servingMembers()).toEqual([]);
    cluster.runUntil(crashedAt + 7000 + 500 + 1000);
    expect(checker.servingMembers()).toEqual([1]);
  });

  it('with the primary and secondary down the tertiary serves nothing', () => {
    const { cluster, serving } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    cluster.crash(0);
    cluster.crash(1);
    cluster.runUntil(60_000);
    expect(serving()).toEqual([]);
    expect(cluster.nodes[2].machine!.state.role).toBe('follower');
  });

  it('the primary and secondary cut from each other while both reach the tertiary: the master stays', () => {
    const { cluster, serving } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    cluster.cut(0, 1);
    cluster.runUntil(40_000);
    expect(serving()).toEqual([0]);
    // pre-vote kept the cut-off secondary from raising epochs that would depose the master on heal
    const epoch = cluster.nodes[0].machine!.state.persisted.epoch;
    cluster.heal(0, 1);
    cluster.runUntil(50_000);
    expect(serving()).toEqual([0]);
    expect(cluster.nodes[0].machine!.state.persisted.epoch).toBe(epoch);
  });
});
