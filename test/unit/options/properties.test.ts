import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseOptionsFile } from '../../../src/core/options';
import { fuzzSettings } from '../../support/fuzzSettings';

/**
 * Options files, fuzzed from the grammar (issue 7): well-formed lines of every rule kind mixed
 * with damaged ones. Seeded; FUZZ_SEED / FUZZ_RUNS replay or lengthen (test/support/fuzzSettings).
 */

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
const featureName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,7}$/);
const target = fc.oneof(
  fc.tuple(fc.constantFrom('USER', 'HOST', 'DISPLAY', 'PROJECT'), name).map(([type, n]) => `${type} ${n}`),
  fc.tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 0, max: 254 })).map(([a, b]) => `INTERNET 10.${a}.${b}.*`),
);

/** A well-formed line and what it adds to the parsed options. */
type GoodLine = { text: string; kind: 'includes' | 'excludes' | 'reserves' | 'maxes' | 'timeouts' | 'includeAll' | 'excludeAll' | 'lingers' };
const goodLine: fc.Arbitrary<GoodLine> = fc.oneof(
  fc.tuple(featureName, target).map(([f, t]): GoodLine => ({ text: `INCLUDE ${f} ${t}`, kind: 'includes' })),
  fc.tuple(featureName, target).map(([f, t]): GoodLine => ({ text: `EXCLUDE ${f} ${t}`, kind: 'excludes' })),
  target.map((t): GoodLine => ({ text: `INCLUDEALL ${t}`, kind: 'includeAll' })),
  target.map((t): GoodLine => ({ text: `EXCLUDEALL ${t}`, kind: 'excludeAll' })),
  fc.tuple(fc.integer({ min: 1, max: 99 }), featureName, target).map(([n, f, t]): GoodLine => ({ text: `RESERVE ${n} ${f} ${t}`, kind: 'reserves' })),
  fc.tuple(fc.integer({ min: 1, max: 99 }), featureName, target).map(([n, f, t]): GoodLine => ({ text: `MAX ${n} ${f} ${t}`, kind: 'maxes' })),
  fc.tuple(featureName, fc.integer({ min: 900, max: 99_999 })).map(([f, s]): GoodLine => ({ text: `TIMEOUT ${f} ${s}`, kind: 'timeouts' })),
  fc.tuple(featureName, fc.integer({ min: 0, max: 9_999 })).map(([f, s]): GoodLine => ({ text: `LINGER ${f} ${s}`, kind: 'lingers' })),
);

/** A line that is damaged: cut, a keyword mangled, a count that is not one, stray quotes. */
const badLine = fc.oneof(
  fc.tuple(goodLine, fc.nat()).map(([g, cut]) => g.text.slice(0, 1 + (cut % g.text.length))),
  goodLine.map((g) => g.text.replace(/^[A-Z]+/, 'INCLUDEX')),
  goodLine.map((g) => g.text.replace(/ \d+ /, ' many ')),
  fc.tuple(goodLine, fc.constantFrom('"', '\\', ':', '=', '\t', '#')).map(([g, c]) => `${g.text}${c}`),
  fc.string({ maxLength: 40 }),
);

const comment = fc.constantFrom('# a comment', '', '   ');

describe('options file properties', () => {
  it('well-formed lines all parse, each rule lands in its place, and comments change nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 4, arbitrary: goodLine.map((g) => g as GoodLine | string) }, comment), { maxLength: 30 }), (lines) => {
        const { options, diagnostics } = parseOptionsFile(lines.map((l) => (typeof l === 'string' ? l : l.text)).join('\n'), 'good.opt');
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const good = lines.filter((l): l is GoodLine => typeof l !== 'string');
        for (const kind of ['includes', 'excludes', 'reserves', 'maxes', 'timeouts', 'includeAll', 'excludeAll', 'lingers'] as const) {
          expect(options[kind]).toHaveLength(good.filter((g) => g.kind === kind).length);
        }
      }),
      fuzzSettings({ seed: 5101, numRuns: 300 }),
    );
  });

  it('damaged lines never throw and every problem is reported on a line of the file', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(goodLine.map((g) => g.text), badLine), { maxLength: 30 }), (lines) => {
        const text = lines.join('\n');
        const { options, diagnostics } = parseOptionsFile(text, 'mixed.opt');
        const lineCount = text.split('\n').length;
        for (const d of diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lineCount);
          expect(d.message.length).toBeGreaterThan(0);
        }
        expect(options.fileName).toBe('mixed.opt');
      }),
      fuzzSettings({ seed: 5102, numRuns: 500 }),
    );
  });
});
