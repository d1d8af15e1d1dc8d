import type { LogEntry } from './types';

/**
 * Reads persisted log entries back: up to `count` entries from index `from` on, in order. The
 * driver reads its store; the simulation reads its model disk.
 */
export type LogReader = (from: number, count: number) => LogEntry[];

// never a copy of another member's data folder: it holds that member's votes, not this one's
const STORE_REPAIR =
  'Stop this server, move its data folder aside and start it again: it starts empty, rejoins the other two as a learner and catches up from the master.';

/**
 * The replicated log as the quorum engine sees it: every entry from 1 to `lastIndex`, of which
 * only the newest are kept in memory. Older entries are read back from disk when a lagging peer
 * or a candidate needs them, so a member that runs for months does not hold every op it ever
 * replicated. Entries leave memory only through `forget`, which the driver calls once they are
 * durable and committed (committed entries never change).
 */
export class LogWindow {
  /** Entries with an index up to here are on disk only. */
  private base: number;
  private entries: LogEntry[];

  constructor(
    tail: readonly LogEntry[],
    base: number,
    private readonly read: LogReader | null,
  ) {
    if (base > 0 && !read) throw new Error('A log that starts after index 1 needs a reader for the entries before it.');
    this.base = base;
    this.entries = [...tail];
  }

  get lastIndex(): number {
    return this.base + this.entries.length;
  }

  /** First index held in memory (lastIndex + 1 when none is). */
  get firstInMemory(): number {
    return this.base + 1;
  }

  get lastEpoch(): number {
    const last = this.entries.at(-1);
    if (last) return last.epoch;
    return this.base === 0 ? 0 : (this.entryAt(this.base)?.epoch ?? 0);
  }

  entryAt(index: number): LogEntry | undefined {
    if (index < 1 || index > this.lastIndex) return undefined;
    if (index > this.base) return this.entries[index - this.base - 1];
    return this.fromDisk(index, 1)[0];
  }

  /** Up to `count` entries from index `from` on (fewer at the end of the log). */
  range(from: number, count = Number.POSITIVE_INFINITY): LogEntry[] {
    const start = Math.max(1, from);
    const end = Math.min(this.lastIndex, start + count - 1);
    if (end < start) return [];
    if (start > this.base) return this.entries.slice(start - this.base - 1, end - this.base);
    const older = this.fromDisk(start, Math.min(end, this.base) - start + 1);
    return end > this.base ? [...older, ...this.entries.slice(0, end - this.base)] : older;
  }

  append(entries: readonly LogEntry[]): void {
    this.entries.push(...entries);
  }

  /** Drops every entry from `index` on. Only entries in memory can be replaced (uncommitted ones always are). */
  truncateFrom(index: number): void {
    if (index <= this.base)
      throw new Error(`Log truncation at ${index} reaches entries already forgotten (up to ${this.base}): committed entries never change.`);
    if (index > this.lastIndex + 1) throw new Error(`Log truncation at ${index} is beyond the end of the log (${this.lastIndex}).`);
    this.entries.length = Math.max(0, index - this.base - 1);
  }

  /** Lets entries up to `index` leave memory (they stay on disk); the newest entry always stays. */
  forget(index: number): void {
    const upTo = Math.min(index, this.lastIndex - 1);
    if (upTo <= this.base || !this.read) return;
    this.entries = this.entries.slice(upTo - this.base);
    this.base = upTo;
  }

  private fromDisk(from: number, count: number): LogEntry[] {
    const entries = this.read!(from, count);
    const missing = entries.findIndex((entry, i) => entry.index !== from + i);
    if (missing >= 0 || entries.length !== count) {
      const index = missing >= 0 ? from + missing : from + entries.length;
      throw new Error(`The stored quorum log has lost entry ${index}: this member's data folder was changed outside Triad. ${STORE_REPAIR}`);
    }
    return entries;
  }
}
