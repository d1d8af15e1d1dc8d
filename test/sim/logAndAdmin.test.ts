import { describe, expect, it } from 'vitest';
import type { QuorumEffect } from '../../src/core/quorum';
import { Cluster, GOOD_IDENTITY, HOSTS } from './harness/cluster';
import { InvariantChecker } from './harness/invariants';

/**
 * What administrators see: the debug-log lines of the seed white paper and FlexNet (reference
 * 2.7) at the right moments and only from the master, license mismatches named on both sides,
 * lmdown and lmreread reaching all three, and slow links flagged in the status.
 */

function triad() {
  const cluster = new Cluster({ seed: 11, heartbeatMs: 1000, driftBound: 0.01, primaryIsMaster: false, tickMs: 50 });
  const checker = new InvariantChecker(cluster, null);
  cluster.afterEvent = () => checker.check();
  return { cluster, serving: () => checker.servingMembers() };
}

const OTHER_FILE = { licenseHash: 'hash-rekeyed', serverOrder: GOOD_IDENTITY.serverOrder };

describe('debug log', () => {
  it('the master tells the seed white paper story; standbys write nothing', () => {
    const { cluster } = triad();
    cluster.start(0);
    cluster.at(1000, () => cluster.start(1));
    cluster.at(8000, () => cluster.start(2));
    cluster.runUntil(12_000);
    expect(cluster.nodes[0].logLines).toEqual([
      '(lmgrd) Redundant server configuration enabled. Attempting to establish quorum...',
      '(lmgrd) Trying to establish connections to other redundant servers...',
      '(lmgrd) Attempting connection to secondary redundant server bravo',
      '(lmgrd) Attempting connection to tertiary redundant server charlie',
      '(lmgrd) Established connection to secondary redundant server bravo',
      '(lmgrd) Connected to bravo',
      '(lmgrd) Redundant server quorum established. Master is alpha',
      '(ibmratl) CONNECTED, master is alpha',
      '(lmgrd) Established connection to tertiary redundant server charlie',
      '(lmgrd) Connected to charlie',
      '(lmgrd) Selected (EXISTING) master alpha',
    ]);
    expect(cluster.nodes[1].logLines).toEqual([]);
    expect(cluster.nodes[2].logLines).toEqual([]);
  });

  it('the master logs lost peers and the lost quorum', () => {
    const { cluster, serving } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    const before = cluster.nodes[0].logLines.length;
    cluster.crash(1);
    cluster.crash(2);
    cluster.runUntil(20_000);
    expect(serving()).toEqual([]);
    expect(cluster.nodes[0].logLines.slice(before)).toEqual([
      '(lmgrd) Lost connection to bravo',
      '(lmgrd) Disconnected from Secondary redundant license server bravo',
      '(lmgrd) Lost connection to charlie',
      '(lmgrd) Disconnected from Tertiary redundant license server charlie',
      '(lmgrd) Lost redundant license server quorum',
      '(ibmratl) Lost quorum',
    ]);
  });

  it('a standby starts logging when it becomes master', () => {
    const { cluster, serving } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    expect(cluster.nodes[1].logLines).toEqual([]);
    cluster.crash(0);
    cluster.runUntil(16_000);
    expect(serving()).toEqual([1]);
    expect(cluster.nodes[1].logLines).toContain('(lmgrd) Redundant server quorum established. Master is bravo');
    expect(cluster.nodes[1].logLines).toContain('(ibmratl) CONNECTED, master is bravo');
    expect(cluster.nodes[1].logLines.at(0)).toBe('(lmgrd) Redundant server configuration enabled. Attempting to establish quorum...');
  });
});

