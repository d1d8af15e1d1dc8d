import { describe, expect, it } from 'vitest';
import { HOST_IDS } from './world/licenses';
import { checkout, flexnetLines, serving, settled, startedTriad } from './world/scenario';
import { TriadWorld } from './world/triadWorld';

/**
 * What administrators see: the debug-log lines of the seed white paper and FlexNet (reference
 * 2.7) at the right moments and only from the master, license mismatches named on both sides,
 * lmdown and lmreread reaching all three, slow links flagged in the status; and replication and
 * license distribution as the licensing service uses them.
 */

const learnerLines = (host: string) => [
  '(lmgrd) Joining the redundant servers as a learner (it has no quorum state yet (a new or emptied data folder)): this server catches up from the ' +
    'master and does not vote until it holds everything the master has committed.',
  `(lmgrd) Caught up with the master ${host}: this server votes again.`,
];

describe('debug log', () => {
  it('the master tells the seed white paper story; standbys write nothing but their own catching up', async () => {
    const triad = new TriadWorld({ seed: 11, clients: 0 });
    triad.member(0).start();
    triad.world.at(1000, () => triad.member(1).start());
    triad.world.at(8000, () => triad.member(2).start());
    expect(await triad.run(12_000)).toBeNull();
    expect(flexnetLines(triad.member(0))).toEqual([
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
    expect(flexnetLines(triad.member(1))).toEqual([]);
    expect(flexnetLines(triad.member(2))).toEqual(learnerLines('alpha'));
  });

  it('the master logs lost peers and the lost quorum', async () => {
    const triad = await startedTriad({ seed: 11 });
    const before = flexnetLines(triad.member(0)).length;
    triad.member(1).crash();
    triad.member(2).crash();
    expect(await triad.run(20_000)).toBeNull();
    expect(serving(triad)).toEqual([]);
    expect(flexnetLines(triad.member(0)).slice(before)).toEqual([
      '(lmgrd) Lost connection to bravo',
      '(lmgrd) Disconnected from Secondary redundant license server bravo',
      '(lmgrd) Lost connection to charlie',
      '(lmgrd) Disconnected from Tertiary redundant license server charlie',
      '(lmgrd) Lost redundant license server quorum',
      '(ibmratl) Lost quorum',
    ]);
  });

  it('a standby starts logging when it becomes master', async () => {
    const triad = await startedTriad({ seed: 11 });
    expect(flexnetLines(triad.member(1))).toEqual([]);
    triad.member(0).crash();
    expect(await triad.run(triad.world.now + 8000)).toBeNull();
    expect(serving(triad)).toEqual([1]);
    const lines = flexnetLines(triad.member(1));
    expect(lines).toContain('(lmgrd) Redundant server quorum established. Master is bravo');
    expect(lines).toContain('(ibmratl) CONNECTED, master is bravo');
    expect(lines.at(0)).toBe('(lmgrd) Redundant server configuration enabled. Attempting to establish quorum...');
  });
});

describe('license mismatch', () => {
  it('keeps a member with another license file out of the quorum and says so on both sides', async () => {
    const triad = new TriadWorld({ seed: 11, clients: 0 });
    triad.member(2).license = triad.licenses.issue(3).version;
    for (const member of triad.members) member.start();
    expect(await triad.run(10_000)).toBeNull();
    expect(serving(triad)).toEqual([0]);
    expect(flexnetLines(triad.member(0))).toContain(
      '(lmgrd) The license file on charlie differs from the one on alpha: the two cannot form a quorum together. Import the same license file on all ' +
        'three servers.',
    );
    expect(flexnetLines(triad.member(2))).toContain(
      '(lmgrd) The license file on alpha differs from the one on charlie: the two cannot form a quorum together. Import the same license file on all ' +
        'three servers.',
    );
    const charlie = triad.member(0).service!.status().members.find((member) => member.host === 'charlie')!;
    expect(charlie.problem).toContain('Import the same license file on all three servers.');
    expect(charlie.heartbeatLossPercent).toBe(0);
    // without the secondary, the primary and the mismatched tertiary are no quorum
    triad.member(1).crash();
    expect(await triad.run(40_000)).toBeNull();
    expect(serving(triad)).toEqual([]);
  });

  it('three different license files never form a quorum', async () => {
    const triad = new TriadWorld({ seed: 11, clients: 0 });
    for (const member of triad.members) {
      member.license = triad.licenses.issue(3).version;
      member.start();
    }
    for (let t = 1000; t <= 40_000; t += 1000) {
      expect(await triad.run(t)).toBeNull();
      expect(serving(triad)).toEqual([]);
    }
  });

  it("a different SERVER-line order is refused with FlexNet's line", async () => {
    const triad = new TriadWorld({ seed: 11, clients: 0 });
    triad.member(2).license = triad.licenses.issue(3, [HOST_IDS[1], HOST_IDS[0], HOST_IDS[2]]).version;
    for (const member of triad.members) member.start();
    expect(await triad.run(10_000)).toBeNull();
    expect(flexnetLines(triad.member(0))).toContain('(lmgrd) License File SERVER line order mismatch.');
    expect(flexnetLines(triad.member(0))).toContain(
      '(lmgrd) The SERVER-line order on charlie differs from the one on alpha: the two cannot form a quorum together. Import the same license file on ' +
        'all three servers.',
    );
  });
});

describe('administration', () => {
  it('lmdown on a standby stops all three', async () => {
    const triad = await startedTriad({ seed: 11 });
    triad.member(2).driver!.shutdownAll();
    expect(await triad.run(triad.world.now + 1000)).toBeNull();
    expect(triad.members.map((member) => member.running)).toEqual([false, false, false]);
    expect(flexnetLines(triad.member(0)).at(-1)).toBe('(lmgrd) Shutting down all three redundant license servers (lmdown from charlie)');
  });

  it('lmreread on one member rereads on all three', async () => {
    const triad = await startedTriad({ seed: 11 });
    // the secondary's host rereads its own files, then the triad passes it on
    triad.member(1).service!.rereadForPeer();
    triad.member(1).driver!.rereadAll();
    expect(await triad.run(triad.world.now + 1000)).toBeNull();
    expect(triad.members.map((member) => flexnetLines(member).filter((line) => line === '(lmgrd) Rereading license file...').length)).toEqual([1, 1, 1]);
  });

  it('warns about a slow peer link, and not about a fast one', async () => {
    const triad = await startedTriad({ seed: 11 });
    expect(await triad.run(10_000)).toBeNull();
    expect(triad.member(0).service!.status().warnings).toEqual([]);
    triad.network.conditions = { lossRate: 0, duplicateRate: 0, minDelayMs: 150, maxDelayMs: 200 };
    expect(await triad.run(15_000)).toBeNull();
    const status = triad.member(0).service!.status();
    expect(status.members[1].heartbeatRttMs).toBeGreaterThan(250);
    expect(status.warnings.join('\n')).toMatch(/The link to bravo is too slow or lossy for reliable failover \(heartbeat round trip \d+ ms\)/);
  });
});

describe('replication', () => {
  it("a seat granted by the old master is in the new master's seats", async () => {
    const triad = await startedTriad({ seed: 11 });
    const answer = await settled(triad, checkout(triad.member(0), 'ann'));
    expect(answer.type).toBe('granted');
    if (answer.type !== 'granted') return;
    triad.member(0).crash();
    expect(await triad.run(triad.world.now + 8000)).toBeNull();
    expect(serving(triad)).toEqual([1]);
    expect(triad.member(1).service!.leases().map((lease) => lease.leaseId)).toContain(answer.leaseId);
  });

  it('pipelines appends: under a stream of checkouts each entry goes to each standby about once, and all commit', async () => {
    const triad = await startedTriad({ seed: 11, seats: 400 });
    const sent = { 1: 0, 2: 0 } as Record<number, number>;
    triad.network.filter = (from, to, message) => {
      const m = message as { type: string; ops?: unknown[] };
      if (from === 0 && m.type === 'append') sent[to] += m.ops!.length;
      return true;
    };
    // in order like TCP, 3 ms each way; one checkout per ms: several appends are always in flight
    triad.network.conditions = { lossRate: 0, duplicateRate: 0, minDelayMs: 3, maxDelayMs: 3 };
    const checkouts = 300;
    const answers: Promise<unknown>[] = [];
    for (let i = 0; i < checkouts; i++) triad.world.at(triad.world.now + i, () => answers.push(checkout(triad.member(0), `user${i}`)));
    expect(await triad.run(triad.world.now + 4000)).toBeNull();
    const results = (await settled(triad, Promise.all(answers))) as { type: string }[];
    expect(results.filter((answer) => answer.type === 'granted')).toHaveLength(checkouts);
    // re-sending every unacknowledged entry with each new op would send several times as many
    expect(sent[1]).toBeLessThan(checkouts * 1.1);
    expect(sent[2]).toBeLessThan(checkouts * 1.1);
  });

  it('a standby refuses a change to the seats and names the master', async () => {
    const triad = await startedTriad({ seed: 11 });
    await expect(settled(triad, triad.member(1).driver!.commit({ kind: 'checkin', leaseId: 'x', atMs: 0 }))).rejects.toThrow(
      'Not the master: the master is alpha.',
    );
  });
});

describe('license distribution', () => {
  it('a file imported on the master reaches all three and the quorum never breaks', async () => {
    const triad = await startedTriad({ seed: 11 });
    expect(triad.distribute(3)).toBe(true);
    for (let t = triad.world.now + 100; t <= 20_000; t += 100) {
      expect(await triad.run(t)).toBeNull();
      expect(serving(triad)).toEqual([0]);
    }
    expect(triad.members.map((member) => member.license)).toEqual([2, 2, 2]);
    expect(flexnetLines(triad.member(0))).toContain('(lmgrd) Switched to the license file distributed to all three redundant license servers');
    expect(triad.members.flatMap((member) => flexnetLines(member)).filter((line) => line.includes('differs'))).toEqual([]);
  });

  it('a file that reorders the SERVER lines is refused on the master and nothing switches', async () => {
    const triad = await startedTriad({ seed: 11 });
    expect(triad.distribute(3, [HOST_IDS[2], HOST_IDS[1], HOST_IDS[0]])).toBe(true);
    expect(await triad.run(triad.world.now + 3000)).toBeNull();
    expect(triad.members.map((member) => member.license)).toEqual([1, 1, 1]);
    expect(triad.world.traceText()).toMatch(/license v2 not distributed: its SERVER lines .* are not this triad's/);
    expect(serving(triad)).toEqual([0]);
  });

  it('a member that was down during the switch gets the file when it returns', async () => {
    const triad = await startedTriad({ seed: 11 });
    triad.member(2).crash();
    expect(triad.distribute(3)).toBe(true);
    expect(await triad.run(12_000)).toBeNull();
    triad.member(2).start();
    expect(await triad.run(20_000)).toBeNull();
    expect(triad.member(2).license).toBe(2);
    triad.member(1).crash();
    expect(await triad.run(30_000)).toBeNull();
    expect(serving(triad)).toEqual([0]); // the primary and the caught-up tertiary are a quorum
  });
});
