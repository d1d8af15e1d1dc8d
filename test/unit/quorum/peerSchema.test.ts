import { describe, expect, it } from 'vitest';
import { peerMessageSchema } from '../../../src/core/server/triad/peerSchema';
import { aLease } from '../../support/lease';

const seat = aLease('L1');
const snapshot = {
  type: 'installSnapshot',
  epoch: 3,
  triadId: 'a1b2',
  master: true,
  index: 40,
  entryEpoch: 3,
  lastSwitch: null,
  chunk: 0,
  last: true,
  leases: [seat],
};

describe('peer message schema', () => {
  it('accepts what the quorum engine sends', () => {
    const standing = { triadId: 'a1b2', learner: false, committed: true, licenseHash: 'h', serverOrder: ['x', 'y', 'z'], switchedFrom: null };
    for (const message of [
      { type: 'append', epoch: 3, triadId: 'a1b2', prevIndex: 1, prevEpoch: 2, commitIndex: 1, ops: [{ epoch: 3, index: 2, op: { kind: 'noop' } }] },
      { type: 'hello', rank: 0, epoch: 3, auth: '', ...standing },
      { type: 'heartbeatAck', epoch: 3, sentAt: 12.5, lastIndex: 4, promised: true, ...standing, learner: true, switchedFrom: 'g' },
      { type: 'preVoteReply', epoch: 4, granted: false, retryInMs: 1200 },
      { type: 'appendAck', epoch: 3, lastIndex: 2, ok: true, learner: true },
      snapshot,
    ]) {
      expect(peerMessageSchema.safeParse(message).success).toBe(true);
    }
  });

  it('refuses unknown types, extra fields, bad ranks and negative indexes', () => {
    for (const bad of [
      { type: 'takeOver' },
      { type: 'transferTo', rank: 3, epoch: 1 },
      { type: 'appendAck', epoch: 1, lastIndex: -1, ok: true, learner: false },
      { type: 'preVoteReply', epoch: 1, granted: true, retryInMs: 0, extra: 1 },
      { type: 'vote', epoch: 1, granted: true, lastLogEpoch: 0, lastLogIndex: 0, suffix: [{ epoch: 1, index: 0, op: { kind: 'noop' } }] },
      // a snapshot's seats replace the lease table: each must be a seat it can hold
      { ...snapshot, leases: [{ ...seat, count: -1 }] },
      { ...snapshot, leases: [{ ...seat, grantedAt: 1.5 }] },
      { ...snapshot, leases: [{ leaseId: 'L2' }] },
      { ...snapshot, index: 0 },
    ]) {
      expect(peerMessageSchema.safeParse(bad).success).toBe(false);
    }
  });
});
