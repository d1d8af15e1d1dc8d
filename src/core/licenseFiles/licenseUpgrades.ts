/**
 * UPGRADE lines (Revenera, "UPGRADE Lines"): `UPGRADE f vendor from to expiry n` "removes up to the
 * number of licenses specified from any old version (>= from_feat_version) and creates a new
 * version with that same number of licenses", operating on "the closest preceding FEATURE or
 * INCREMENT line with a version number that is >= from_feat_version, and < to_feat_version".
 * INCREMENT f1 1.0 5 then UPGRADE f1 1.0 2.0 2 serve three v1.0 and two v2.0 licenses.
 *
 * Here: the upgraded seats form a line of their own (the UPGRADE line's version, expiry and
 * attributes) with the number actually moved; an UPGRADE the server cannot serve (signature,
 * host id) moves nothing, and an uncounted base line stays uncounted in both versions.
 */
import type { UpgradeLine } from '../license';
import { compareVersions } from '../options';
import type { PoolLine } from '../pool';
import type { ServedLine } from './licensePackages';

export interface UpgradeInput {
  upgrade: UpgradeLine;
  /** The UPGRADE line as a pool line: its own version, expiry, attributes and serving state. */
  pool: PoolLine;
}

export function applyUpgrades(
  upgrades: readonly UpgradeInput[],
  served: readonly ServedLine[],
  fileName: string,
): { served: ServedLine[]; poolLines: PoolLine[]; notes: string[] } {
  const lines = served.map(({ feature, pool }) => ({ feature, pool: { ...pool } }));
  const poolLines: PoolLine[] = [];
  const notes: string[] = [];
  for (const { upgrade, pool } of upgrades) {
    if (pool.notServed) continue; // its own note says why
    const where = `UPGRADE ${upgrade.name} (${fileName}:${upgrade.line})`;
    const base = lines
      .filter(
        ({ feature, pool: p }) =>
          feature.line < upgrade.line &&
          feature.vendor === upgrade.vendor &&
          feature.name === upgrade.name &&
          !p.notServed &&
          compareVersions(feature.version, upgrade.fromVersion) >= 0 &&
          compareVersions(feature.version, upgrade.version) < 0,
      )
      .pop();
    if (!base) {
      notes.push(
        `${where} upgrades nothing: no FEATURE or INCREMENT line of ${upgrade.name} before it has a version from ${upgrade.fromVersion} up to ` +
          `${upgrade.version}`,
      );
      continue;
    }
    if (base.pool.count === 'uncounted') {
      poolLines.push({ ...pool, count: 'uncounted' });
      continue;
    }
    const moved = pool.count === 'uncounted' ? base.pool.count : Math.min(pool.count, base.pool.count);
    if (pool.count !== 'uncounted' && moved < pool.count) {
      notes.push(`${where} upgrades ${moved} of its ${pool.count} licenses: line ${base.feature.line} has only ${base.pool.count}`);
    }
    base.pool.count -= moved;
    poolLines.push({ ...pool, count: moved });
  }
  return { served: lines, poolLines, notes };
}
