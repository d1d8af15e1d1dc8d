import { statfs } from 'node:fs/promises';
import type { DiskSettings, DiskStatus } from '../../../shared/logRetention';
import type { Denial } from '../../pool';
import { assessDisk, diskDenial, isOutOfSpace, recoveredFromFull, type DiskSample } from '../../retention/diskSpace';

/** Free and total bytes of the file system holding `folder` (free: what an unprivileged process may use). */
export type DiskProbe = (folder: string) => Promise<{ freeBytes: number; totalBytes: number }>;

export const statfsProbe: DiskProbe = async (folder) => {
  const fs = await statfs(folder);
  return { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
};

export const DEFAULT_DISK_CHECK_MS = 10_000;

export interface DiskMonitorDeps {
  folder: string;
  probe: DiskProbe;
  settings: () => DiskSettings;
  /** Free pages inside the database (they take new rows before the file grows). */
  reusableBytes: () => number;
  now: () => number;
  /** lmgrd lines for the debug log: written when the state changes, not at every check. */
  debug: (message: string) => void;
  /** The state changed: status listeners hear about it. */
  changed: () => void;
  intervalMs?: number;
}

/**
 * Watches the free space of the data folder's disk (fs.statfs every 10 s, and again when
 * retention freed pages while short of space) and holds the state of diskSpace.ts: warnings,
 * and refusing new licenses below the reserve or after a write failed for want of space. After
 * such a failure grants stay refused until a check finds room again, so a full disk costs a
 * client one refusal instead of a failed write per checkout.
 */
export class DiskMonitor {
  private current: DiskStatus | null = null;
  private lastSample: DiskSample | null = null;
  private writeFailure: string | null = null;
  private refused = 0;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private probeProblem: string | null = null;
  private stopped = false;

  constructor(private readonly deps: DiskMonitorDeps) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.deps.intervalMs ?? DEFAULT_DISK_CHECK_MS);
    this.timer.unref();
  }

  /** No more measurements; one in flight is dropped (the store may be closed when it returns). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  status(): DiskStatus | null {
    return this.current;
  }

  /** The denial for a new checkout now, or null while new licenses may be granted. Counts refusals for the log. */
  refusal(): Denial | null {
    const denial = diskDenial(this.current);
    if (denial) this.refused += 1;
    return denial;
  }

  /** A store write failed: when for want of space, new grants are refused from now until a check finds room. */
  writeFailed(error: unknown): void {
    if (!isOutOfSpace(error) || this.writeFailure !== null) return;
    this.writeFailure = error instanceof Error ? error.message : String(error);
    this.update(this.lastSample ?? { freeBytes: 0, totalBytes: 0, reusableBytes: 0, checkedAt: this.deps.now() });
    // the numbers of the last check are stale now: measure again, without lifting the refusal
    // (the file system may show room the database cannot use: a quota, a size limit)
    void this.measure(false);
  }

  /** Retention removed rows: measure again if short of space (the freed pages may be room enough). */
  spaceFreed(): void {
    if (this.current && this.current.state !== 'ok') void this.check();
  }

  /** Measures now (one measurement at a time); resolves when the state is up to date. */
  check(): Promise<void> {
    this.checking ??= this.measure(true).finally(() => (this.checking = null));
    return this.checking;
  }

  /** `mayLift`: a refusal after a failed write ends if there is room now (not right after the failure). */
  private async measure(mayLift: boolean): Promise<void> {
    let measured: { freeBytes: number; totalBytes: number };
    if (this.stopped) return;
    try {
      measured = await this.deps.probe(this.deps.folder);
    } catch (error) {
      // a folder that cannot be measured (removed, permissions) is logged once; the state stays
      const problem = `Cannot measure the free space of ${this.deps.folder}: ${error instanceof Error ? error.message : String(error)}`;
      if (problem !== this.probeProblem) this.deps.debug(problem);
      this.probeProblem = problem;
      return;
    }
    if (this.stopped) return;
    this.probeProblem = null;
    const sample = { ...measured, reusableBytes: this.deps.reusableBytes(), checkedAt: this.deps.now() };
    this.lastSample = sample;
    if (this.writeFailure !== null && mayLift && recoveredFromFull(sample, this.deps.settings())) this.writeFailure = null;
    this.update(sample);
  }

  private update(sample: DiskSample): void {
    const before = this.current;
    const next = assessDisk(this.deps.folder, sample, this.deps.settings(), this.writeFailure);
    this.current = next;
    if (this.refused > 0 && (next.state === 'refusing' || next.state === 'full' || before?.state !== next.state)) {
      this.deps.debug(`Refused ${this.refused} new license${this.refused === 1 ? '' : 's'} since the last check for want of disk space`);
      this.refused = 0;
    }
    if (before?.state === next.state) return;
    if (next.message !== null) this.deps.debug(next.message);
    else if (before !== null) {
      const granting = before.state === 'refusing' || before.state === 'full' ? ': new licenses are granted again' : '';
      this.deps.debug(`Disk space for ${this.deps.folder} is back above the warning threshold${granting}.`);
    }
    this.deps.changed();
  }
}
