import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProblemLog } from '../../../src/core/server/logs/problemLog';

describe('ProblemLog', () => {
  afterEach(() => vi.useRealTimers());

  it('logs the first problem of each kind per window, then one summary line; counts all', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new ProblemLog((line) => lines.push(line), 1_000);
    for (let i = 0; i < 500; i++) log.report('frame_too_large', `closed ${i}: frame too large`, 'connections closed for a frame over the size limit');
    log.report('hello_timeout', 'closed x: no hello', 'connections closed for not saying hello in time');
    expect(lines).toEqual(['closed 0: frame too large', 'closed x: no hello']);
    vi.advanceTimersByTime(1_000);
    expect(lines.slice(2)).toEqual(['499 more connections closed for a frame over the size limit in the last 1 s (logged once per 1 s)']);
    log.report('frame_too_large', 'closed again', 'connections closed for a frame over the size limit');
    expect(lines.at(-1)).toBe('closed again');
    expect(log.counts.get('frame_too_large')).toBe(501);
    expect(log.counts.get('hello_timeout')).toBe(1);
  });

  it('writes pending summaries on flush', () => {
    const lines: string[] = [];
    const log = new ProblemLog((line) => lines.push(line), 60_000);
    log.report('slow_reader', 'first', 'slow readers');
    log.report('slow_reader', 'second', 'slow readers');
    log.flush();
    expect(lines).toEqual(['first', '1 more slow readers in the last 60 s (logged once per 60 s)']);
  });
});
