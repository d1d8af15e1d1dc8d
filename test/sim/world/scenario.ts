import type { ServerMessage } from '../../../src/core/protocol';
import type { Rank } from '../../../src/core/quorum';
import type { Session } from '../../../src/core/server/licensing/listener';
import { FEATURE } from './licenses';
import type { SimMember } from './member';
import { TriadWorld, type TriadWorldOptions } from './triadWorld';

/** Helpers for scripted scenarios in the simulated world (the nemesis has its own runner). */

/** Runs in 10 ms steps until `condition` holds; a violation or the limit is returned as text. */
export async function runUntil(triad: TriadWorld, condition: () => boolean, limitMs: number): Promise<string | null> {
  const until = triad.world.now + limitMs;
  while (triad.world.now < until) {
    const violation = await triad.run(triad.world.now + 10);
    if (violation) return violation;
    if (condition()) return null;
  }
  return `condition not reached within ${limitMs} ms`;
}

/** Runs the world until `promise` settles (the code under test needs simulated time to answer). */
export async function settled<T>(triad: TriadWorld, promise: Promise<T>, limitMs = 10_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => (done = true));
  // its rejection is the caller's to see once this returns, not an unhandled one meanwhile
  watched.catch(() => {});
  const violation = await runUntil(triad, () => done, limitMs);
  if (violation) throw new Error(violation);
  return watched;
}

/** A member's debug-log lines without its own `Quorum:` events (quorumEvents.ts): FlexNet's story. */
export function flexnetLines(member: SimMember): string[] {
  return member.debugLines.filter((line) => !line.startsWith('(lmgrd) Quorum: '));
}

/** Ranks serving as master right now. */
export function serving(triad: TriadWorld): Rank[] {
  return triad.checker.masters().map((member) => member.rank);
}

/** Real time until `rank` serves, or null after `limitMs`. */
export async function timeUntilServing(triad: TriadWorld, rank: Rank, limitMs: number): Promise<number | null> {
  const from = triad.world.now;
  const violation = await runUntil(triad, () => serving(triad).includes(rank), limitMs);
  return violation === null ? triad.world.now - from : null;
}

/** A triad whose three members start together and whose primary is master (no clients unless asked). */
export async function startedTriad(options: TriadWorldOptions): Promise<TriadWorld> {
  const triad = new TriadWorld({ clients: 0, ...options });
  for (const member of triad.members) triad.world.at(member.rank * 100, () => member.start());
  const violation = await runUntil(triad, () => serving(triad)[0] === 0, 15_000);
  if (violation) throw new Error(violation);
  return triad;
}

const session: Session = {
  id: 'scenario',
  role: 'client',
  remoteAddress: '10.9.9.9:4000',
  remoteIp: '10.9.9.9',
  agent: 'scenario',
  send: () => {},
  closed: false,
};

/** A seat granted by `member` directly and held (never checked in); the checker knows of it. */
export async function holdSeat(triad: TriadWorld, member: SimMember, user: string): Promise<string> {
  const answer = await settled(triad, checkout(member, user));
  if (answer.type !== 'granted') throw new Error(`${user} was not granted a seat: ${JSON.stringify(answer)}`);
  triad.clients.told(answer.leaseId, answer.count);
  return answer.leaseId;
}

/** A heartbeat for `leaseId` asked of `member` on the scenario's connection (the one holdSeat used). */
export function heartbeat(member: SimMember, leaseId: string): Promise<ServerMessage> {
  return member.service!.handle({ type: 'heartbeat', id: 2, leaseIds: [leaseId] }, session);
}

/** A checkout asked of `member` directly (no redirects). */
export function checkout(member: SimMember, user: string): Promise<ServerMessage> {
  return member.service!.handle({ type: 'checkout', id: 1, feature: FEATURE, version: '1.0', count: 1, user, host: `${user}-ws`, display: ':0' }, session);
}

/** A checkin asked of `member` directly, on the scenario's connection. */
export function checkin(member: SimMember, leaseId: string): Promise<ServerMessage> {
  return member.service!.handle({ type: 'checkin', id: 3, leaseId }, session);
}

/**
 * Issue 14 finding 2: a seat committed on the primary and the tertiary only (the secondary cut
 * off), then the tertiary comes back with an empty disk, never hears the primary again, and the
 * primary dies. Returns the violation the run ends in, if any.
 */
export async function wipeTertiaryThenLoseMaster(triad: TriadWorld): Promise<string | null> {
  const [primary, secondary, tertiary] = triad.members;
  triad.network.cut(secondary.rank, primary.rank);
  triad.network.cut(secondary.rank, tertiary.rank);
  await holdSeat(triad, primary, 'ann');
  triad.network.cut(primary.rank, tertiary.rank);
  tertiary.crash();
  tertiary.wipeDisk();
  tertiary.start();
  await triad.run(triad.world.now + 500);
  primary.crash();
  triad.network.healAll();
  return triad.run(triad.world.now + 20_000);
}
