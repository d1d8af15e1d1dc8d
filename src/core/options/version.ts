/**
 * FlexLM feature versions are decimals (reference 1.5: `1.0`, `6.01`, a date-based `2022.0315`),
 * compared as numbers: `6.01` < `6.1`, `1.10` equals `1.1` and is below `1.9`, `2` equals `2.0`.
 * Compared digit by digit, so no size limit and no floating-point rounding.
 */
const DECIMAL = /^(\d+)(?:\.(\d*))?$/;

/** The decimal without leading or trailing zeros (`01.50` -> `1.5`, `2.0` -> `2`); other text as written. */
export function canonicalVersion(version: string): string {
  const match = DECIMAL.exec(version.trim());
  if (!match) return version;
  const whole = match[1]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

export function compareVersions(a: string, b: string): number {
  const ma = DECIMAL.exec(a.trim());
  const mb = DECIMAL.exec(b.trim());
  if (!ma || !mb) return a.localeCompare(b);
  const [wa, fa = ''] = canonicalVersion(a).split('.');
  const [wb, fb = ''] = canonicalVersion(b).split('.');
  if (wa!.length !== wb!.length) return wa!.length < wb!.length ? -1 : 1;
  if (wa !== wb) return wa! < wb! ? -1 : 1;
  const width = Math.max(fa.length, fb.length);
  const xa = fa.padEnd(width, '0');
  const xb = fb.padEnd(width, '0');
  return xa === xb ? 0 : xa < xb ? -1 : 1;
}
