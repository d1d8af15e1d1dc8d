import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AdminLockout } from '../core/server/adminLockout';
import { sameSecret } from '../core/store/secrets';

/**
 * Who may use the headless host's admin API: whoever holds the admin token (DATA/admin.token,
 * the same token `triad lmdown` needs). Scripts send it as `Authorization: Bearer TOKEN`; a
 * browser signs in once (the link the host prints, or the token pasted into /login) and then
 * carries an HttpOnly, SameSite=Strict session cookie. The cookie is an HMAC of the token, so it
 * is worthless elsewhere and dies when the token is replaced. A page of another site, even one
 * that rebinds its name to this address, has no cookie for this host and cannot sign in.
 */
export const sessionCookieName = 'triad_admin';

export type SignIn = { ok: true; cookie: string } | { ok: false; status: 401 | 429; message: string };

export class AdminSession {
  private readonly sessionValue: string;

  constructor(
    private readonly token: string,
    private readonly lockout = new AdminLockout(),
    private readonly now: () => number = Date.now,
  ) {
    this.sessionValue = createHmac('sha256', token).update('triad admin UI session').digest('hex');
  }

  /** What admitted the request: the token itself (a script), a session cookie (a browser), or nothing. */
  credential(req: IncomingMessage): 'token' | 'session' | null {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && sameSecret(auth.slice('Bearer '.length).trim(), this.token)) return 'token';
    const cookie = cookieValue(req.headers.cookie, sessionCookieName);
    return cookie !== null && sameSecret(cookie, this.sessionValue) ? 'session' : null;
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
      return { ok: true, cookie: `${sessionCookieName}=${this.sessionValue}; HttpOnly; SameSite=Strict; Path=/` };
    }
    const locked = this.lockout.lockedUntil(address, now) ?? this.lockout.recordFailure(address, now);
    if (locked !== null) {
      return { ok: false, status: 429, message: `Too many wrong tokens from ${address}; try again in ${Math.ceil((locked - now) / 1000)} s.` };
    }
    return { ok: false, status: 401, message: 'That is not the admin token of this server.' };
  }
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
