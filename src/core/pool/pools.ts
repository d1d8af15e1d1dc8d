/**
 * Groups license lines into pools (reference section 1.5): lines that differ in vendor, name,
 * version, VENDOR_STRING, DUP_GROUP, HOSTID, USER_BASED or one of the keywords below form
 * separate pools; each INCREMENT adds its seats to its pool; only the first served FEATURE line
 * of a feature name counts, and a copy of a signed line (the same SIGN=) counts once; the lines
 * left out are reported.
 */
import { canonicalVersion } from '../options/version';
import { denial, type Denial } from '../protocol/denial';
import type { IgnoredLine, Pool, PoolLine } from './types';

const separatingAttrs = ['BORROW', 'FLOAT_OK', 'HOST_BASED', 'PLATFORMS', 'TZ', 'VM_PLATFORMS'];

export function poolKeyOf(line: PoolLine): string {
  const attrs = separatingAttrs.map((key) => line.attrs[key] ?? null);
  // 1.0 and 1.00 are the same version (decimals), so the same pool
  return JSON.stringify([line.vendor, line.name, canonicalVersion(line.version), line.vendorString, line.dupGroup, line.hostid, line.userBased, attrs]);
}

export function buildPools(lines: readonly PoolLine[]): { pools: Pool[]; ignored: IgnoredLine[] } {
  const byKey = new Map<string, Pool>();
  const ignored: IgnoredLine[] = [];
  /** vendor + name + SIGN= -> the line that carried it first: a pasted copy of a signed line adds nothing. */
  const signatures = new Map<string, string>();
  /** vendor + name -> the FEATURE line that counts (the first one that is served). */
  const firstFeature = new Map<string, PoolLine>();
  const onlyFirstFeature = (line: PoolLine, first: PoolLine) =>
    ignored.push({ line, reason: `only the first FEATURE line of "${line.name}" counts (${first.source}); use INCREMENT to add seats` });
  for (const line of lines) {
    // (with the name: the components of one PACKAGE share their enabling line's SIGN=)
    const signed = line.attrs.SIGN ? JSON.stringify([line.vendor, line.name, line.attrs.SIGN]) : null;
    const original = signed ? signatures.get(signed) : undefined;
    if (original) {
      ignored.push({ line, reason: `a copy of ${original} (the same signed line): a line's seats count once` });
      continue;
    }
    if (signed) signatures.set(signed, line.source);
    // a line the server cannot serve (bad signature, other host id) does not hide a good one
    if (line.keyword === 'FEATURE' && !line.notServed) {
      const name = JSON.stringify([line.vendor, line.name]);
      const first = firstFeature.get(name);
      if (first) {
        onlyFirstFeature(line, first);
        continue;
      }
      firstFeature.set(name, line);
    }
    const key = poolKeyOf(line);
    const pool = byKey.get(key);
    if (!pool) {
      byKey.set(key, newPool(key, line));
      continue;
    }
    if (line.keyword === 'INCREMENT') {
      pool.lines.push(line);
      continue;
    }
    const at = pool.lines.findIndex((l) => l.keyword === 'FEATURE');
    const feature = pool.lines[at];
    if (!feature) pool.lines.unshift(line);
    else if (feature.notServed && !line.notServed) pool.lines[at] = line;
    else onlyFirstFeature(line, feature);
  }
  return { pools: [...byKey.values()], ignored };
}

function newPool(key: string, line: PoolLine): Pool {
  return {
    key,
    name: line.name,
    vendor: line.vendor,
    version: line.version,
    vendorString: line.vendorString,
    userBased: line.userBased,
    dupGroup: line.dupGroup,
    hostid: line.hostid,
    attrs: line.attrs,
    lines: [line],
  };
}

/**
 * Epoch ms at which a dated line stops being served: the end of its expiry day, in UTC.
 * FlexLM's exact time of day is UNCONFIRMED (reference 1.5); a license valid "through" its date
 * is what a user expects. Year 0 means permanent (FlexLM convention).
 */
export function expiresAtMs(line: PoolLine): number | null {
  if ('permanent' in line.expiry || line.expiry.year === 0) return null;
  const { year, month, day } = line.expiry;
  return Date.UTC(year, month - 1, day + 1);
}

/** Why this one line cannot give seats now, or null when it is in force. */
export function lineProblem(line: PoolLine, nowMs: number): Denial | null {
  if (line.notServed) return denial(line.notServed.code, line.notServed.detail);
  if (line.startMs !== null && nowMs < line.startMs) return denial('NOT_STARTED');
  const expires = expiresAtMs(line);
  if (expires !== null && nowMs >= expires) return denial('EXPIRED');
  return null;
}

/** Seats the pool's lines in force give now; null when any of them is uncounted. */
export function issuedSeats(pool: Pool, nowMs: number): number | null {
  let total = 0;
  for (const line of pool.lines) {
    if (lineProblem(line, nowMs)) continue;
    if (line.count === 'uncounted') return null;
    total += line.count;
  }
  return total;
}

/**
 * Seats the pool's lines grant as the file writes them, whether served or not (lmstat's count
 * for a feature it cannot serve); null when any of them is uncounted.
 */
export function licensedSeats(pool: Pool): number | null {
  let total = 0;
  for (const line of pool.lines) {
    if (line.count === 'uncounted') return null;
    total += line.count;
  }
  return total;
}

/** Why nothing can be checked out of this pool now: the first line's problem when all have one. */
export function poolProblem(pool: Pool, nowMs: number): Denial | null {
  const problems = pool.lines.map((line) => lineProblem(line, nowMs));
  return problems.every((p) => p !== null) ? problems[0] : null;
}
