import { describe, expect, it } from 'vitest';
import { emptyPersistedState, type MemberStanding, type PersistedQuorumState, type Rank } from '../../../src/core/quorum';
import { QUORUM_TEST_HOSTS, quorumTestMachine } from '../../support/quorumMachine';

/**
 * Rule I3 of the quorum README: which triad id wins when two were made. A first master whose id
 * reached nobody (it stopped before any follower persisted it) leaves a member with an id that
 * no other member holds, while the other two, never having heard it, form the triad again under
 * another id. Simulation seed 63633: the primary named triad P1 and stopped; secondary and
 * tertiary formed S1 and committed grants; the secondary's disk was wiped and it learned P1 from
 * the primary alone; the tertiary, holding the only copy of the committed grants, then saw "two
 * peers agreeing on another triad" and forgot its log: no master ever again, and the grants lost.
 */

const hosts = QUORUM_TEST_HOSTS;
const identity = { licenseHash: 'h', serverOrder: [...hosts] };

function member(self: Rank, persisted: Partial<PersistedQuorumState>) {
  const machine = quorumTestMachine({ self, identity });
  machine.step({ type: 'restart', nowMs: 0, persisted: { ...structuredClone(emptyPersistedState), ...persisted } });
  const hello = (rank: Rank, epoch: number, standing: Pick<MemberStanding, 'triadId' | 'learner' | 'committed'>) => {
    machine.step({ type: 'peerConnected', nowMs: 10, rank });
    const message = { type: 'hello' as const, rank, epoch, ...identity, switchedFrom: null, ...standing };
    return machine.step({ type: 'message', nowMs: 10, from: rank, message });
  };
  return { machine, hello };
}

const grants = (epoch: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ epoch, index: i + 1, op: { kind: 'grant' as const, payload: { n: i + 1 } } }));

describe('which triad id a member keeps', () => {
  it('a member whose triad id was never committed takes the id of a voter whose triad has committed, keeping its epoch, vote and voice', () => {
    const primary = member(0, { epoch: 1, votedFor: { epoch: 1, member: 'alpha' }, triadId: 'P1', log: grants(1, 1), commitIndex: 0 });
    primary.hello(1, 0, { triadId: 'P1', learner: true, committed: false });
    const ready = primary.hello(2, 2, { triadId: 'S1', learner: false, committed: true });
    expect(primary.machine.state.persisted).toMatchObject({ triadId: 'S1', learner: false, votedFor: { epoch: 1, member: 'alpha' } });
    expect(ready.hardState).toMatchObject({ triadId: 'S1' });
    expect(primary.machine.state.log.lastIndex).toBe(1);
  });

  it('a member that holds committed entries does not forget them because a learner repeats another id', () => {
    const tertiary = member(2, { epoch: 2, votedFor: { epoch: 2, member: 'bravo' }, triadId: 'S1', log: grants(2, 4), commitIndex: 3 });
    tertiary.hello(0, 2, { triadId: 'P1', learner: false, committed: false });
    tertiary.hello(1, 1, { triadId: 'P1', learner: true, committed: false });
    expect(tertiary.machine.state.persisted).toMatchObject({ triadId: 'S1', learner: false, commitIndex: 3 });
    expect(tertiary.machine.state.log.lastIndex).toBe(4);
  });

  it('a member whose two voting peers agree on another triad still rejoins theirs as a learner', () => {
    const odd = member(2, { epoch: 5, votedFor: { epoch: 5, member: 'charlie' }, triadId: 'X', log: grants(5, 2), commitIndex: 2 });
    odd.hello(0, 3, { triadId: 'S1', learner: false, committed: true });
    odd.hello(1, 3, { triadId: 'S1', learner: false, committed: true });
    expect(odd.machine.state.persisted).toMatchObject({ triadId: 'S1', learner: true, commitIndex: 0 });
    expect(odd.machine.state.log.lastIndex).toBe(0);
  });

  it('a member that committed under its id keeps it against a voter of another triad', () => {
    const settled = member(0, { epoch: 4, votedFor: { epoch: 4, member: 'alpha' }, triadId: 'P1', log: grants(4, 2), commitIndex: 2 });
    settled.hello(2, 6, { triadId: 'S1', learner: false, committed: true });
    expect(settled.machine.state.persisted).toMatchObject({ triadId: 'P1', learner: false, commitIndex: 2 });
  });
});
