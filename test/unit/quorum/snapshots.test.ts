import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  QuorumMachine,
  emptyPersistedState,
  snapshotChunks,
  type LogEntry,
  type PeerMessage,
  type PersistedQuorumState,
  type Rank,
  type Ready,
  type SnapshotSettings,
} from '../../../src/core/quorum';
import { QUORUM_TEST_HOSTS, quorumTestMachine } from '../../support/quorumMachine';
import { fuzzSettings } from '../../support/fuzzSettings';

/**
 * Log compaction and snapshots in the quorum engine alone: one member at a time, talked to with
 * crafted peer messages; its applied state (the lease table a driver keeps) is modelled from its
 * own Readies (committed ops and snapshot writes).
 */

const hosts = QUORUM_TEST_HOSTS;
const TRIAD = 'triad-1';
const identity = (hash: string) => ({ licenseHash: hash, serverOrder: [...hosts] });
const standing = { ...identity('v1'), triadId: TRIAD, learner: false, committed: false, switchedFrom: null };
const SETTINGS: SnapshotSettings = { compactAfterEntries: 6, keepEntries: 2, chunkBytes: 120 };
const E = 3000;

type Seat = { leaseId: string };
const grant = (epoch: number, index: number): LogEntry => ({ epoch, index, op: { kind: 'grant', payload: { leaseId: `L${index}` } } });
const switchTo = (epoch: number, index: number, from: string, to: string): LogEntry => ({
  epoch,
  index,
  op: { kind: 'licenseSwitch', payload: { version: to }, identity: identity(to), previous: identity(from) },
});

/** One member and the lease table its Readies would leave a driver with. */
function member(self: Rank, persisted: Partial<PersistedQuorumState> = {}, settings = SETTINGS) {
  const seats = new Map<string, Seat>();
  let durableCommit = persisted.commitIndex ?? 0;
  const machine = quorumTestMachine({
    self,
    identity: identity('v1'),
    appliedState: () => ({ index: durableCommit, leases: [...seats.values()].sort((a, b) => a.leaseId.localeCompare(b.leaseId)) }),
    snapshots: settings,
  });
  const perform = (ready: Ready) => {
    for (const write of snapshotsIn(ready)) {
      seats.clear();
      for (const seat of write.leases as Seat[]) seats.set(seat.leaseId, seat);
    }
    for (const { op } of ready.committed) if (op.kind === 'grant') seats.set((op.payload as Seat).leaseId, op.payload as Seat);
    if (ready.hardState) durableCommit = ready.hardState.commitIndex;
    return ready;
  };
  const send = (nowMs: number, from: Rank, message: PeerMessage) => perform(machine.step({ type: 'message', nowMs, from, message }));
  perform(machine.step({ type: 'restart', nowMs: 0, persisted: { ...structuredClone(emptyPersistedState), triadId: TRIAD, ...persisted } }));
  for (const rank of [0, 1, 2] as const) {
    if (rank === self) continue;
    machine.step({ type: 'peerConnected', nowMs: 0, rank });
    send(0, rank, { type: 'hello', rank, epoch: 0, ...standing });
  }
  return { machine, seats, send, step: (ready: Ready) => perform(ready) };
}

const snapshotsIn = (ready: Ready) => ready.logWrites.filter((write) => write.type === 'snapshot');
const sent = <T extends PeerMessage['type']>(ready: Ready, type: T, to?: Rank) =>
  ready.messages.flatMap((sent) => {
    const wanted = sent.message.type === type && (to === undefined || sent.to === to);
    return wanted ? [sent.message as Extract<PeerMessage, { type: T }>] : [];
  });
/** A whole snapshot in one frame. */
const oneFrame = (fields: { epoch: number; triadId: string; master: boolean; index: number; entryEpoch: number }): PeerMessage => ({
  type: 'installSnapshot',
  ...fields,
  lastSwitch: null,
  chunk: 0,
  last: true,
  leases: [],
});
const append = (epoch: number, prevIndex: number, prevEpoch: number, ops: LogEntry[], commitIndex: number): PeerMessage => ({
  type: 'append',
  epoch,
  triadId: TRIAD,
  prevIndex,
  prevEpoch,
  ops,
  commitIndex,
});
const grants = (epoch: number, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => grant(epoch, from + i));

