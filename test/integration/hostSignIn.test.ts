// The headless host's admin API needs the admin token: a browser signs in at /login (session
// cookie), scripts send it as a bearer token. /metrics stays open for Prometheus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminCaller } from '../../src/core/backend';
import { HTTP_MAX_CONNECTIONS_PER_ADDRESS, isLoopback, startHttpHost, type HostedApi, type HttpHost } from '../../src/host/httpHost';

const token = 'a'.repeat(64);
let host: HttpHost;
let calls = 0;

const logListeners = new Set<(payload: unknown) => void>();
const callers: AdminCaller[] = [];
const api: HostedApi = {
  invoke: async () => {
    throw new Error('the host calls invokeAs');
  },
  invokeAs: async (caller) => {
    calls++;
    callers.push(caller);
    return { ok: true, value: 'done' } as never;
  },
  on: (event, listener) => {
    if (event !== 'log') return () => true;
    logListeners.add(listener as (payload: unknown) => void);
    return () => logListeners.delete(listener as (payload: unknown) => void);
  },
};

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${host.url}${path.replace(/^\//, '')}`, { headers, redirect: 'manual' });
const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${host.url}${path.replace(/^\//, '')}`, { method: 'POST', body, headers, redirect: 'manual' });
const callApi = (headers: Record<string, string> = {}) => post('/api/status.get', '{}', { 'content-type': 'application/json', ...headers });
/** What the sign-in page's script does with the printed link's #token: POST it with the form. */
const signIn = (value = token) => post('/login', `token=${value}`, { 'content-type': 'application/x-www-form-urlencoded' });
const sessionOf = async () => (await signIn()).headers.get('set-cookie')!.split(';')[0]!;

beforeAll(async () => {
  host = await startHttpHost({
    api,
    metrics: () => [],
    adminToken: token,
    adminTokenFile: '/var/lib/triad/admin.token',
    rendererDir: null,
    host: '127.0.0.1',
    port: 0,
  });
});

afterAll(async () => {
  await host?.close();
});

describe('headless host sign-in', () => {
  it('answers nothing of the admin API without the token, but serves /metrics', async () => {
    const refused = await callApi();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await get('/api/events')).status).toBe(401);
    const page = await get('/');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    expect((await get('/metrics')).status).toBe(200);
    expect(calls).toBe(0);
  });

  it('shows a sign-in form that names the token file', async () => {
    const form = await get('/login');
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('<form id="sign-in" method="post" action="/login">');
    expect(html).toContain('/var/lib/triad/admin.token');
    expect(form.headers.get('content-security-policy')).toMatch(/script-src 'self'.*frame-ancestors 'none'/);
  });

  it('scripts pass with the bearer token, and only with the right one; the audit hears from where', async () => {
    expect((await callApi({ authorization: `Bearer ${token}` })).status).toBe(200);
    expect(callers.at(-1)).toEqual({ who: 'admin API (token)', from: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect((await callApi({ authorization: `Bearer ${'b'.repeat(64)}` })).status).toBe(401);
    expect((await callApi({ authorization: `Bearer ${token.slice(1)}` })).status).toBe(401);
  });

  it('the printed link carries the token in its #fragment; the page posts it and the browser gets a random session cookie', async () => {
    expect(host.signInUrl).toBe(`${host.url}login#token=${token}`);
    // the page's script takes the fragment out of the address and the history, then posts the form
    const script = await (await get('/login.js')).text();
    expect(script).toContain('history.replaceState');
    expect(script).toContain("getElementById('sign-in').submit()");
    const signedIn = await signIn();
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/');
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^triad_admin=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
    expect(cookie).not.toContain(token);
    // a server-side session: every sign-in gets its own
    expect((await signIn()).headers.get('set-cookie')).not.toBe(cookie);
    const session = cookie.split(';')[0]!;
    expect((await callApi({ cookie: session })).status).toBe(200);
    expect(callers.at(-1)).toEqual({ who: 'admin UI (browser)', from: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    // past the sign-in wall: no renderer is built here, so the page itself is a 404
    expect((await get('/', { cookie: session })).status).toBe(404);
    expect((await callApi({ cookie: 'triad_admin=' + 'c'.repeat(64) })).status).toBe(401);
  });

  it('does not take a token from the address, where it would stay in the browser history', async () => {
    const page = await get(`/login?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(await page.text()).toMatch(/not taken from the address/);
  });

  it('signing out ends the session on the host, and the browser is told to forget it', async () => {
    const session = await sessionOf();
    const own = new URL(host.url).origin;
    expect((await post('/logout', '', { cookie: session, origin: 'http://elsewhere.example' })).status).toBe(403);
    const out = await post('/logout', '', { cookie: session, origin: own });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect(out.headers.get('set-cookie')).toMatch(/^triad_admin=; .*Max-Age=0/);
    expect((await callApi({ cookie: session })).status).toBe(401);
  });

  it('no page of the host may be framed by another site', async () => {
    for (const response of [await get('/login'), await get('/'), await callApi(), await get('/metrics')]) {
      expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('refuses API calls a page of another site makes, even with a session', async () => {
    const session = await sessionOf();
    const own = new URL(host.url).origin;
    expect((await callApi({ cookie: session, origin: own })).status).toBe(200);
    expect((await callApi({ cookie: session, origin: 'http://rebound.example:8090' })).status).toBe(403);
    expect((await callApi({ cookie: session, origin: 'null' })).status).toBe(403);
  });

  it('locks an address out after five wrong tokens, yet still lets the right token in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signIn(`wrong${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const locked = await (await signIn('wrong-again')).text();
    expect(locked).toMatch(/Too many wrong tokens from [\d.:a-f]+; try again in \d+ s\./);
    // the token is 256 random bits: the lockout only stops noise, it must not lock the admin out
    expect((await signIn()).status).toBe(303);
  });

  it('drops an event stream whose reader stopped reading instead of buffering without bound', async () => {
    const { request } = await import('node:http');
    const url = new URL(host.url);
    const closed = await new Promise<boolean>((resolve) => {
      const req = request({ host: url.hostname, port: url.port, path: '/api/events', headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.pause(); // reads nothing from here on
        res.once('close', () => resolve(true));
        res.once('error', () => resolve(true));
        const line = { id: 1, time: 0, daemon: 'lmgrd', message: 'x'.repeat(1_000) };
        // ~20 MB of events towards a reader that does not read
        for (let i = 0; i < 20_000; i++) for (const listener of logListeners) listener(line);
        setTimeout(() => resolve(false), 5_000);
      });
      req.on('error', () => resolve(true));
      req.end();
    });
    expect(closed).toBe(true);
    expect(logListeners.size).toBe(0);
  });

  it('one address cannot hold every connection of the host; another is still served', async () => {
    const net = await import('node:net');
    const url = new URL(host.url);
    const connect = (localAddress: string) =>
      new Promise<import('node:net').Socket>((resolve) => {
        const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress }, () => resolve(socket));
        socket.on('error', () => {});
      });
    const held = await Promise.all(Array.from({ length: HTTP_MAX_CONNECTIONS_PER_ADDRESS }, () => connect('127.0.0.2')));
    const extra = await connect('127.0.0.2');
    const cut = await new Promise<boolean>((resolve) => {
      extra.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    expect(cut).toBe(true);
    expect((await get('/metrics')).status).toBe(200);
    for (const socket of held) socket.destroy();
  });

  it('treats only literal loopback addresses as loopback', () => {
    expect(['127.0.0.1', '127.0.0.2', '::1', 'localhost', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(['127.0.0.1.example.net', '0.0.0.0', '10.0.0.1', '::', 'example.com'].map(isLoopback)).toEqual([false, false, false, false, false]);
  });
});