describe('license mismatch', () => {
  it('keeps a member with another license file out of the quorum and says so on both sides', () => {
    const { cluster, serving } = triad();
    cluster.start(0);
    cluster.start(1);
    cluster.start(2, OTHER_FILE);
    cluster.runUntil(10_000);
    expect(serving()).toEqual([0]);
    const line =
      '(lmgrd) The license file on charlie differs from the one on alpha: the two cannot form a quorum together. ' +
      'Import the same license file on all three servers.';
    expect(cluster.nodes[0].logLines).toContain(line);
    expect(cluster.nodes[2].logLines).toContain(
      '(lmgrd) The license file on alpha differs from the one on charlie: the two cannot form a quorum together. ' +
        'Import the same license file on all three servers.',
    );
    const status = cluster.nodes[0].machine!.status(cluster.localTime(0));
    expect(status.peers.find((peer) => peer.host === 'charlie')?.problem).toContain('Import the same license file on all three servers.');
    expect(status.peers.find((peer) => peer.host === 'charlie')?.lossPercent).toBe(0);
    // without the secondary, the primary and the mismatched tertiary are no quorum
    cluster.crash(1);
    cluster.runUntil(40_000);
    expect(serving()).toEqual([]);
  });

  it('three different license files never form a quorum', () => {
    const { cluster, serving } = triad();
    cluster.start(0, { licenseHash: 'a', serverOrder: [...HOSTS] });
    cluster.start(1, { licenseHash: 'b', serverOrder: [...HOSTS] });
    cluster.start(2, { licenseHash: 'c', serverOrder: [...HOSTS] });
    for (let t = 1000; t <= 40_000; t += 1000) {
      cluster.runUntil(t);
      expect(serving()).toEqual([]);
    }
  });

  it('a different SERVER-line order is refused with FlexNet\'s line', () => {
    const { cluster } = triad();
    cluster.start(0);
    cluster.start(1);
    cluster.start(2, { licenseHash: GOOD_IDENTITY.licenseHash, serverOrder: ['bravo', 'alpha', 'charlie'] });
    cluster.runUntil(10_000);
    expect(cluster.nodes[0].logLines).toContain('(lmgrd) License File SERVER line order mismatch.');
    expect(cluster.nodes[0].logLines).toContain(
      '(lmgrd) The SERVER-line order on charlie differs from the one on alpha: the two cannot form a quorum together. ' +
        'Import the same license file on all three servers.',
    );
  });
});

describe('administration', () => {
  it('lmdown on a standby stops all three', () => {
    const { cluster } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    cluster.input(cluster.nodes[2], { type: 'shutdown', nowMs: cluster.localTime(2) });
    cluster.runUntil(9000);
    expect(cluster.nodes.map((node) => node.shutDown)).toEqual([true, true, true]);
    expect(cluster.nodes.map((node) => node.machine)).toEqual([null, null, null]);
    expect(cluster.nodes[0].logLines.at(-1)).toBe('(lmgrd) Shutting down all three redundant license servers (lmdown from charlie)');
  });

  it('lmreread on one member rereads on all three', () => {
    const { cluster } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    cluster.input(cluster.nodes[1], { type: 'reread', nowMs: cluster.localTime(1) });
    cluster.runUntil(9000);
    // the secondary's own host reread already; the other two follow
    expect(cluster.nodes.map((node) => node.rereads)).toEqual([1, 0, 1]);
  });

  it('warns about a slow peer link, and not about a fast one', () => {
    const { cluster } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(10_000);
    expect(cluster.nodes[0].machine!.status(cluster.localTime(0)).warnings).toEqual([]);
    cluster.network = { lossRate: 0, duplicateRate: 0, minDelayMs: 150, maxDelayMs: 200 };
    cluster.runUntil(15_000);
    const status = cluster.nodes[0].machine!.status(cluster.localTime(0));
    expect(status.peers[0].rttMs).toBeGreaterThan(250);
    expect(status.warnings.join('\n')).toMatch(/The link to bravo is too slow or lossy for reliable failover \(heartbeat round trip \d+ ms\)/);
  });
});