/** The primary as master of epoch 2 over a log of `entries` committed in epoch 1, its lease held by T. */
function masterOver(entries: LogEntry[]) {
  const p = member(0, { epoch: 1, log: entries, commitIndex: entries.length });
  const now = E + 10;
  p.send(now, 2, { type: 'heartbeatAck', epoch: 1, sentAt: 0, lastIndex: entries.length, promised: false, ...standing });
  p.step(p.machine.step({ type: 'tick', nowMs: now }));
  p.send(now, 2, { type: 'preVoteReply', epoch: 2, granted: true, retryInMs: 0 });
  p.send(now, 2, { type: 'vote', epoch: 2, granted: true, lastLogEpoch: 1, lastLogIndex: entries.length, suffix: [] });
  expect(p.machine.state.role).toBe('master');
  const noop = entries.length + 1;
  p.send(now, 2, { type: 'appendAck', epoch: 2, lastIndex: noop, ok: true, learner: false });
  p.send(now, 2, { type: 'heartbeatAck', epoch: 2, sentAt: now, lastIndex: noop, promised: true, ...standing });
  expect(p.machine.canServe(now)).toBe(true);
  return { ...p, now };
}

describe('log compaction', () => {
  it('compacts only beyond the threshold, keeps the newest committed entries, and remembers the last license switch it drops', () => {
    const t = member(2);
    const log = [grant(1, 1), switchTo(1, 2, 'v1', 'v2'), ...grants(1, 3, 6)];
    const ready = t.send(100, 0, append(1, 0, 0, log, 6));
    expect(ready.licenseInstalls).toContainEqual({ payload: { version: 'v2' }, identity: identity('v2') });
    // 6 entries beyond the snapshot: not more than the threshold
    expect(t.machine.compactLog()).toBeNull();
    t.send(200, 0, append(1, 6, 1, [grant(1, 7)], 6));
    // 7 entries, 6 applied: everything up to 6 - 2 kept leaves the log
    expect(t.machine.compactLog()).toEqual({ index: 4, epoch: 1, lastSwitch: log[1] });
    const window = t.machine.state.log;
    expect(window.snapshotIndex).toBe(4);
    expect(window.entryAt(4)).toBeUndefined();
    expect(window.epochAt(4)).toBe(1);
    expect(window.range(5).map((entry) => entry.index)).toEqual([5, 6, 7]);
    expect(t.machine.compactLog()).toBeNull();
    // an append from before the snapshot still fits: what it repeats is committed here
    const acks = sent(t.send(300, 0, append(1, 2, 1, grants(1, 3, 8), 8)), 'appendAck');
    expect(acks).toEqual([{ type: 'appendAck', epoch: 1, lastIndex: 8, ok: true, learner: false }]);
    expect(t.machine.state.persisted.commitIndex).toBe(8);
  });

  it('never compacts what is not committed and applied, nor without the applied state to send instead', () => {
    const t = member(2);
    t.send(100, 0, append(1, 0, 0, grants(1, 1, 12), 3));
    expect(t.machine.compactLog()).toEqual({ index: 1, epoch: 1, lastSwitch: null });
    const bare = new QuorumMachine({ ...t.machine.config, appliedState: undefined });
    bare.step({ type: 'restart', nowMs: 0, persisted: { ...structuredClone(emptyPersistedState), log: grants(1, 1, 12), commitIndex: 12 } });
    expect(bare.compactLog()).toBeNull();
  });
});

