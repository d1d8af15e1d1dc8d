import type { PeerMessage } from './messages';
import type { LogEntry, SnapshotSettings } from './types';

/**
 * Snapshots of the applied state (the lease table) travel to a member behind a compacted log in
 * InstallSnapshot frames: cut to a byte budget on the way out, put together again on the way in.
 */

type SnapshotFrame = Extract<PeerMessage, { type: 'installSnapshot' }>;

/**
 * Defaults: compact once the log holds 10,000 entries beyond its snapshot, keeping the newest
 * 8,192 committed ones (the entries kept in memory, so a peer that far behind still catches up
 * from the log); 4 MiB of seats per frame (with the peer channel's seal well inside 16 MiB).
 */
export const DEFAULT_SNAPSHOT_SETTINGS: SnapshotSettings = { compactAfterEntries: 10_000, keepEntries: 8_192, chunkBytes: 4 * 1024 * 1024 };

/**
 * Cuts `leases` into frames of about `chunkBytes` of JSON each; the first frame also carries the
 * license switch (counted in its budget). A seat larger than the budget gets a frame of its own.
 * There is always at least one frame, so an empty table still arrives.
 */
export function snapshotChunks(leases: readonly unknown[], lastSwitch: LogEntry | null, chunkBytes: number): unknown[][] {
  const chunks: unknown[][] = [[]];
  let bytes = lastSwitch ? JSON.stringify(lastSwitch).length : 0;
  for (const lease of leases) {
    const size = JSON.stringify(lease).length + 1;
    const current = chunks[chunks.length - 1];
    if (current.length > 0 && bytes + size > chunkBytes) {
      chunks.push([lease]);
      bytes = size;
    } else {
      current.push(lease);
      bytes += size;
    }
  }
  return chunks;
}

/** A snapshot put together from all its frames. */
export interface ReceivedSnapshot {
  epoch: number;
  master: boolean;
  index: number;
  entryEpoch: number;
  lastSwitch: LogEntry | null;
  leases: unknown[];
}

/** The frames of one snapshot received so far from one peer, by frame number. */
export interface PartialSnapshot extends Omit<ReceivedSnapshot, 'leases'> {
  frames: (unknown[] | undefined)[];
  /** Known once the last frame arrived. */
  total: number | null;
}

/**
 * Adds a frame to what came before it from the same peer; returns the whole snapshot once every
 * frame is there, in whatever order they came. Two sendings of one snapshot (same sender role,
 * epoch and index) carry the same seats in the same frames (the driver lists them by lease id),
 * so a frame lost from one sending is filled by the next.
 */
export function addSnapshotFrame(
  partial: PartialSnapshot | null,
  frame: SnapshotFrame,
): { partial: PartialSnapshot | null; complete: ReceivedSnapshot | null } {
  const sameSender = partial !== null && partial.master === frame.master && partial.epoch === frame.epoch;
  const same = sameSender && partial.index === frame.index && partial.entryEpoch === frame.entryEpoch;
  const current: PartialSnapshot = same
    ? partial
    : { epoch: frame.epoch, master: frame.master, index: frame.index, entryEpoch: frame.entryEpoch, lastSwitch: null, frames: [], total: null };
  if (frame.chunk === 0) current.lastSwitch = frame.lastSwitch;
  current.frames[frame.chunk] = frame.leases;
  if (frame.last) current.total = frame.chunk + 1;
  if (current.total === null) return { partial: current, complete: null };
  // (not `some` over the sparse array: it skips the holes we are looking for)
  const frames = Array.from({ length: current.total }, (_, i) => current.frames[i]);
  if (frames.includes(undefined)) return { partial: current, complete: null };
  const { epoch, master, index, entryEpoch, lastSwitch } = current;
  return { partial: null, complete: { epoch, master, index, entryEpoch, lastSwitch, leases: frames.flat() } };
}
