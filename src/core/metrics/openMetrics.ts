/**
 * OpenMetrics 1.0 text exposition (https://openmetrics.io, the format Prometheus scrapes with
 * `Accept: application/openmetrics-text`). Pure formatting: families in, text out.
 *
 * Conventions kept here so callers cannot get them wrong: a counter family is named without
 * `_total` and its sample gets the suffix; a family with a unit ends with `_<unit>`; an info
 * family's sample ends with `_info`; the exposition ends with `# EOF`.
 */

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
/** The older Prometheus text format, for scrapers and people (curl) that do not ask for OpenMetrics. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'info';

export interface MetricSample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  /** Base unit (`seconds`, `bytes`); the family name must end with `_<unit>`. */
  unit?: string;
  samples: readonly MetricSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values and HELP text: backslash, double quote and newline are escaped (spec, "ABNF"). */
export function escapeText(text: string): string {
  return text.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Object.is(value, -0) ? '-0' : String(value);
}

function sampleName(family: MetricFamily): string {
  if (family.type === 'counter') return `${family.name}_total`;
  if (family.type === 'info') return `${family.name}_info`;
  return family.name;
}

function checkFamily(family: MetricFamily): void {
  // these are programming errors: the families are written in our code, never from input
  if (!METRIC_NAME.test(family.name)) throw new Error(`metric name "${family.name}" is not valid OpenMetrics`);
  if (/_(total|info|created|bucket|count|sum)$/.test(family.name)) throw new Error(`metric family "${family.name}" must not carry a sample suffix`);
  if (family.unit !== undefined && !family.name.endsWith(`_${family.unit}`))
    throw new Error(`metric "${family.name}" must end with its unit "_${family.unit}"`);
  for (const sample of family.samples) {
    for (const label of Object.keys(sample.labels ?? {})) {
      if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new Error(`label name "${label}" of "${family.name}" is not valid OpenMetrics`);
    }
  }
}

function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeText(value)}"`).join(',')}}`;
}

/** The whole exposition; families with the same name must not repeat (the spec forbids it). */
export function formatOpenMetrics(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    checkFamily(family);
    if (seen.has(family.name)) throw new Error(`metric family "${family.name}" appears twice`);
    seen.add(family.name);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.unit !== undefined) lines.push(`# UNIT ${family.name} ${family.unit}`);
    lines.push(`# HELP ${family.name} ${escapeText(family.help)}`);
    const name = sampleName(family);
    for (const sample of family.samples) lines.push(`${name}${formatLabels(sample.labels)} ${formatNumber(sample.value)}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/**
 * The same families in the Prometheus text format 0.0.4: TYPE and HELP name the sample
 * (`x_total`), an info family is a gauge, no UNIT lines, no `# EOF`, HELP escapes only
 * backslash and newline.
 */
export function formatPrometheusText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    checkFamily(family);
    const name = sampleName(family);
    lines.push(`# HELP ${name} ${family.help.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'))}`);
    lines.push(`# TYPE ${name} ${family.type === 'info' ? 'gauge' : family.type}`);
    for (const sample of family.samples) lines.push(`${name}${formatLabels(sample.labels)} ${formatNumber(sample.value)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
