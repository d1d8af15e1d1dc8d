/**
 * FlexLM feature versions are decimals (reference 1.5: `1.0`, `6.01`, a date-based `2022.0315`),
 * compared as numbers: `6.01` < `6.1`, `1.10` equals `1.1` and is below `1.9`, `2` equals `2.0`.
 * Compared digit by digit, so no size limit and no floating-point rounding.
 */
const DECIMAL = /^(\d+)(?:\.(\d*))?$/;

/** Whole and fraction digits without leading or trailing zeros; null for text that is no decimal. */
function decimalDigits(version: string): [whole: string, fraction: string] | null {
  const match = DECIMAL.exec(version.trim());
  return match ? [match[1]!.replace(/^0+(?=\d)/, ''), (match[2] ?? '').replace(/0+$/, '')] : null;
}

/** The decimal without leading or trailing zeros (`01.50` -> `1.5`, `2.0` -> `2`); other text as written. */
export function canonicalVersion(version: string): string {
  const digits = decimalDigits(version);
  if (!digits) return version;
  return digits[1] === '' ? digits[0] : `${digits[0]}.${digits[1]}`;
}

export function compareVersions(a: string, b: string): number {
  const da = decimalDigits(a);
  const db = decimalDigits(b);
  if (!da || !db) return a.localeCompare(b);
  const [wa, fa] = da;
  const [wb, fb] = db;
  if (wa.length !== wb.length) return wa.length < wb.length ? -1 : 1;
  if (wa !== wb) return wa < wb ? -1 : 1;
  const width = Math.max(fa.length, fb.length);
  const xa = fa.padEnd(width, '0');
  const xb = fb.padEnd(width, '0');
  return xa === xb ? 0 : xa < xb ? -1 : 1;
}
