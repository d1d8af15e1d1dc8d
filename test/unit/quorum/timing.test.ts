import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { electionTimeoutMs, quorumTimings } from '../../../src/core/quorum';

describe('quorum timings', () => {
  it('uses FlexNet\'s peer timeout 3*s + (s-1): 3 s for our default s = 1, 79 s for FlexLM\'s s = 20', () => {
    expect(quorumTimings(1000, 0.01).peerLostMs).toBe(3000);
    expect(quorumTimings(20_000, 0.01).peerLostMs).toBe(79_000);
  });

  it('gives the primary the shorter election timeout (s/4 less than the secondary)', () => {
    const timings = quorumTimings(1000, 0.01);
    expect(electionTimeoutMs(timings, 0)).toBe(3000);
    expect(electionTimeoutMs(timings, 1)).toBe(3250);
  });

  it('keeps every lease shorter than the promise behind it by the drift bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.001, max: 0.1, noNaN: true }), (seconds, rho) => {
        const timings = quorumTimings(seconds * 1000, rho);
        expect(timings.leaseMs).toBeCloseTo(timings.electionMs * (1 - rho));
        expect(timings.peerLostMs).toBeGreaterThanOrEqual(2 * timings.heartbeatMs);
      }),
    );
  });
});
