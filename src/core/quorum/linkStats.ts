/**
 * Heartbeat round trips and losses on one peer link, for the status and the "slow or lossy link"
 * warning (the seed: redundant servers belong on one site and subnet, never on slow networks).
 */

const WINDOW = 20;

export interface LinkStats {
  /** Send times of the last WINDOW heartbeats and whether each was answered. */
  recent: { sentAt: number; acked: boolean }[];
  rttMs: number | null;
}

export function emptyLinkStats(): LinkStats {
  return { recent: [], rttMs: null };
}

export function recordHeartbeatSent(stats: LinkStats, sentAt: number): void {
  stats.recent.push({ sentAt, acked: false });
  if (stats.recent.length > WINDOW) stats.recent.shift();
}

export function recordHeartbeatAck(stats: LinkStats, sentAt: number, nowMs: number): void {
  const sent = stats.recent.find((entry) => entry.sentAt === sentAt);
  if (!sent || sent.acked) return;
  sent.acked = true;
  stats.rttMs = Math.max(0, Math.round(nowMs - sentAt));
}

/** Share of heartbeats lost: unanswered after `lostAfterMs`. Null until one has resolved. */
export function lossPercent(stats: LinkStats, nowMs: number, lostAfterMs: number): number | null {
  const resolved = stats.recent.filter((entry) => entry.acked || nowMs - entry.sentAt >= lostAfterMs);
  if (resolved.length === 0) return null;
  const lost = resolved.filter((entry) => !entry.acked).length;
  return Math.round((lost / resolved.length) * 100);
}

/** A link is too slow when a round trip eats a quarter of the heartbeat interval. */
export function linkWarning(
  host: string,
  rttMs: number | null,
  loss: number | null,
  heartbeatMs: number,
): string | null {
  const slow = rttMs !== null && rttMs > heartbeatMs / 4;
  const lossy = loss !== null && loss >= 10;
  if (!slow && !lossy) return null;
  const facts = [slow ? `heartbeat round trip ${rttMs} ms` : null, lossy ? `${loss}% of heartbeats lost` : null]
    .filter((fact) => fact !== null)
    .join(', ');
  return (
    `The link to ${host} is too slow or lossy for reliable failover (${facts}). ` +
    'Keep the three servers on one site and subnet, on a stable network.'
  );
}
