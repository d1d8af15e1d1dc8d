/**
 * PACKAGE lines (reference 1.6): `PACKAGE name vendor [version] COMPONENTS="f[:ver[:n]] ..."` names
 * what an enabling FEATURE/INCREMENT line of the package's name serves. Each component becomes a
 * line of its own with the enabling line's count (times n), expiry and attributes, and the
 * component's version (else the package's, else the enabling line's). The PACKAGE line must
 * verify like any signed line. OPTIONS=SUITE (a component also takes a seat of the suite) is
 * not supported: its components are served as separate features, and the log says so.
 */
import { attributeValue, commonAttributes, type FeatureLine, type LicenseFile, type PackageLine, type SignedLine } from '../license';
import type { SignatureState } from '../../shared/contract';
import type { PoolLine } from '../pool';

export interface ServedLine {
  feature: FeatureLine;
  pool: PoolLine;
}

interface Component {
  name: string;
  version: string | null;
  times: number;
}

function component(text: string): Component | null {
  const [name, version, times] = text.split(':');
  const n = times === undefined ? 1 : Number(times);
  if (!name || !Number.isInteger(n) || n < 1) return null;
  return { name, version: version || null, times: n };
}

export function expandPackages(
  file: LicenseFile,
  lines: readonly ServedLine[],
  signatureOf: (line: SignedLine) => SignatureState,
  fileName: string,
): { poolLines: PoolLine[]; notes: string[] } {
  const notes: string[] = [];
  const usable = new Map<string, { pkg: PackageLine; components: Component[] }>();
  for (const pkg of file.packages) {
    const where = `PACKAGE ${pkg.name} (${fileName}:${pkg.line})`;
    const signature = signatureOf(pkg);
    if (signature !== 'valid') {
      notes.push(`${where} is not used: ${signature === 'invalid' ? 'its SIGN= does not verify' : `no trusted public key for vendor ${pkg.vendor}`}`);
      continue;
    }
    const written = commonAttributes(pkg).components ?? [];
    const components = written.map(component);
    if (components.length === 0 || components.some((c) => c === null)) {
      notes.push(`${where} is not used: COMPONENTS="${written.join(' ')}" is not a list of feature[:version[:count]]`);
      continue;
    }
    if (/\bSUITE/i.test(attributeValue(pkg, 'OPTIONS') ?? ''))
      notes.push(`${where}: OPTIONS=SUITE is not supported; its components are served as separate features`);
    usable.set(JSON.stringify([pkg.vendor, pkg.name]), { pkg, components: components as Component[] });
  }
  const poolLines = lines.flatMap(({ feature, pool }) => {
    const found = usable.get(JSON.stringify([feature.vendor, feature.name]));
    if (!found) return [pool];
    return found.components.map((c) => ({
      ...pool,
      name: c.name,
      version: c.version ?? found.pkg.version ?? pool.version,
      count: pool.count === 'uncounted' ? pool.count : pool.count * c.times,
      source: `${pool.source} (PACKAGE ${found.pkg.name})`,
    }));
  });
  return { poolLines, notes };
}
