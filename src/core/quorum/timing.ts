import type { Rank } from './types';

/**
 * The triad's timers, all derived from the heartbeat interval `s` (QUORUM.md "Timers").
 * FlexNet's peer timeout formula `3*s + (s-1)` is in seconds, so s = 1 s gives 3 s.
 */
export interface QuorumTimings {
  heartbeatMs: number;
  /** D: a peer silent this long is lost. */
  peerLostMs: number;
  /** E: how long a follower promises not to vote after hearing its master. */
  electionMs: number;
  /** How long the master may serve after a heartbeat it sent was acknowledged. */
  leaseMs: number;
}

export function quorumTimings(heartbeatIntervalMs: number, driftBound: number): QuorumTimings {
  const peerLostMs = 4 * heartbeatIntervalMs - 1000;
  // s below 1/3 s would make the formula negative; never detect faster than two heartbeats
  const lost = Math.max(peerLostMs, 2 * heartbeatIntervalMs);
  return { heartbeatMs: heartbeatIntervalMs, peerLostMs: lost, electionMs: lost, leaseMs: lost * (1 - driftBound) };
}

/** P waits E, S waits E + s/4, so the primary wins when both start together. */
export function electionTimeoutMs(timings: QuorumTimings, rank: Rank): number {
  return timings.electionMs + (rank === 0 ? 0 : timings.heartbeatMs / 4);
}
