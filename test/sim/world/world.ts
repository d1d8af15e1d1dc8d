import type { Cancel, Clock, Scheduler } from '../../../src/core/server/runtime';
import { EventQueue } from './eventQueue';
import { Prng } from './prng';

/**
 * The simulated world the real triad code runs in (TigerBeetle style): one event queue in
 * simulated real time, a seeded PRNG, a trace. Members get their clocks and timers from here
 * (SimClock, memberScheduler), so nothing the code under test does depends on the host.
 *
 * The code under test is asynchronous (the licensing service awaits commits), so after every
 * event the world yields one macrotask: every promise chain the event started settles before the
 * next event runs, which keeps a run deterministic for its seed.
 */

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Something events belong to: when its life ends (a crash), its events are dropped. */
export interface Lifetime {
  /** Incarnation: events of an earlier one are dropped. */
  readonly life: number;
  /** A paused process runs nothing until then (its clocks go on). */
  pausedUntil: number;
  /** Slow disk: after each group commit the process is blocked this long (an fsync). */
  diskLatencyMs: number;
}

export class SimWorld {
  now = 0;
  readonly rng: Prng;
  private readonly queue = new EventQueue<() => void>();
  /** What each paused owner's timers and sockets hold until its pause ends. */
  private readonly held = new Map<Lifetime, { timer: (() => void)[]; io: (() => void)[] }>();
  private readonly traceLines: string[] = [];
  /** Called after every event (and its promise chains); throws SimViolation to end the run. */
  afterEvent: () => void = () => {};

  constructor(
    seed: number,
    private readonly fullTrace = false,
  ) {
    this.rng = new Prng(seed);
  }

  at(timeMs: number, run: () => void): void {
    this.queue.push(Math.max(timeMs, this.now), run);
  }

  /**
   * Runs `run` at `timeMs` in `owner`'s life only, and not while it is paused. What a pause held
   * runs when it ends as Node's event loop would: due timers first, then what arrived on the
   * sockets (`io`: deliveries, requests), a millisecond later.
   */
  atFor(owner: Lifetime, timeMs: number, run: () => void, kind: 'timer' | 'io' = 'timer'): void {
    const life = owner.life;
    const attempt = () => {
      if (owner.life !== life) return;
      if (this.now < owner.pausedUntil) return this.hold(owner, attempt, kind);
      run();
    };
    this.at(timeMs, attempt);
  }

  /** Ends `owner`'s pause now (the nemesis heals everything): what it held runs at once. */
  resume(owner: Lifetime): void {
    owner.pausedUntil = 0;
    this.wake(owner);
  }

  private hold(owner: Lifetime, attempt: () => void, kind: 'timer' | 'io'): void {
    let held = this.held.get(owner);
    if (!held) {
      held = { timer: [], io: [] };
      this.held.set(owner, held);
      this.at(owner.pausedUntil, () => this.wake(owner));
    }
    held[kind].push(attempt);
  }

  private wake(owner: Lifetime): void {
    const held = this.held.get(owner);
    if (!held) return;
    // the pause grew meanwhile (a slow fsync after another): wait for its new end
    if (this.now < owner.pausedUntil) return this.at(owner.pausedUntil, () => this.wake(owner));
    this.held.delete(owner);
    for (const attempt of held.timer) this.at(this.now, attempt);
    for (const attempt of held.io) this.at(this.now + 1, attempt);
  }

  /** Runs events up to and including `untilMs`. */
  async runUntil(untilMs: number): Promise<void> {
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > untilMs) break;
      const { at, event } = this.queue.pop()!;
      this.now = at;
      event();
      await settle();
      this.afterEvent();
    }
    this.now = Math.max(this.now, untilMs);
  }

  trace(line: string): void {
    this.traceLines.push(`${(this.now / 1000).toFixed(3).padStart(8)}s ${line}`);
    if (!this.fullTrace && this.traceLines.length > 600) this.traceLines.splice(0, 300);
  }

  traceText(lastLines = Infinity): string {
    return this.traceLines.slice(-lastLines).join('\n');
  }
}

/**
 * A machine's clocks. The wall clock keeps its offset across restarts and can be stepped by any
 * amount; the monotonic clock restarts near zero with every process (as performance.now() does)
 * and never jumps. Both run at `rate` (drift within the bound the quorum assumes).
 */
export class SimClock implements Clock {
  /** Both clocks read `base + (now - since) * rate`; a rate change re-anchors them. */
  private since = 0;
  private wallBase: number;
  private monoBase = 0;

  constructor(
    private readonly world: SimWorld,
    private rateNow: number,
    wallOrigin: number,
  ) {
    this.wallBase = wallOrigin;
  }

  /** Whole milliseconds, as Date.now() gives them. */
  wallMs(): number {
    return Math.floor(this.wallBase + (this.world.now - this.since) * this.rateNow);
  }

  monoMs(): number {
    return this.monoBase + (this.world.now - this.since) * this.rateNow;
  }

  get rate(): number {
    return this.rateNow;
  }

  /** The oscillator drifts: both clocks run at `rate` from now on (no jump). */
  set rate(rate: number) {
    this.anchor();
    this.rateNow = rate;
  }

  /** A new process: its monotonic clock starts at a few hundred ms (the time it took to start). */
  processStarted(): void {
    this.anchor();
    this.monoBase = this.world.rng.between(50, 500);
  }

  /** Someone (NTP, an admin, a VM resume) sets the wall clock: `deltaMs` forward or back. */
  stepWall(deltaMs: number): void {
    this.anchor();
    this.wallBase += deltaMs;
  }

  private anchor(): void {
    this.wallBase += (this.world.now - this.since) * this.rateNow;
    this.monoBase += (this.world.now - this.since) * this.rateNow;
    this.since = this.world.now;
  }
}

/** The timers of one process life: gone with it, held while it is paused, slowed by a slow disk. */
export function memberScheduler(world: SimWorld, owner: Lifetime): Scheduler {
  return {
    every(ms, fn): Cancel {
      let cancelled = false;
      const tick = () => {
        if (cancelled) return;
        fn();
        world.atFor(owner, world.now + ms, tick);
      };
      // timers of a new process start at a random phase, as real ones would
      world.atFor(owner, world.now + world.rng.between(0, ms), tick);
      return () => (cancelled = true);
    },
    after(ms, fn): Cancel {
      let cancelled = false;
      world.atFor(owner, world.now + ms, () => {
        if (!cancelled) fn();
      });
      return () => (cancelled = true);
    },
    soon(fn) {
      world.atFor(owner, world.now, () => {
        fn();
        // a slow fsync blocks the whole process after the group commit
        if (owner.diskLatencyMs > 0) owner.pausedUntil = Math.max(owner.pausedUntil, world.now + owner.diskLatencyMs);
      }, 'io');
    },
  };
}
