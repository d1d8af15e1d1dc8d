/**
 * How much room the server has to write, and what it does about it (issue 21). Pure: the driver
 * measures (statfs of the data folder, the database's free pages) and passes the numbers in.
 *
 * - ok: nothing to say.
 * - low: below the warning threshold; the server warns (debug log, status banner, /metrics).
 * - refusing: below the refuse threshold; new licenses are refused so the space left goes to what
 *   frees seats or keeps the triad consistent (check-ins, the quorum log); seats already out,
 *   heartbeats, resumes and check-ins go on.
 * - full: a write failed for want of space; new licenses are refused until there is room again.
 * A grant is never acknowledged without its durable write, whatever the state: the refusal only
 * saves a client a write that would fail, or space the check-ins need.
 */
import { bytesOf, type DiskSettings, type DiskStatus } from '../../shared/logRetention';
import { denial, type Denial } from '../protocol';

export interface DiskSample {
  freeBytes: number;
  totalBytes: number;
  reusableBytes: number;
  checkedAt: number;
}

/** After a failed write, grants try again once at least this much (or the refuse threshold) is free. */
export const FULL_RECOVERY_BYTES = bytesOf(1);

const mb = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;
const fix = 'Free space on that disk, or lower the retention of the debug and report logs (Settings).';
const goesOn = `Seats already out, heartbeats and check-ins go on. ${fix}`;
const refused = 'new licenses are refused until there is room again.';

/** Bytes the database can still write: free on the file system plus its own free pages. */
export function writableBytes(sample: DiskSample): number {
  return sample.freeBytes + sample.reusableBytes;
}

/** Whether a failed write has been cured by the space measured since. */
export function recoveredFromFull(sample: DiskSample, settings: DiskSettings): boolean {
  return writableBytes(sample) >= Math.max(bytesOf(settings.refuseGrantsBelowMegabytes), FULL_RECOVERY_BYTES);
}

export function assessDisk(folder: string, sample: DiskSample, settings: DiskSettings, writeFailure: string | null): DiskStatus {
  const warnBelowBytes = bytesOf(settings.warnBelowMegabytes);
  const refuseGrantsBelowBytes = bytesOf(settings.refuseGrantsBelowMegabytes);
  const available = writableBytes(sample);
  const room = `${mb(available)} free for ${folder}`;
  const base = { folder, ...sample, warnBelowBytes, refuseGrantsBelowBytes };
  if (writeFailure !== null) {
    return {
      ...base,
      state: 'full',
      message: `The database could not be written for want of disk space (${writeFailure}; ${room}): ${refused} ${goesOn}`,
    };
  }
  if (refuseGrantsBelowBytes > 0 && available < refuseGrantsBelowBytes) {
    return {
      ...base,
      state: 'refusing',
      message: `Disk nearly full: ${room}, below the ${mb(refuseGrantsBelowBytes)} kept for check-ins and the quorum: ${refused} ${goesOn}`,
    };
  }
  if (warnBelowBytes > 0 && available < warnBelowBytes) {
    return {
      ...base,
      state: 'low',
      message: `Disk space low: ${room} (warning below ${mb(warnBelowBytes)}; new licenses are refused below ${mb(refuseGrantsBelowBytes)}). ${fix}`,
    };
  }
  return { ...base, state: 'ok', message: null };
}

/** The denial a client gets while the disk refuses new licenses; null while it does not. */
export function diskDenial(status: DiskStatus | null): Denial | null {
  if (status === null || (status.state !== 'refusing' && status.state !== 'full')) return null;
  const why =
    status.state === 'full'
      ? "no new licenses: the server's disk is full, so a grant cannot be recorded durably"
      : `no new licenses: the server's disk is nearly full (${mb(writableBytes(status))} free, ` +
        `below the ${mb(status.refuseGrantsBelowBytes)} it keeps for check-ins)`;
  return denial('DISK_FULL', `${why}; seats already out keep working; try another server, or ask the administrator to free disk space`);
}

/** A write error that means "no space left", as SQLite and the file system report it. */
export function isOutOfSpace(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || /disk is full|no space left/i.test(error.message);
}
