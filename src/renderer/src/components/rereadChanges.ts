import type { FeatureStatus } from '../../../shared/status';

/**
 * What a Reread changed in the features served, in one sentence: features added, removed, and
 * seat counts changed (or served/not served), or that nothing did. Pools of one name add up, as
 * lmstat's "Total of N licenses issued" does.
 */
export function describeRereadChanges(before: readonly FeatureStatus[], after: readonly FeatureStatus[]): string {
  const summarize = (features: readonly FeatureStatus[]) => {
    const byName = new Map<string, { issued: number | null; served: boolean }>();
    for (const f of features) {
      const seen = byName.get(f.name);
      if (!seen) byName.set(f.name, { issued: f.issued, served: f.served });
      else byName.set(f.name, { issued: seen.issued === null || f.issued === null ? null : seen.issued + f.issued, served: seen.served || f.served });
    }
    return byName;
  };
  const old = summarize(before);
  const now = summarize(after);
  const seats = (n: number | null) => (n === null ? 'uncounted' : `${n} seat${n === 1 ? '' : 's'}`);
  const changes: string[] = [];
  for (const [name, f] of now) {
    const was = old.get(name);
    if (!was) changes.push(`${name} added (${seats(f.issued)})`);
    else if (was.issued !== f.issued) changes.push(`${name} ${seats(was.issued)} → ${seats(f.issued)}`);
    if (was && was.served !== f.served) changes.push(`${name} ${f.served ? 'now served' : 'no longer served'}`);
  }
  for (const name of old.keys()) if (!now.has(name)) changes.push(`${name} removed`);
  return changes.length === 0
    ? 'Reread the license and options files: nothing changed in the features served.'
    : `Reread the license and options files: ${changes.join('; ')}.`;
}
