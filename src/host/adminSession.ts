import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AdminLockout } from '../core/server/licensing/adminLockout';
import { sameSecret } from '../core/store/secrets';

/**
 * Who may use the headless host's admin API: whoever holds the admin token (DATA/admin.token,
 * the same token `triad lmdown` needs). Scripts send it as `Authorization: Bearer TOKEN`; a
 * browser signs in once (the link the host prints carries the token in its #fragment, which
 * never reaches a server or the history's URL; or the token pasted into /login) and then carries
 * an HttpOnly, SameSite=Strict cookie naming a session kept here: random, ended by signing out,
 * by SESSION_IDLE_MS without a request, or SESSION_MAX_MS after sign-in. The cookie is worthless
 * to another host on another port of the same machine (it keeps its own sessions) and after the
 * host restarts.
 */
export const sessionCookieName = 'triad_admin';

/** A session nobody used for this long is over. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** However busy, a session ends this long after its sign-in. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/** Sessions kept at most; a further sign-in ends the oldest (only token holders can sign in). */
const MAX_SESSIONS = 64;

export type SignIn = { ok: true; cookie: string } | { ok: false; status: 401 | 429; message: string };

interface Session {
  startedAt: number;
  lastSeenAt: number;
}

export class AdminSession {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly token: string,
    private readonly lockout = new AdminLockout(),
    private readonly now: () => number = Date.now,
  ) {}

  /** What admitted the request: the token itself (a script), a live session cookie (a browser), or nothing. */
  credential(req: IncomingMessage): 'token' | 'session' | null {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && sameSecret(auth.slice('Bearer '.length).trim(), this.token)) return 'token';
    const id = cookieValue(req.headers.cookie, sessionCookieName);
    const session = id === null ? undefined : this.sessions.get(id);
    if (!session || id === null) return null;
    const now = this.now();
    if (now - session.lastSeenAt >= SESSION_IDLE_MS || now - session.startedAt >= SESSION_MAX_MS) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeenAt = now;
    return 'session';
  }

  /**
   * A sign-in with `token` from `address`. Wrong tokens lock the address out for a while (only
   * noise: the token is 256 random bits); the right token is let in even then, so nobody can lock
   * the administrator out.
   */
  signIn(token: string, address: string): SignIn {
    const now = this.now();
    if (sameSecret(token.trim(), this.token)) {
      this.lockout.recordSuccess(address);
      if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
      const id = randomBytes(32).toString('hex');
      this.sessions.set(id, { startedAt: now, lastSeenAt: now });
      return { ok: true, cookie: `${sessionCookieName}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MAX_MS / 1000}` };
    }
    const locked = this.lockout.lockedUntil(address, now) ?? this.lockout.recordFailure(address, now);
    if (locked !== null) {
      return { ok: false, status: 429, message: `Too many wrong tokens from ${address}; try again in ${Math.ceil((locked - now) / 1000)} s.` };
    }
    return { ok: false, status: 401, message: 'That is not the admin token of this server.' };
  }

  /** Signs out: the request's session ends here; returns the cookie that clears it in the browser. */
  signOut(req: IncomingMessage): string {
    const id = cookieValue(req.headers.cookie, sessionCookieName);
    if (id !== null) this.sessions.delete(id);
    return `${sessionCookieName}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
