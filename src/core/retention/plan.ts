/**
 * Which of a log's oldest rows must go, given its limits. Pure: the driver passes in what the
 * table holds now. Rows always leave from the oldest end, and the newest row always stays (its id
 * keeps the next row's id from being one handed out before).
 */
import type { LogLimits } from '../../shared/logRetention';

export interface LogSnapshot {
  firstId: number | null;
  lastId: number | null;
  rows: number;
  bytesPerRow: number;
  /** The newest id among rows older than the age limit; null when none is (or no age limit). */
  lastIdTooOld: number | null;
}

export type TrimReason = 'age' | 'size';

export interface TrimPlan {
  /** Remove every row with an id up to this one. */
  throughId: number;
  rows: number;
  reason: TrimReason;
}

/** A log over its size limit is trimmed to this share of it, so the next trim is not one row later. */
export const SIZE_TRIM_TARGET = 0.9;

const MB = 1024 * 1024;

/** Start of the age window: rows older than this go (null: no age limit). */
export function ageCutoff(limits: LogLimits, nowMs: number): number | null {
  return limits.maxAgeDays > 0 ? nowMs - limits.maxAgeDays * 86_400_000 : null;
}

export function estimatedBytes(snapshot: Pick<LogSnapshot, 'rows' | 'bytesPerRow'>): number {
  return Math.round(snapshot.rows * snapshot.bytesPerRow);
}

/** What to remove now, or null when the log is within its limits. `maxRows` bounds one pass. */
export function planTrim(snapshot: LogSnapshot, limits: LogLimits, maxRows: number): TrimPlan | null {
  const { firstId, lastId } = snapshot;
  if (firstId === null || lastId === null || lastId <= firstId) return null;
  const candidates: { throughId: number; reason: TrimReason }[] = [];
  if (limits.maxAgeDays > 0 && snapshot.lastIdTooOld !== null) candidates.push({ throughId: snapshot.lastIdTooOld, reason: 'age' });
  if (limits.maxMegabytes > 0 && estimatedBytes(snapshot) > limits.maxMegabytes * MB) {
    const keep = Math.floor((limits.maxMegabytes * MB * SIZE_TRIM_TARGET) / snapshot.bytesPerRow);
    candidates.push({ throughId: lastId - keep, reason: 'size' });
  }
  const widest = candidates.reduce<{ throughId: number; reason: TrimReason } | null>(
    (best, c) => (best === null || c.throughId > best.throughId ? c : best),
    null,
  );
  if (widest === null) return null;
  const throughId = Math.min(widest.throughId, lastId - 1, firstId + maxRows - 1);
  if (throughId < firstId) return null;
  return { throughId, rows: throughId - firstId + 1, reason: widest.reason };
}
