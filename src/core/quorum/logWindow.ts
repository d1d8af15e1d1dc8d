import type { LogEntry, SnapshotPoint } from './types';

/**
 * Reads persisted log entries back: up to `count` entries from index `from` on, in order. The
 * driver reads its store; the simulation reads its model disk.
 */
export type LogReader = (from: number, count: number) => LogEntry[];

// never a copy of another member's data folder: it holds that member's votes, not this one's
const STORE_REPAIR =
  'Stop this server, move its data folder aside and start it again: it starts empty, rejoins the other two as a learner and catches up from the master.';

/**
 * The replicated log as the quorum engine sees it: every entry after its snapshot up to
 * `lastIndex`, of which only the newest are kept in memory. Older entries are read back from disk
 * when a lagging peer or a candidate needs them, so a member that runs for months does not hold
 * every op it ever replicated. Entries leave memory only through `forget`, which the driver calls
 * once they are durable and committed (committed entries never change), and leave the disk too
 * through `compact`: only the snapshot's index and epoch remain of them.
 */
export class LogWindow {
  /** Entries with an index up to here are on disk only. */
  private base: number;
  private entries: LogEntry[];
  private point: SnapshotPoint;

  constructor(
    tail: readonly LogEntry[],
    base: number,
    private readonly read: LogReader | null,
    snapshot: SnapshotPoint = { index: 0, epoch: 0 },
  ) {
    if (snapshot.index > base) throw new Error(`A log compacted up to ${snapshot.index} cannot start at ${base + 1}.`);
    if (base > snapshot.index && !read) throw new Error('A log that starts after index 1 needs a reader for the entries before it.');
    this.base = base;
    this.entries = [...tail];
    this.point = { ...snapshot };
  }

  /** Entries up to here are compacted away (0: none). */
  get snapshotIndex(): number {
    return this.point.index;
  }

  get snapshot(): SnapshotPoint {
    return { ...this.point };
  }

  get lastIndex(): number {
    return this.base + this.entries.length;
  }

  /** First index held in memory (lastIndex + 1 when none is). */
  get firstInMemory(): number {
    return this.base + 1;
  }

  get lastEpoch(): number {
    return this.epochAt(this.lastIndex) ?? 0;
  }

  /** Undefined for compacted entries (the snapshot's own index excepted) and beyond the end. */
  entryAt(index: number): LogEntry | undefined {
    if (index <= this.point.index || index > this.lastIndex) return undefined;
    if (index > this.base) return this.entries[index - this.base - 1];
    return this.fromDisk(index, 1)[0];
  }

  /** The epoch of the entry at `index`: known for the snapshot's index (and 0 for index 0) too. */
  epochAt(index: number): number | undefined {
    if (index === this.point.index) return this.point.epoch;
    return this.entryAt(index)?.epoch;
  }

  /** Up to `count` entries from index `from` on (fewer at the end of the log); never compacted ones. */
  range(from: number, count = Number.POSITIVE_INFINITY): LogEntry[] {
    const start = Math.max(1, from);
    const end = Math.min(this.lastIndex, start + count - 1);
    if (end < start) return [];
    if (start <= this.point.index) throw new Error(`Log entries from ${start} were asked for, but the log is compacted up to ${this.point.index}.`);
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

  /**
   * Drops every entry up to `point.index` (committed, durable and applied: the lease table holds
   * their effect); only the point remains, for the next append's `prevEpoch`.
   */
  compact(point: SnapshotPoint): void {
    if (point.index <= this.point.index) return;
    if (point.index > this.lastIndex) throw new Error(`Log compaction up to ${point.index} is beyond the end of the log (${this.lastIndex}).`);
    if (point.index > this.base) {
      this.entries = this.entries.slice(point.index - this.base);
      this.base = point.index;
    }
    this.point = { ...point };
  }

  /**
   * A snapshot from another member replaces the log up to `point.index`. The entries after it
   * stay only when `keepAfter` (this log holds the snapshot's entry, so they continue it);
   * otherwise the log ends at the snapshot.
   */
  installSnapshot(point: SnapshotPoint, keepAfter: boolean): void {
    if (keepAfter && point.index <= this.lastIndex) {
      this.compact(point);
      return;
    }
    this.entries = [];
    this.base = point.index;
    this.point = { ...point };
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
