/**
 * Usage over time from the report log: replays checkout/checkin events into seats-in-use per
 * feature, at evenly spaced points (each the most in use since the one before), with peaks and
 * denials. Pure; the report rows come
 * from the store, sorted by time.
 */
import type { UsageDenial, UsagePeak, UsagePoint, UsageReport } from './contract';
import { buildUserUsage, type CarriedLease } from './userUsage';
import { csvField as quote } from './csv';

export interface UsageEvent {
  time: number;
  event: 'OUT' | 'IN' | 'DENIED' | 'RECLAIM' | 'REMOVE';
  feature: string;
  user: string;
  host: string;
  count: number;
  reason: string | null;
  /** Matches a checkout to its checkin, for how long each user held a seat. */
  leaseId?: string | null;
}

/** A report log row as the usage replay reads it. */
export function usageEventOf(row: Omit<UsageEvent, 'time' | 'leaseId'> & { timeMs: number; leaseId: string | null }): UsageEvent {
  const { timeMs, event, feature, user, host, count, reason, leaseId } = row;
  return { time: timeMs, event, feature, user, host, count, reason, leaseId };
}

/** What the report log no longer holds: seats out after its rotated rows, and the time of the newest of them. */
export interface RotatedHistory {
  seatsOut: ReadonlyMap<string, number>;
  /** The same seats by lease, with their users (the per-user report). */
  leasesOut?: Readonly<Record<string, CarriedLease>>;
  rotatedThroughMs: number | null;
}

export function buildUsageReport(
  events: readonly UsageEvent[],
  range: { sinceMs: number; untilMs: number; points: number },
  issued: ReadonlyMap<string, number | null> = new Map(),
  rotated: RotatedHistory = { seatsOut: new Map(), rotatedThroughMs: null },
): UsageReport {
  const { sinceMs, untilMs } = range;
  const features = [...new Set([...issued.keys(), ...rotated.seatsOut.keys(), ...events.filter((e) => e.event !== 'DENIED').map((e) => e.feature)])].sort();
  // the replay starts from the seats the rotated rows left out, as if it had read them too
  const inUse = new Map<string, number>(features.map((f) => [f, rotated.seatsOut.get(f) ?? 0]));
  const peaks = new Map<string, UsagePeak>();
  const denials: UsageDenial[] = [];
  const points: UsagePoint[] = [];
  const steps = Math.max(2, range.points);
  const stepMs = Math.max(1, (untilMs - sinceMs) / (steps - 1));
  let next = 0;

  // each point is the most seats in use since the previous one: a checkout shorter than the
  // spacing of the points (85 minutes over a week) still shows, and the chart agrees with Peaks
  const slotMost = new Map(inUse);
  const sample = (time: number) => {
    points.push({ time, inUse: Object.fromEntries(slotMost) });
    for (const [feature, used] of inUse) slotMost.set(feature, used);
  };
  const samplesBefore = (time: number) => {
    while (next < steps && sinceMs + next * stepMs < time) {
      sample(Math.round(sinceMs + next * stepMs));
      next += 1;
    }
  };

  // Seats held when the range starts count towards its peak.
  let inRange = false;
  const enterRange = () => {
    if (inRange) return;
    inRange = true;
    for (const [feature, used] of inUse) {
      peaks.set(feature, { feature, peak: used, at: sinceMs, issued: issued.get(feature) ?? null });
      slotMost.set(feature, used);
    }
  };

  for (const e of events) {
    if (e.time > untilMs) break;
    if (e.time >= sinceMs) {
      enterRange();
      samplesBefore(e.time);
    }
    if (e.event === 'DENIED') {
      if (e.time >= sinceMs) denials.push({ time: e.time, feature: e.feature, user: e.user, host: e.host, reason: e.reason ?? '' });
      continue;
    }
    // Seats held before the range still count inside it, so replay from the first event.
    const delta = e.event === 'OUT' ? e.count : -e.count;
    const now = Math.max(0, (inUse.get(e.feature) ?? 0) + delta);
    inUse.set(e.feature, now);
    if (e.time >= sinceMs) {
      slotMost.set(e.feature, Math.max(slotMost.get(e.feature) ?? 0, now));
      const peak = peaks.get(e.feature);
      if (!peak || now > peak.peak) peaks.set(e.feature, { feature: e.feature, peak: now, at: e.time, issued: issued.get(e.feature) ?? null });
    }
  }
  enterRange();
  samplesBefore(Number.POSITIVE_INFINITY);
  return {
    sinceMs,
    untilMs,
    keptSinceMs: rotated.rotatedThroughMs,
    features,
    points,
    peaks: features.map((f) => peaks.get(f)!),
    denials,
    users: buildUserUsage(events, range, rotated.leasesOut),
  };
}

/** CSV (RFC 4180 quoting) of the usage points: time, then one column per feature. */
export function usageToCsv(report: UsageReport): string {
  const header = ['time', ...report.features].map(quote).join(',');
  const rows = report.points.map((p) => [new Date(p.time).toISOString(), ...report.features.map((f) => String(p.inUse[f] ?? 0))].join(','));
  return [header, ...rows].join('\r\n') + '\r\n';
}

export function denialsToCsv(denials: readonly UsageDenial[]): string {
  const rows = denials.map((d) => [new Date(d.time).toISOString(), d.feature, d.user, d.host, d.reason].map(quote).join(','));
  return ['time,feature,user,host,reason', ...rows].join('\r\n') + '\r\n';
}
