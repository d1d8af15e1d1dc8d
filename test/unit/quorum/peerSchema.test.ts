import { describe, expect, it } from 'vitest';
import { peerMessageSchema } from '../../../src/core/server/peerSchema';

describe('peer message schema', () => {
  it('accepts what the quorum engine sends', () => {
    const append = { type: 'append', epoch: 3, prevIndex: 1, prevEpoch: 2, commitIndex: 1, ops: [{ epoch: 3, index: 2, op: { kind: 'noop' } }] };
    expect(peerMessageSchema.safeParse(append).success).toBe(true);
  });

  it('refuses unknown types, extra fields, bad ranks and negative indexes', () => {
    for (const bad of [
      { type: 'takeOver' },
      { type: 'transferTo', rank: 3, epoch: 1 },
      { type: 'appendAck', epoch: 1, lastIndex: -1, ok: true },
      { type: 'preVoteReply', epoch: 1, granted: true, extra: 1 },
      { type: 'vote', epoch: 1, granted: true, lastLogEpoch: 0, lastLogIndex: 0, suffix: [{ epoch: 1, index: 0, op: { kind: 'noop' } }] },
    ]) {
      expect(peerMessageSchema.safeParse(bad).success).toBe(false);
    }
  });
});