describe('InstallSnapshot from the master', () => {
  it('goes to a peer behind the compacted log, in frames, once per E unless answered; appends continue after it', () => {
    const p = masterOver(grants(1, 1, 9));
    const compacted = p.machine.compactLog();
    expect(compacted?.index).toBe(8);
    // the secondary comes back with an empty log: it needs entries the master no longer has
    p.machine.step({ type: 'peerConnected', nowMs: p.now, rank: 1 });
    p.send(p.now, 1, { type: 'hello', rank: 1, epoch: 0, ...standing, triadId: null });
    const first = sent(p.send(p.now + 10, 1, { type: 'appendAck', epoch: 2, lastIndex: 0, ok: false, learner: true }), 'installSnapshot', 1);
    expect(first.length).toBeGreaterThan(1);
    expect(first.map((frame) => [frame.chunk, frame.last])).toEqual(first.map((_, i) => [i, i === first.length - 1]));
    expect(first.every((frame) => frame.master && frame.index === 10 && frame.entryEpoch === 2 && frame.triadId === TRIAD)).toBe(true);
    expect(first.flatMap((frame) => frame.leases)).toEqual([...p.seats.values()].sort((a, b) => a.leaseId.localeCompare(b.leaseId)));
    for (const frame of first) expect(JSON.stringify(frame.leases).length).toBeLessThanOrEqual(SETTINGS.chunkBytes + 2);
    // not again while the first copy may still be on its way
    const tick = (nowMs: number) => p.step(p.machine.step({ type: 'tick', nowMs }));
    const heard = (nowMs: number) =>
      p.send(nowMs, 1, { type: 'heartbeatAck', epoch: 2, sentAt: nowMs, lastIndex: 0, promised: false, ...standing, learner: true });
    heard(p.now + 1000);
    expect(sent(tick(p.now + 1000), 'installSnapshot')).toEqual([]);
    heard(p.now + E + 20);
    expect(sent(tick(p.now + E + 20), 'installSnapshot', 1).length).toBe(first.length);
    // answered: the log goes on from the snapshot's index
    p.send(p.now + E + 30, 1, { type: 'appendAck', epoch: 2, lastIndex: 10, ok: true, learner: true });
    expect(p.machine.state.peers[1]).toMatchObject({ matchIndex: 10, nextIndex: 11, snapshotSent: null });
    p.send(p.now + E + 40, 2, { type: 'heartbeatAck', epoch: 2, sentAt: p.now + E + 40, lastIndex: 10, promised: true, ...standing });
    const op = p.step(p.machine.step({ type: 'clientOp', nowMs: p.now + E + 50, requestId: 'r1', op: { kind: 'grant', payload: { leaseId: 'L11' } } }));
    expect(sent(op, 'append', 1)).toEqual([expect.objectContaining({ prevIndex: 10, prevEpoch: 2, ops: [expect.objectContaining({ index: 11 })] })]);
  });

  it('goes to a peer that comes back without the log it had acknowledged (a replaced data folder), and makes a learner a voter again', () => {
    const p = masterOver(grants(1, 1, 9));
    expect(p.machine.state.peers[2].matchIndex).toBe(10);
    p.machine.compactLog();
    // the tertiary comes back empty under the same master: its refusal says it holds nothing
    p.step(p.machine.step({ type: 'peerDisconnected', nowMs: p.now + 5, rank: 2 }));
    p.step(p.machine.step({ type: 'peerConnected', nowMs: p.now + 5, rank: 2 }));
    p.send(p.now + 5, 2, { type: 'hello', rank: 2, epoch: 0, ...standing, triadId: null });
    const refused = p.send(p.now + 10, 2, { type: 'appendAck', epoch: 2, lastIndex: 0, ok: false, learner: true });
    const frames = sent(refused, 'installSnapshot', 2);
    expect(frames.at(-1)).toMatchObject({ index: 10, last: true });

    const t = member(2, { epoch: 0, triadId: null });
    t.send(p.now + 20, 1, { type: 'hello', rank: 1, epoch: 2, ...standing });
    t.send(p.now + 20, 0, { type: 'hello', rank: 0, epoch: 2, ...standing });
    expect(t.machine.state.persisted.learner).toBe(true);
    let ready: Ready | null = null;
    for (const frame of frames) ready = t.send(p.now + 30, 0, frame);
    expect(sent(ready!, 'appendAck')).toEqual([{ type: 'appendAck', epoch: 2, lastIndex: 10, ok: true, learner: false }]);
    expect(t.machine.state.persisted).toMatchObject({ learner: false, commitIndex: 10, votedFor: { epoch: 2, member: hosts[0] } });
    expect([...t.seats.keys()].sort()).toEqual([...p.seats.keys()].sort());
    // a promise from its lost life may still back the master's lease: no vote for a whole E
    const ask = (nowMs: number) =>
      sent(t.send(nowMs, 1, { type: 'requestVote', epoch: 3, lastLogEpoch: 2, lastLogIndex: 10, commitIndex: 10, transfer: false }), 'vote')[0];
    expect(ask(p.now + 30 + E - 10).granted).toBe(false);
    expect(ask(p.now + 30 + E + 10).granted).toBe(true);
  });

  it('is installed whole on a follower: seats replaced, log dropped, commit and applied at its index, the missed license switch installed', () => {
    const s = member(1, { epoch: 1, log: [grant(1, 1), grant(1, 2), grant(1, 3)], commitIndex: 1 });
    const lastSwitch = switchTo(2, 7, 'v1', 'v2');
    const frame = (chunk: number, last: boolean, leases: Seat[]): PeerMessage => ({
      type: 'installSnapshot',
      epoch: 3,
      triadId: TRIAD,
      master: true,
      index: 20,
      entryEpoch: 3,
      lastSwitch: chunk === 0 ? lastSwitch : null,
      chunk,
      last,
      leases,
    });
    // frames in any order, duplicated: installed once all are there
    expect(snapshotsIn(s.send(100, 0, frame(2, true, [{ leaseId: 'C' }])))).toEqual([]);
    expect(snapshotsIn(s.send(110, 0, frame(0, false, [{ leaseId: 'A' }])))).toEqual([]);
    expect(snapshotsIn(s.send(120, 0, frame(0, false, [{ leaseId: 'A' }])))).toEqual([]);
    const ready = s.send(140, 0, frame(1, false, [{ leaseId: 'B' }]));
    expect(snapshotsIn(ready)).toEqual([
      { type: 'snapshot', index: 20, epoch: 3, lastSwitch, leases: [{ leaseId: 'A' }, { leaseId: 'B' }, { leaseId: 'C' }], keepLogAfter: false },
    ]);
    expect(ready.hardState).toMatchObject({ commitIndex: 20, epoch: 3 });
    expect(ready.licenseInstalls).toContainEqual({ payload: { version: 'v2' }, identity: identity('v2') });
    expect(sent(ready, 'appendAck')).toEqual([{ type: 'appendAck', epoch: 3, lastIndex: 20, ok: true, learner: false }]);
    expect([...s.seats.keys()]).toEqual(['A', 'B', 'C']);
    const state = s.machine.state;
    expect([state.persisted.commitIndex, state.appliedIndex, state.log.lastIndex, state.log.snapshotIndex, state.log.lastEpoch]).toEqual([20, 20, 20, 20, 3]);
    // the next append continues from the snapshot's entry
    expect(sent(s.send(150, 0, append(3, 20, 3, [grant(3, 21)], 21)), 'appendAck')[0]).toMatchObject({ ok: true, lastIndex: 21 });
    // a snapshot it already holds changes nothing and is acknowledged
    const again = s.send(160, 0, { ...(frame(0, true, []) as Extract<PeerMessage, { type: 'installSnapshot' }>), index: 19 });
    expect(snapshotsIn(again)).toEqual([]);
    expect(sent(again, 'appendAck')[0]).toMatchObject({ ok: true, lastIndex: 19 });
  });

  it('keeps the entries after the snapshot when its log holds the snapshot\'s entry', () => {
    const s = member(1, { epoch: 2, log: grants(2, 1, 6), commitIndex: 1 });
    const ready = s.send(100, 0, oneFrame({ epoch: 2, triadId: TRIAD, master: true, index: 4, entryEpoch: 2 }));
    expect(snapshotsIn(ready)).toEqual([expect.objectContaining({ type: 'snapshot', index: 4, keepLogAfter: true })]);
    expect(s.machine.state.log.lastIndex).toBe(6);
    expect(s.machine.state.persisted.commitIndex).toBe(4);
  });

  it('is refused from a stale master or another triad, and never installed on a master', () => {
    const s = member(1, { epoch: 5 });
    const stale = s.send(100, 0, oneFrame({ epoch: 4, triadId: TRIAD, master: true, index: 9, entryEpoch: 4 }));
    expect(sent(stale, 'appendAck')[0]).toMatchObject({ ok: false });
    const foreign = s.send(100, 0, oneFrame({ epoch: 6, triadId: 'other', master: true, index: 9, entryEpoch: 6 }));
    expect(sent(foreign, 'appendAck')[0]).toMatchObject({ ok: false });
    expect(s.machine.state.persisted.commitIndex).toBe(0);

    const p = masterOver(grants(1, 1, 3));
    p.send(p.now, 1, oneFrame({ epoch: 2, triadId: TRIAD, master: false, index: 40, entryEpoch: 2 }));
    expect(p.machine.state.persisted.commitIndex).toBe(4);
  });
});

