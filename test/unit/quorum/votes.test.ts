import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyPersistedState, type PeerMessage, type Rank, type Ready } from '../../../src/core/quorum';
import { QUORUM_TEST_HOSTS, quorumTestMachine } from '../../support/quorumMachine';

/** One tertiary, talked to directly: the voting rules of QUORUM.md "Election". */

const hosts = QUORUM_TEST_HOSTS;
const identity = { licenseHash: 'h', serverOrder: [...hosts] };
// a triad being formed: nobody has a triad id yet, so an empty member may vote
const standing = { ...identity, triadId: null, learner: false, committed: false, switchedFrom: null };

function tertiary() {
  const machine = quorumTestMachine({ self: 2, newTriadId: 't3', identity });
  machine.step({ type: 'restart', nowMs: 0, persisted: structuredClone(emptyPersistedState) });
  for (const rank of [0, 1] as const) {
    machine.step({ type: 'peerConnected', nowMs: 0, rank });
    machine.step({ type: 'message', nowMs: 0, from: rank, message: { type: 'hello', rank, ...standing, epoch: 0 } });
  }
  const send = (nowMs: number, from: Rank, message: PeerMessage) => machine.step({ type: 'message', nowMs, from, message });
  return { machine, send };
}

const votesIn = (ready: Ready) => ready.messages.flatMap(({ message }) => (message.type === 'vote' ? [message] : []));
const request = (epoch: number, lastLogIndex = 0): PeerMessage => ({
  type: 'requestVote',
  epoch,
  lastLogEpoch: 0,
  lastLogIndex,
  commitIndex: 0,
  transfer: false,
});

describe('voting', () => {
  it('votes once per epoch and persists the vote with the answer (a Ready is written before it is sent)', () => {
    const { send } = tertiary();
    const first = send(100, 0, request(1));
    expect(votesIn(first)[0].granted).toBe(true);
    expect(first.hardState?.votedFor).toEqual({ epoch: 1, member: hosts[0] });
    expect(votesIn(send(110, 1, request(1)))[0].granted).toBe(false);
    expect(votesIn(send(120, 1, request(2)))[0].granted).toBe(true);
  });

  it('refuses while it has a live master, without adopting the candidate\'s epoch', () => {
    const { machine, send } = tertiary();
    send(100, 0, request(1));
    const heartbeat: PeerMessage = { type: 'heartbeat', epoch: 1, commitIndex: 0, sentAt: 5, master: true, ...standing };
    send(1000, 0, heartbeat);
    expect(votesIn(send(2000, 1, request(2)))[0].granted).toBe(false);
    expect(machine.state.persisted.epoch).toBe(1);
    // the promise runs E = 3 s from the heartbeat
    expect(votesIn(send(4001, 1, request(2)))[0].granted).toBe(true);
  });

  it('never votes for the tertiary', () => {
    const { send } = tertiary();
    expect(votesIn(send(100, 2 as Rank, request(1)))).toEqual([]);
  });

  it('sends a candidate the log suffix it lacks after its commit index', () => {
    const { machine, send } = tertiary();
    send(100, 0, request(1));
    const ops = [1, 2, 3].map((index) => ({ epoch: 1, index, op: { kind: 'grant' as const, payload: { n: index } } }));
    send(200, 0, { type: 'append', epoch: 1, triadId: null, prevIndex: 0, prevEpoch: 0, ops, commitIndex: 1 });
    expect(machine.state.persisted.commitIndex).toBe(1);
    const vote = votesIn(send(9000, 1, { type: 'requestVote', epoch: 2, lastLogEpoch: 1, lastLogIndex: 1, commitIndex: 1, transfer: false }))[0];
    expect(vote.granted).toBe(true);
    expect(vote.suffix.map((entry) => entry.index)).toEqual([2, 3]);
  });

  it('whatever arrives, grants at most one candidate per epoch and never lowers its epoch', () => {
    const message = fc.record({
      from: fc.constantFrom<Rank>(0, 1),
      epoch: fc.integer({ min: 0, max: 6 }),
      dt: fc.integer({ min: 0, max: 2500 }),
      heartbeat: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 60 }), (messages) => {
        const { machine, send } = tertiary();
        const granted = new Map<number, Rank>();
        let now = 0;
        let epoch = 0;
        for (const m of messages) {
          now += m.dt;
          const ready = m.heartbeat
            ? send(now, m.from, { type: 'heartbeat', epoch: m.epoch, commitIndex: 0, sentAt: now, master: true, ...standing })
            : send(now, m.from, request(m.epoch));
          for (const vote of votesIn(ready).filter((v) => v.granted)) {
            expect(granted.get(vote.epoch) ?? m.from).toBe(m.from);
            granted.set(vote.epoch, m.from);
          }
          expect(machine.state.persisted.epoch).toBeGreaterThanOrEqual(epoch);
          epoch = machine.state.persisted.epoch;
        }
      }),
    );
  });
});