describe('replication', () => {
  it('a seat acknowledged by the old master is in the new master\'s lease table', () => {
    const { cluster, serving } = triad();
    const commits: { rank: number; effect: QuorumEffect }[] = [];
    cluster.onEffect = (node, effect) => {
      if (effect.type === 'commit') commits.push({ rank: node.rank, effect });
    };
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    const op = { kind: 'grant' as const, payload: { leaseId: 'L1' } };
    cluster.input(cluster.nodes[0], { type: 'clientOp', nowMs: cluster.localTime(0), requestId: 'r1', op });
    cluster.runUntil(8100);
    expect(commits).toContainEqual({ rank: 0, effect: { type: 'commit', index: 2, op, requestId: 'r1' } });
    cluster.crash(0);
    cluster.runUntil(16_000);
    expect(serving()).toEqual([1]);
    expect(commits).toContainEqual({ rank: 1, effect: { type: 'commit', index: 2, op, requestId: null } });
  });

  it('pipelines appends: under a stream of ops each entry goes to each standby about once, and all commit', () => {
    const { cluster } = triad();
    const sent = { 1: 0, 2: 0 } as Record<number, number>;
    const committed = new Set<string>();
    cluster.onEffect = (node, effect) => {
      if (node.rank === 0 && effect.type === 'send' && effect.message.type === 'append') sent[effect.to] += effect.message.ops.length;
      if (node.rank === 0 && effect.type === 'commit' && effect.requestId) committed.add(effect.requestId);
    };
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    sent[1] = sent[2] = 0;
    // in order like TCP, 3 ms each way; one op per ms: several appends are always in flight
    cluster.network = { lossRate: 0, duplicateRate: 0, minDelayMs: 3, maxDelayMs: 3 };
    const ops = 300;
    for (let i = 0; i < ops; i++) {
      cluster.at(8000 + i, () =>
        cluster.input(cluster.nodes[0], {
          type: 'clientOp',
          nowMs: cluster.localTime(0),
          requestId: `r${i}`,
          op: { kind: 'grant', payload: { leaseId: `L${i}` } },
        }),
      );
    }
    cluster.runUntil(12_000);
    expect(committed.size).toBe(ops);
    // re-sending every unacknowledged entry with each new op would send several times as many
    expect(sent[1]).toBeLessThan(ops * 1.1);
    expect(sent[2]).toBeLessThan(ops * 1.1);
  });

  it('a standby refuses client ops and names the master', () => {
    const { cluster } = triad();
    const failures: QuorumEffect[] = [];
    cluster.onEffect = (_node, effect) => {
      if (effect.type === 'opFailed') failures.push(effect);
    };
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    cluster.input(cluster.nodes[1], { type: 'clientOp', nowMs: cluster.localTime(1), requestId: 'r2', op: { kind: 'checkin', payload: {} } });
    expect(failures).toEqual([{ type: 'opFailed', requestId: 'r2', reason: 'Not the master: the master is alpha.' }]);
  });
});

describe('license distribution', () => {
  const NEW_FILE = { licenseHash: 'hash-v2', serverOrder: GOOD_IDENTITY.serverOrder };
  const switchOp = { kind: 'licenseSwitch' as const, payload: 'new license text', identity: NEW_FILE, previous: GOOD_IDENTITY };

  it('a file imported on the master reaches all three and the quorum never breaks', () => {
    const { cluster, serving } = triad();
    const installs: number[] = [];
    cluster.onEffect = (node, effect) => {
      if (effect.type === 'installLicense' && effect.payload === 'new license text') installs.push(node.rank);
    };
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    cluster.input(cluster.nodes[0], { type: 'clientOp', nowMs: cluster.localTime(0), requestId: 'switch', op: switchOp });
    for (let t = 8100; t <= 20_000; t += 100) {
      cluster.runUntil(t);
      expect(serving()).toEqual([0]);
    }
    expect(installs.sort()).toEqual([0, 1, 2]);
    expect(cluster.nodes.map((node) => node.identity.licenseHash)).toEqual(['hash-v2', 'hash-v2', 'hash-v2']);
    expect(cluster.nodes[0].logLines).toContain('(lmgrd) Switched to the license file distributed to all three redundant license servers');
    expect(cluster.nodes.flatMap((node) => node.logLines).filter((line) => line.includes('differs'))).toEqual([]);
  });

  it('a member that was down during the switch gets the file when it returns', () => {
    const { cluster, serving } = triad();
    for (const rank of [0, 1, 2] as const) cluster.start(rank);
    cluster.runUntil(8000);
    cluster.crash(2);
    cluster.input(cluster.nodes[0], { type: 'clientOp', nowMs: cluster.localTime(0), requestId: 'switch', op: switchOp });
    cluster.runUntil(12_000);
    cluster.start(2);
    cluster.runUntil(20_000);
    expect(cluster.nodes[2].identity.licenseHash).toBe('hash-v2');
    cluster.crash(1);
    cluster.runUntil(30_000);
    expect(serving()).toEqual([0]); // the primary and the caught-up tertiary are a quorum
  });
});
