import { describe, expect, it } from 'vitest';
import { emptyLinkStats, linkWarning, lossPercent, recordHeartbeatAck, recordHeartbeatSent } from '../../../src/core/quorum/linkStats';

describe('peer link statistics', () => {
  it('measures the round trip and counts unanswered heartbeats as lost after the peer timeout', () => {
    const stats = emptyLinkStats();
    for (let t = 0; t < 10_000; t += 1000) {
      recordHeartbeatSent(stats, t);
      if (t % 5000 !== 0) recordHeartbeatAck(stats, t, t + 12);
    }
    expect(stats.rttMs).toBe(12);
    // 0 and 5000 went unanswered; at 7000 the one sent at 5000 is not yet 3 s old: 1 lost of 9
    expect(lossPercent(stats, 7000, 3000)).toBe(11);
    expect(lossPercent(stats, 20_000, 3000)).toBe(20);
  });

  it('ignores duplicate and unknown acknowledgements', () => {
    const stats = emptyLinkStats();
    recordHeartbeatSent(stats, 100);
    recordHeartbeatAck(stats, 100, 110);
    recordHeartbeatAck(stats, 100, 900);
    recordHeartbeatAck(stats, 555, 900);
    expect(stats.rttMs).toBe(10);
  });

  it('warns about slow or lossy links only', () => {
    expect(linkWarning('b', 5, 0, 1000)).toBeNull();
    expect(linkWarning('b', 300, 0, 1000)).toMatch(/The link to b is too slow or lossy for reliable failover \(heartbeat round trip 300 ms\)/);
    expect(linkWarning('b', 5, 25, 1000)).toMatch(/25% of heartbeats lost/);
    expect(linkWarning('b', 5, 25, 1000)).toMatch(/one site and subnet/);
  });
});
