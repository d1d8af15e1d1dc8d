import { describe, expect, it } from 'vitest';
import { benchThroughput } from '../../bench/throughput';

/** Keeps the throughput benchmark working; `npm run bench` runs it at full size (1,000 clients). */
describe('benchThroughput', () => {
  it('measures checkout+checkin pairs against the server and an echo baseline', async () => {
    const result = await benchThroughput({ clients: 20, durationMs: 300 });
    expect(result.failures).toBe(0);
    expect(result.pairsPerSecond).toBeGreaterThan(0);
    expect(result.echoPairsPerSecond).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(result.throughputRatio).toBeCloseTo(result.pairsPerSecond / result.echoPairsPerSecond, 1);
  });
});
