import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogWindow, type LogEntry } from '../../../src/core/quorum';
import { fuzzSettings } from '../../support/fuzzSettings';

const entry = (index: number, epoch: number): LogEntry => ({ index, epoch, op: { kind: 'noop' } });

type Step = { kind: 'append'; count: number; epoch: number } | { kind: 'truncate'; back: number } | { kind: 'forget'; back: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 6 }), epoch: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('truncate' as const), back: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('forget' as const), back: fc.integer({ min: 0, max: 8 }) }),
);

describe('LogWindow', () => {
  it('answers every read like the whole log, whatever has left memory', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        // the disk holds everything ever appended (as the driver's store does)
        const disk: LogEntry[] = [];
        const window = new LogWindow([], 0, (from, count) => disk.slice(from - 1, from - 1 + count));
        for (const s of steps) {
          if (s.kind === 'append') {
            const added = Array.from({ length: s.count }, (_, i) => entry(disk.length + 1 + i, s.epoch));
            disk.push(...added);
            window.append(added);
          } else if (s.kind === 'truncate') {
            // only entries still in memory may be replaced
            const from = Math.max(window.firstInMemory, disk.length + 1 - s.back);
            if (from > disk.length) continue;
            window.truncateFrom(from);
            disk.length = from - 1;
          } else {
            window.forget(disk.length - s.back);
          }
          expect(window.lastIndex).toBe(disk.length);
          expect(window.lastEpoch).toBe(disk.at(-1)?.epoch ?? 0);
          for (let index = 0; index <= disk.length + 1; index++) expect(window.entryAt(index)).toEqual(disk[index - 1]);
          for (let from = 1; from <= disk.length + 1; from += 3) expect(window.range(from, 4)).toEqual(disk.slice(from - 1, from + 3));
          expect(window.range(1)).toEqual(disk);
        }
      }),
      fuzzSettings({ seed: 4242, numRuns: 300 }),
    );
  });

  it('keeps the newest entry in memory, refuses to rewrite forgotten entries, and forgets nothing without a reader', () => {
    const disk = [entry(1, 1), entry(2, 1), entry(3, 2)];
    const window = new LogWindow(disk, 0, (from, count) => disk.slice(from - 1, from - 1 + count));
    window.forget(10);
    expect(window.firstInMemory).toBe(3);
    expect(() => window.truncateFrom(2)).toThrow(/committed entries never change/);

    const memoryOnly = new LogWindow(disk, 0, null);
    memoryOnly.forget(2);
    expect(memoryOnly.firstInMemory).toBe(1);
    expect(() => new LogWindow([entry(3, 2)], 2, null)).toThrow(/needs a reader/);
  });

  it('says so when the stored log has lost an entry it should hold', () => {
    const window = new LogWindow([entry(3, 1)], 2, () => []);
    expect(() => window.entryAt(1)).toThrow(/has lost entry 1: this member's data folder was changed outside Triad. Stop this server/);
  });
});
