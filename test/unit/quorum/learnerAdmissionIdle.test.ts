import { expect, it } from 'vitest';
import { emptyPersistedState, type PeerMessage, type Rank } from '../../../src/core/quorum';
import { QUORUM_TEST_HOSTS, quorumTestMachine } from '../../support/quorumMachine';

// A new machine (empty data folder) joins a running triad as a learner. The master's catch-up
// append reaches it before it has heard the other standby, so admission waits (L2: both peers'
// epochs); afterwards the triad is idle and the master sends only heartbeats, and the machine
// tries admission on an append or snapshot only: the learner stays one until a client's
// checkout is appended. Found by the replace-server admin test (about half its runs); the
// machine now tries admission on the master's heartbeat too (this test failed before).
const hosts = QUORUM_TEST_HOSTS;
const identity = { licenseHash: 'h', serverOrder: [...hosts] };
const standing = { ...identity, triadId: 'T', learner: false, committed: true, switchedFrom: null };

it('a learner that caught up before it heard both peers is admitted while the triad is idle', () => {
  const machine = quorumTestMachine({ self: 2, newTriadId: 't3', identity });
  const send = (nowMs: number, from: Rank, message: PeerMessage) => machine.step({ type: 'message', nowMs, from, message });
  machine.step({ type: 'restart', nowMs: 0, persisted: structuredClone(emptyPersistedState) });
  machine.step({ type: 'peerConnected', nowMs: 0, rank: 0 });
  send(0, 0, { type: 'hello', rank: 0, ...standing, epoch: 2 });
  send(10, 0, { type: 'append', epoch: 2, triadId: 'T', prevIndex: 0, prevEpoch: 0, ops: [], commitIndex: 0 });
  expect(machine.status(10).learner).toBe(true);
  machine.step({ type: 'peerConnected', nowMs: 50, rank: 1 });
  send(50, 1, { type: 'hello', rank: 1, ...standing, epoch: 2 });
  for (let t = 1000; t <= 60_000; t += 1000) {
    send(t, 0, { type: 'heartbeat', epoch: 2, commitIndex: 0, sentAt: t, master: true, ...standing });
    send(t, 1, { type: 'heartbeat', epoch: 2, commitIndex: 0, sentAt: t, master: false, ...standing });
  }
  expect(machine.status(60_000).learner).toBe(false);
});
