// The headless host's admin API needs the admin token: a browser signs in at /login (session
// cookie), scripts send it as a bearer token. /metrics stays open for Prometheus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminCaller } from '../../src/core/backend';
import { isLoopback, startHttpHost, type HostedApi, type HttpHost } from '../../src/host/httpHost';

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
    expect(html).toContain('<form method="post" action="/login">');
    expect(html).toContain('/var/lib/triad/admin.token');
  });

  it('scripts pass with the bearer token, and only with the right one; the audit hears from where', async () => {
    expect((await callApi({ authorization: `Bearer ${token}` })).status).toBe(200);
    expect(callers.at(-1)).toEqual({ who: 'admin API (token)', from: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect((await callApi({ authorization: `Bearer ${'b'.repeat(64)}` })).status).toBe(401);
    expect((await callApi({ authorization: `Bearer ${token.slice(1)}` })).status).toBe(401);
  });

  it('the printed link signs a browser in with a session cookie that opens the API', async () => {
    const signedIn = await get(`/login?token=${token}`);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/');
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^triad_admin=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=\/$/);
    // the cookie is not the token itself
    expect(cookie).not.toContain(token);
    const session = cookie.split(';')[0]!;
    expect((await callApi({ cookie: session })).status).toBe(200);
    expect(callers.at(-1)).toEqual({ who: 'admin UI (browser)', from: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    // past the sign-in wall: no renderer is built here, so the page itself is a 404
    expect((await get('/', { cookie: session })).status).toBe(404);
    expect((await callApi({ cookie: 'triad_admin=' + 'c'.repeat(64) })).status).toBe(401);
  });

  it('refuses API calls a page of another site makes, even with a session', async () => {
    const session = (await get(`/login?token=${token}`)).headers.get('set-cookie')!.split(';')[0]!;
    const own = new URL(host.url).origin;
    expect((await callApi({ cookie: session, origin: own })).status).toBe(200);
    expect((await callApi({ cookie: session, origin: 'http://rebound.example:8090' })).status).toBe(403);
    expect((await callApi({ cookie: session, origin: 'null' })).status).toBe(403);
  });

  it('the pasted token signs in through the form (POST)', async () => {
    const signedIn = await post('/login', `token=${token}`, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('set-cookie')).toMatch(/^triad_admin=/);
  });

  it('locks an address out after five wrong tokens, yet still lets the right token in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(`/login?token=wrong${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const locked = await (await get('/login?token=wrong-again')).text();
    expect(locked).toMatch(/Too many wrong tokens from [\d.:a-f]+; try again in \d+ s\./);
    // the token is 256 random bits: the lockout only stops noise, it must not lock the admin out
    expect((await get(`/login?token=${token}`)).status).toBe(303);
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

  it('treats only literal loopback addresses as loopback', () => {
    expect(['127.0.0.1', '127.0.0.2', '::1', 'localhost', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(['127.0.0.1.example.net', '0.0.0.0', '10.0.0.1', '::', 'example.com'].map(isLoopback)).toEqual([false, false, false, false, false]);
  });
});
