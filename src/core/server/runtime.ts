import { performance } from 'node:perf_hooks';
import type { Instant } from '../instant';

export type { Instant };

/**
 * What a driver needs from the machine it runs on besides sockets and disk: two clocks and
 * timers. Injected, so the seeded simulation can run the real drivers on simulated time with
 * clocks that step and drift (test/sim).
 */

/**
 * Two clocks with different jobs. Every duration (leases, promises, election and heartbeat
 * timers, seat timeouts, lingers) is measured on `monoMs`, which never jumps; `wallMs` is only
 * for what people read (log lines, report rows, status) and for dates (expiry, START=).
 * `monoMs` starts anew with each process, so no deadline on it may be kept across a restart.
 */
export interface Clock {
  wallMs(): number;
  monoMs(): number;
}

export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monoMs: () => performance.now(),
};


export function instantOf(clock: Clock): Instant {
  return { wallMs: clock.wallMs(), monoMs: clock.monoMs() };
}

export type Cancel = () => void;

export interface Scheduler {
  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): Cancel;
  /** Runs `fn` once after `ms`. */
  after(ms: number, fn: () => void): Cancel;
  /** Runs `fn` once this turn's other work is done (setImmediate): a group commit's moment. */
  soon(fn: () => void): void;
}

export const nodeScheduler: Scheduler = {
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  soon(fn) {
    setImmediate(fn);
  },
};
