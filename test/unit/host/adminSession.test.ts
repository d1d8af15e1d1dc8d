import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AdminSession, SESSION_IDLE_MS, SESSION_MAX_MS } from '../../../src/host/adminSession';

/** Browser sessions of the headless host are server-side, random, and end (issue 20). */

const token = 'd'.repeat(64);
const request = (cookie: string): IncomingMessage => ({ headers: { cookie } }) as IncomingMessage;

function signedIn(clock: { now: number }) {
  const sessions = new AdminSession(token, undefined, () => clock.now);
  const outcome = sessions.signIn(token, '127.0.0.1');
  if (!outcome.ok) throw new Error(outcome.message);
  return { sessions, cookie: outcome.cookie.split(';')[0]! };
}

describe('admin UI sessions', () => {
  it('end after SESSION_IDLE_MS without a request, however young', () => {
    const clock = { now: 1_000 };
    const { sessions, cookie } = signedIn(clock);
    clock.now += SESSION_IDLE_MS - 1;
    expect(sessions.credential(request(cookie))).toBe('session');
    clock.now += SESSION_IDLE_MS - 1;
    expect(sessions.credential(request(cookie))).toBe('session');
    clock.now += SESSION_IDLE_MS;
    expect(sessions.credential(request(cookie))).toBeNull();
    // gone for good, even if the clock went back
    clock.now -= SESSION_IDLE_MS;
    expect(sessions.credential(request(cookie))).toBeNull();
  });

  it('end SESSION_MAX_MS after sign-in, however busy', () => {
    const clock = { now: 0 };
    const { sessions, cookie } = signedIn(clock);
    while (clock.now + SESSION_IDLE_MS / 2 < SESSION_MAX_MS) {
      clock.now += SESSION_IDLE_MS / 2;
      expect(sessions.credential(request(cookie))).toBe('session');
    }
    clock.now = SESSION_MAX_MS;
    expect(sessions.credential(request(cookie))).toBeNull();
  });

  it('sign-out ends only that session', () => {
    const clock = { now: 0 };
    const { sessions, cookie } = signedIn(clock);
    const other = sessions.signIn(token, '127.0.0.1');
    if (!other.ok) throw new Error('expected a sign-in');
    expect(sessions.signOut(request(cookie))).toMatch(/Max-Age=0/);
    expect(sessions.credential(request(cookie))).toBeNull();
    expect(sessions.credential(request(other.cookie.split(';')[0]!))).toBe('session');
  });
});
