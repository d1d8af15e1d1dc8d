import type { LicenseCheckReport } from '../../../shared/contract';
import type { FeatureStatus } from '../../../shared/status';

export interface SeatsAtRisk {
  name: string;
  inUse: number;
  /** Seats the new file serves for the name; 0 when it has no line of it that verifies. */
  newSeats: number;
}

/**
 * Features in use now that a checked license file would serve fewer seats of (or none): their
 * users lose them when it is imported, so the screen says so before Import. Only lines whose
 * signature verifies count; an uncounted line covers everyone.
 */
export function seatsAtRisk(report: LicenseCheckReport, features: readonly FeatureStatus[]): SeatsAtRisk[] {
  const inUse = new Map<string, number>();
  for (const f of features) if (f.inUse > 0) inUse.set(f.name, (inUse.get(f.name) ?? 0) + f.inUse);
  const risks: SeatsAtRisk[] = [];
  for (const [name, used] of inUse) {
    const lines = report.features.filter((f) => f.name === name && f.signature === 'valid');
    if (lines.some((f) => f.count === 'uncounted' || f.count === 0)) continue;
    const newSeats = lines.reduce((sum, f) => sum + (f.count as number), 0);
    if (newSeats < used) risks.push({ name, inUse: used, newSeats });
  }
  return risks.sort((a, b) => a.name.localeCompare(b.name));
}
