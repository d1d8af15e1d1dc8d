import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Per-member wall clocks for the chaos drills, with Debian's libfaketime: each member runs with
 * LD_PRELOAD=libfaketime and its own offset file, read again on every clock call
 * (FAKETIME_NO_CACHE), so writing the file steps that member's `Date.now()` at once. The
 * monotonic clock (`performance.now()`, timers) is left alone (FAKETIME_DONT_FAKE_MONOTONIC):
 * exactly what an NTP step or an administrator's `date -s` does to a running machine.
 *
 * The offset file survives the member's restarts, so a member comes back with the clock it had.
 * Every change is kept with the real time it took effect, to turn the member's wall-clock times
 * (report log rows) back into real time.
 */

export const FAKETIME_LIBRARY = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** Why member clocks cannot be stepped here, or null when they can. */
export function faketimeSupport(): string | null {
  if (process.platform !== 'linux') return 'wall-clock steps need Linux and libfaketime';
  if (!existsSync(FAKETIME_LIBRARY)) return `libfaketime is not installed (${FAKETIME_LIBRARY} is missing): apt-get install -y faketime`;
  return null;
}

export interface OffsetChange {
  /** Real time (this process's clock) the offset took effect. */
  atMs: number;
  offsetMs: number;
}

export class MemberClocks {
  private readonly files: string[];
  private readonly changes: OffsetChange[][];

  constructor(dir: string, members: number, now: () => number = Date.now) {
    mkdirSync(dir, { recursive: true });
    this.files = Array.from({ length: members }, (_, m) => path.join(dir, `clock-${m}.faketime`));
    this.changes = this.files.map(() => [{ atMs: now(), offsetMs: 0 }]);
    this.files.forEach((_, m) => this.write(m, 0));
  }

  /** The environment that puts member `m` on its own clock. */
  env(m: number): Record<string, string> {
    return {
      LD_PRELOAD: FAKETIME_LIBRARY,
      FAKETIME_TIMESTAMP_FILE: this.files[m],
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }

  offsetMs(m: number): number {
    return this.history(m).at(-1)!.offsetMs;
  }

  history(m: number): readonly OffsetChange[] {
    return this.changes[m];
  }

  /** Moves member `m`'s clock by `deltaMs` (whole seconds; negative steps it back). */
  step(m: number, deltaMs: number, now = Date.now()): void {
    this.set(m, this.offsetMs(m) + deltaMs, now);
  }

  /** Puts member `m`'s clock `offsetMs` away from real time (whole seconds). */
  set(m: number, offsetMs: number, now = Date.now()): void {
    const rounded = Math.round(offsetMs / 1000) * 1000;
    this.write(m, rounded);
    this.changes[m].push({ atMs: now, offsetMs: rounded });
  }

  private write(m: number, offsetMs: number): void {
    const seconds = Math.round(offsetMs / 1000);
    // renamed into place: the member reads the file on every clock call, never a half-written one
    const temporary = `${this.files[m]}.new`;
    writeFileSync(temporary, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
    renameSync(temporary, this.files[m]);
  }
}

/**
 * The real time of a row a member stamped `memberTimeMs`, first seen by a reader between
 * `seenFrom` and `seenAt` (real time): the offset in force then that puts the row inside that
 * window (the latest such offset when two do), else the window's end. Pure.
 */
export function toRealTime(memberTimeMs: number, seenFrom: number, seenAt: number, history: readonly OffsetChange[], slackMs = 2_000): number {
  let best: number | null = null;
  for (let i = 0; i < history.length; i++) {
    const change = history[i];
    const until = history[i + 1]?.atMs ?? Infinity;
    // this offset was in force at some point of the window (with slack for the write delay)
    if (change.atMs > seenAt || until < seenFrom - slackMs) continue;
    const real = memberTimeMs - change.offsetMs;
    if (real >= Math.max(change.atMs, seenFrom - slackMs) - 1 && real <= Math.min(until, seenAt) + 1) best = real;
  }
  return best ?? seenAt;
}
