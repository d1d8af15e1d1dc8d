import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatOpenMetrics, type MetricFamily } from '../../../src/core/metrics';
import { parseOpenMetrics, sampleValue } from '../../support/openMetricsParser';
import { fuzzSettings } from '../../support/fuzzSettings';

const gauge = (samples: MetricFamily['samples']): MetricFamily => ({ name: 'x_seats', type: 'gauge', help: 'Seats.', samples });

describe('OpenMetrics text format', () => {
  it('writes TYPE, UNIT, HELP, counter _total, info _info and ends with # EOF', () => {
    const text = formatOpenMetrics([
      { name: 'x_checkouts', type: 'counter', help: 'Checkouts.', samples: [{ labels: { feature: 'DOORS' }, value: 3 }] },
      { name: 'x_age_seconds', type: 'gauge', unit: 'seconds', help: 'Age.', samples: [{ value: 1.5 }] },
      { name: 'x_build', type: 'info', help: 'Build.', samples: [{ labels: { version: 'v1' }, value: 1 }] },
    ]);
    expect(text).toBe(
      [
        '# TYPE x_checkouts counter',
        '# HELP x_checkouts Checkouts.',
        'x_checkouts_total{feature="DOORS"} 3',
        '# TYPE x_age_seconds gauge',
        '# UNIT x_age_seconds seconds',
        '# HELP x_age_seconds Age.',
        'x_age_seconds 1.5',
        '# TYPE x_build info',
        '# HELP x_build Build.',
        'x_build_info{version="v1"} 1',
        '# EOF',
        '',
      ].join('\n'),
    );
    expect(parseOpenMetrics(text).size).toBe(3);
  });

  it('escapes backslash, double quote and newline in label values and HELP', () => {
    const text = formatOpenMetrics([{ ...gauge([{ labels: { feature: 'a\\b"c\nd' }, value: 1 }]), help: 'line\none \\ "q"' }]);
    expect(text).toContain('x_seats{feature="a\\\\b\\"c\\nd"} 1');
    expect(text).toContain('# HELP x_seats line\\none \\\\ \\"q\\"');
  });

  it('writes NaN and infinities the OpenMetrics way', () => {
    const text = formatOpenMetrics([
      gauge([
        { labels: { f: 'a' }, value: NaN },
        { labels: { f: 'b' }, value: Infinity },
        { labels: { f: 'c' }, value: -Infinity },
      ]),
    ]);
    expect(text).toMatch(/f="a"} NaN\n.*f="b"} \+Inf\n.*f="c"} -Inf\n/);
  });

  it('refuses names the format does not allow, a counter named with _total, a unit the name lacks, a repeated family', () => {
    expect(() => formatOpenMetrics([{ ...gauge([]), name: 'x-seats' }])).toThrow(/not valid/);
    expect(() => formatOpenMetrics([{ ...gauge([]), type: 'counter', name: 'x_total' }])).toThrow(/suffix/);
    expect(() => formatOpenMetrics([{ ...gauge([]), unit: 'bytes' }])).toThrow(/unit/);
    expect(() => formatOpenMetrics([gauge([{ labels: { 'bad-label': 'v' }, value: 1 }])])).toThrow(/label name/);
    expect(() => formatOpenMetrics([gauge([]), gauge([])])).toThrow(/twice/);
  });

  it('any label value survives formatting and strict parsing unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { minLength: 1, maxLength: 5 }), fc.double({ noNaN: true }), (values, value) => {
        const unique = [...new Set(values)];
        const text = formatOpenMetrics([gauge(unique.map((feature) => ({ labels: { feature }, value })))]);
        const parsed = parseOpenMetrics(text);
        expect(parsed.get('x_seats')!.samples.map((s) => s.labels.feature)).toEqual(unique);
        for (const feature of unique) expect(sampleValue(parsed, 'x_seats', { feature })).toBe(value);
      }),
      fuzzSettings({ seed: 7001, numRuns: 300 }),
    );
  });
});

describe('the strict test parser', () => {
  const good = formatOpenMetrics([gauge([{ value: 1 }])]);
  it.each([
    ['no # EOF', good.replace('# EOF\n', '')],
    ['a counter sample without _total', '# TYPE a counter\na 1\n# EOF\n'],
    ['metadata after samples', '# TYPE a gauge\na 1\n# HELP a x\n# EOF\n'],
    ['an interleaved family', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n# EOF\n'],
    ['a repeated label set', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n# EOF\n'],
    ['a bad escape', '# TYPE a gauge\na{x="\\t"} 1\n# EOF\n'],
    ['a unit the name lacks', '# TYPE a gauge\n# UNIT a seconds\n# EOF\n'],
    ['a negative counter', '# TYPE a counter\na_total -1\n# EOF\n'],
    ['an empty line', '# TYPE a gauge\n\na 1\n# EOF\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parseOpenMetrics(text)).toThrow();
  });
});
