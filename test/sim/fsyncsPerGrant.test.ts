import { describe, expect, it } from 'vitest';
import { checkout, settled, startedTriad } from './world/scenario';

/**
 * Issue 18: a triad grant waited for three fsyncs in a row on the master (its append, the applied
 * commit, the OUT row) and one on a standby. The OUT row is now written in the transaction that
 * applies the grant, and applying a committed entry needs no fsync of its own (a restart
 * re-applies and re-records it from the log), so the grant costs each member the fsync of its
 * append and nothing more.
 */

describe('fsyncs per triad grant', () => {
  it('is one on the master and one on each standby', async () => {
    const triad = await startedTriad({ seed: 18 });
    const [primary, secondary, tertiary] = triad.members;
    // quiet: heartbeats carry the commit index only, which costs no fsync
    await triad.run(triad.world.now + 2_000);
    for (const member of triad.members) member.syncs = 0;
    const answer = await settled(triad, checkout(primary, 'ann'));
    expect(answer.type).toBe('granted');
    expect(primary.syncs).toBe(1);
    // the standbys apply the commit (and write the OUT row) with the master's next message
    await triad.run(triad.world.now + 2_000);
    expect([primary.syncs, secondary.syncs, tertiary.syncs]).toEqual([1, 1, 1]);
    for (const member of triad.members) {
      expect(member.disk.reportLog.query({}).map((row) => row.event)).toEqual(['OUT']);
    }
  });
});
