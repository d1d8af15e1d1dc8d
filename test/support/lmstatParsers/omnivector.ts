/**
 * The FlexLM output parser of Omnivector's license-manager agent (Slurm license booking),
 * transcribed to TypeScript:
 *   repository omnivector-solutions/license-manager (MIT License, Copyright (c) 2020-2021
 *   Omnivector LLC, Scania Motors), lm-agent/lm_agent/parsing/flexlm.py
 *   @ b01785ac59fe7a9a1252a4031afad233fa71c040. Regexes verbatim (Python named groups written
 *   in JavaScript's syntax).
 * The agent runs `lmutil lmstat -c port@host -f FEATURE` per feature; `parse` reads one such
 * output: the last `Users of` line sets the counts, every user line of the text is a use.
 */

const HOSTWORD = String.raw`[a-zA-Z0-9-]+`;
const HOSTNAME = String.raw`${HOSTWORD}(\.${HOSTWORD})*`;
const NONWS = String.raw`\S+`;
const INT = String.raw`\d+`;
const NONPAREN = String.raw`[^() ]+`;
const MMDD = `${INT}/${INT}`;
const HHMM = `${INT}:${INT}`;
const FEATURE_NAME = String.raw`[A-Za-z0-9\-_:]+`;

const FEATURE_LINE = new RegExp(
  String.raw`^Users of (?<feature>${FEATURE_NAME}):  \(Total of (?<total>${INT}) licenses issued;  Total of (?<used>${INT}) license(?<plural>s)? in use\)$`,
);
const head = String.raw`^\s+(?<user>${NONWS}) (?<user_host>${HOSTNAME}) `;
const server = String.raw`\((?<license_host>${HOSTNAME})/(?<license_port>${INT}) (?<license_pid>${INT})\), start (?<weekday>${NONWS}) ` +
  `(?<date>${MMDD}) (?<time>${HHMM})`;
const USAGE_LINES = [
  new RegExp(String.raw`${head}(?<tty>${NONWS}) \((?<version>${NONPAREN})\) ${server}, (?<tokens>${INT}) licenses$`),
  new RegExp(String.raw`${head}(?<tty>${NONWS}) feature=(?<feature>${FEATURE_NAME}) \(v(?<version>${NONPAREN})\) ${server}, (?<tokens>${INT}) licenses$`),
  new RegExp(String.raw`${head}(?<tty>${NONWS}) \(v(?<version>${NONPAREN})\) ${server}$`),
  new RegExp(String.raw`${head}(?<tty>${HOSTNAME}) (?<feature>${FEATURE_NAME}) \(v(?<version>${NONPAREN})\) ${server}, (?<tokens>${INT}) licenses$`),
  new RegExp(String.raw`${head}(?<tty>${NONWS}) (?<feature>${FEATURE_NAME}) \(v(?<version>${NONPAREN})\) ${server}$`),
];

export interface OmnivectorUse {
  username: string;
  lead_host: string;
  booked: number;
}

export interface OmnivectorResult {
  feature?: string;
  total?: number;
  used?: number;
  uses?: OmnivectorUse[];
}

export function parseFeatureLine(line: string): { feature: string; total: number; used: number } | null {
  const m = FEATURE_LINE.exec(line)?.groups;
  return m ? { feature: m.feature.toLowerCase(), total: Number(m.total), used: Number(m.used) } : null;
}

export function parseUsageLine(line: string): OmnivectorUse | null {
  for (const rx of USAGE_LINES) {
    const m = rx.exec(line)?.groups;
    if (m) return { username: m.user.toLowerCase(), lead_host: m.user_host, booked: m.tokens === undefined ? 1 : Number(m.tokens) };
  }
  return null;
}

/** Python's str.splitlines for the line ends lmutil writes. */
function splitlines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export function omnivectorParse(serverOutput: string): OmnivectorResult {
  let parsed: OmnivectorResult = {};
  const uses: OmnivectorUse[] = [];
  for (const line of splitlines(serverOutput)) {
    const feature = parseFeatureLine(line);
    if (feature) {
      parsed = feature;
      continue;
    }
    const use = parseUsageLine(line);
    if (use) uses.push(use);
  }
  return Object.keys(parsed).length > 0 ? { ...parsed, uses } : parsed;
}