describe('a vote from a voter that compacted past the candidate', () => {
  const request = (commitIndex: number): PeerMessage => ({
    type: 'requestVote',
    epoch: 3,
    lastLogEpoch: 1,
    lastLogIndex: commitIndex,
    commitIndex,
    transfer: false,
  });

  it('sends its applied state first, then the suffix after it', () => {
    const t = member(2, { epoch: 2, log: [...grants(1, 1, 9), grant(2, 10), grant(2, 11)], commitIndex: 10 });
    expect(t.machine.compactLog()?.index).toBe(8);
    const ready = t.send(E + 10, 1, request(3));
    const frames = sent(ready, 'installSnapshot', 1);
    const votes = sent(ready, 'vote', 1);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((frame) => !frame.master && frame.index === 10 && frame.epoch === 3)).toBe(true);
    expect(votes).toHaveLength(1);
    expect(votes[0]).toMatchObject({ granted: true, lastLogEpoch: 2, lastLogIndex: 11 });
    expect(votes[0].suffix.map((entry) => entry.index)).toEqual([11]);
    // the frames go before the vote
    expect(ready.messages.findIndex(({ message }) => message.type === 'vote')).toBe(ready.messages.length - 1);
  });

  it('a candidate installs it and the suffix, in either order, and becomes master with the voter\'s log; without the snapshot the vote waits', () => {
    const t = member(2, { epoch: 2, log: [...grants(1, 1, 9), grant(2, 10), grant(2, 11)], commitIndex: 10 });
    t.machine.compactLog();
    const candidate = () => {
      const s = member(1, { epoch: 2, log: grants(1, 1, 3), commitIndex: 3 });
      s.send(E + 300, 2, { type: 'heartbeatAck', epoch: 2, sentAt: 0, lastIndex: 11, promised: false, ...standing });
      s.step(s.machine.step({ type: 'tick', nowMs: E + 300 }));
      s.send(E + 300, 2, { type: 'preVoteReply', epoch: 3, granted: true, retryInMs: 0 });
      expect(s.machine.state.role).toBe('candidate');
      return s;
    };
    const answer = t.send(E + 300, 1, request(3)).messages.map(({ message }) => message);
    const vote = answer.at(-1)!;

    const lost = candidate();
    lost.send(E + 310, 2, vote);
    expect(lost.machine.state.role).toBe('candidate');

    const s = candidate();
    // the vote overtakes the snapshot's frames (the simulation's links reorder)
    for (const message of [vote, ...answer.slice(0, -1)]) s.send(E + 310, 2, message);
    const state = s.machine.state;
    expect(state.role).toBe('master');
    expect([...s.seats.keys()].sort()).toEqual(grants(1, 1, 10).map((entry) => `L${entry.index}`).sort());
    expect(state.log.snapshotIndex).toBe(10);
    expect(state.log.range(11).map((entry) => [entry.index, entry.epoch, entry.op.kind])).toEqual([
      [11, 2, 'grant'],
      [12, 3, 'noop'],
    ]);
  });
});

describe('snapshot frames', () => {
  it('carry every seat once, in order, each frame within the budget unless one seat alone exceeds it', () => {
    const seat = fc.record({ leaseId: fc.string({ minLength: 1, maxLength: 8 }), user: fc.string({ maxLength: 200 }) });
    fc.assert(
      fc.property(fc.array(seat, { maxLength: 60 }), fc.integer({ min: 1, max: 600 }), fc.boolean(), (seats, budget, withSwitch) => {
        const lastSwitch = withSwitch ? switchTo(1, 1, 'v1', 'v2') : null;
        const chunks = snapshotChunks(seats, lastSwitch, budget);
        expect(chunks.length).toBeGreaterThan(0);
        expect(chunks.flat()).toEqual(seats);
        chunks.forEach((chunk, i) => {
          const switchBytes = i === 0 && lastSwitch ? JSON.stringify(lastSwitch).length : 0;
          const bytes = chunk.reduce<number>((sum, lease) => sum + JSON.stringify(lease).length + 1, switchBytes);
          if (chunk.length > 1) expect(bytes).toBeLessThanOrEqual(budget);
        });
      }),
      fuzzSettings({ seed: 7171, numRuns: 200 }),
    );
  });
});
