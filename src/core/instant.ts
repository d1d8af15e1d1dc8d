/**
 * A point in time on both of a server's clocks, read once so that a request is judged at one
 * instant. `wallMs` (Date.now) is for dates and what people read: expiry, START=, grant times in
 * status and reports. `monoMs` (a monotonic clock) is for every duration: heartbeat timeouts,
 * LINGER, quorum leases and promises, which must not move when someone steps the wall clock.
 * `monoMs` starts anew with each process, so no deadline on it is ever kept across a restart.
 */
export interface Instant {
  wallMs: number;
  monoMs: number;
}
