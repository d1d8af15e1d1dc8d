/**
 * A strict little OpenMetrics 1.0 text parser for tests: it throws on anything the spec does not
 * allow that our exposition could get wrong (missing `# EOF`, interleaved or repeated families,
 * metadata after samples, a counter sample without `_total`, a unit the name does not end with,
 * bad escapes, repeated label sets, negative counters). Not a general-purpose parser.
 */

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string | null;
  unit: string | null;
  samples: ParsedSample[];
}

const TYPES = new Set(['counter', 'gauge', 'info', 'stateset', 'histogram', 'gaugehistogram', 'summary', 'unknown']);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]?Inf)$/;

function fail(lineNo: number, line: string, why: string): never {
  throw new Error(`OpenMetrics line ${lineNo} "${line}": ${why}`);
}

function parseValue(text: string): number {
  if (text === 'NaN') return NaN;
  if (/^[+-]?Inf$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** `{a="x",b="y"}` from `at` onwards: the labels and where the closing brace ends. */
function parseLabels(line: string, at: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  if (line[i] === '}') return { labels, end: i + 1 };
  for (;;) {
    const eq = line.indexOf('=', i);
    if (eq < 0) fail(lineNo, line, 'label without "="');
    const name = line.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(lineNo, line, `bad label name "${name}"`);
    if (name in labels) fail(lineNo, line, `label "${name}" repeated`);
    if (line[eq + 1] !== '"') fail(lineNo, line, 'label value not quoted');
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] !== '\\') {
        value += line[j];
        continue;
      }
      const escaped = line[++j];
      if (escaped === '\\') value += '\\';
      else if (escaped === '"') value += '"';
      else if (escaped === 'n') value += '\n';
      else fail(lineNo, line, `bad escape "\\${escaped}"`);
    }
    if (j >= line.length) fail(lineNo, line, 'unterminated label value');
    labels[name] = value;
    i = j + 1;
    if (line[i] === '}') return { labels, end: i + 1 };
    if (line[i] !== ',') fail(lineNo, line, 'expected "," or "}" after a label');
    i += 1;
  }
}

function allowedSampleNames(family: ParsedFamily): string[] {
  switch (family.type) {
    case 'counter':
      return [`${family.name}_total`, `${family.name}_created`];
    case 'info':
      return [`${family.name}_info`];
    default:
      return [family.name];
  }
}

export function parseOpenMetrics(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('# EOF\n') && !text.endsWith('# EOF')) throw new Error('OpenMetrics exposition does not end with "# EOF"');
  const lines = text.replace(/\n$/, '').split('\n');
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | null = null;
  const labelSets = new Set<string>();
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (index === lines.length - 1) {
      if (line !== '# EOF') fail(lineNo, line, 'last line must be "# EOF"');
      return;
    }
    if (line === '# EOF') fail(lineNo, line, '"# EOF" before the end');
    if (line === '') fail(lineNo, line, 'empty line');
    const meta = /^# (TYPE|HELP|UNIT) (\S+)(?: (.*))?$/.exec(line);
    if (line.startsWith('#')) {
      if (!meta) fail(lineNo, line, 'unknown comment line');
      const [, keyword, name, rest = ''] = meta;
      if (!METRIC_NAME.test(name!)) fail(lineNo, line, 'bad metric name');
      if (keyword === 'TYPE') {
        if (families.has(name!)) fail(lineNo, line, `family "${name}" repeated or interleaved`);
        if (!TYPES.has(rest)) fail(lineNo, line, `unknown type "${rest}"`);
        current = { name: name!, type: rest, help: null, unit: null, samples: [] };
        families.set(name!, current);
        labelSets.clear();
        return;
      }
      if (!current || current.name !== name) fail(lineNo, line, `${keyword} for a family that is not the current one`);
      if (current.samples.length > 0) fail(lineNo, line, `${keyword} after samples`);
      if (keyword === 'HELP') {
        if (current.help !== null) fail(lineNo, line, 'HELP repeated');
        if (/\\[^\\n"]/.test(rest.replace(/\\\\/g, ''))) fail(lineNo, line, 'bad escape in HELP');
        current.help = rest.replace(/\\(\\|n|")/g, (_, c: string) => (c === 'n' ? '\n' : c));
      } else {
        if (current.unit !== null) fail(lineNo, line, 'UNIT repeated');
        if (!current.name.endsWith(`_${rest}`)) fail(lineNo, line, `family name must end with "_${rest}"`);
        current.unit = rest;
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) fail(lineNo, line, 'sample without a metric name');
    const name = nameMatch[0];
    const family: ParsedFamily | null = current;
    if (!family) fail(lineNo, line, 'sample before any TYPE line');
    if (!allowedSampleNames(family).includes(name)) fail(lineNo, line, `sample name "${name}" does not belong to ${family.type} "${family.name}"`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(line, name.length, lineNo);
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const valueMatch = /^ (\S+)(?: (\S+))?$/.exec(rest);
    if (!valueMatch || !NUMBER.test(valueMatch[1]!)) fail(lineNo, line, 'expected " VALUE" after the labels');
    const value = parseValue(valueMatch[1]!);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (labelSets.has(key)) fail(lineNo, line, 'label set repeated in the family');
    labelSets.add(key);
    if (family.type === 'counter' && !(value >= 0)) fail(lineNo, line, 'counter values must be >= 0');
    if (family.type === 'info' && value !== 1) fail(lineNo, line, 'info values must be 1');
    family.samples.push({ name, labels, value });
  });
  return families;
}

/** The value of one sample, matching all the given labels; undefined when there is none. */
export function sampleValue(families: Map<string, ParsedFamily>, sampleName: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name === sampleName && Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) return sample.value;
    }
  }
  return undefined;
}
