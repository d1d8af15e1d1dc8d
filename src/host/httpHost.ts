import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import type { AdminCaller } from '../core/backend';
import { eventNames, isMethodName, type MethodArgs, type MethodName, type MethodResult, type Result, type Transport } from '../shared/contract';
import { AdminSession } from './adminSession';
import { loginPage, loginPagePolicy, loginScript } from './loginPage';
import { serveStatic } from './staticFiles';
import type { MetricFamily } from '../core/metrics';
import { sendMetrics } from '../core/metrics/metricsEndpoint';
import { listenHttp } from '../core/transport/httpListener';

/**
 * The admin contract over HTTP for browsers (DESIGN.md section 2): POST /api/<method> with a JSON
 * body answers the result envelope; GET /api/events is a server-sent-event stream with one event
 * per contract event; everything else is the built renderer.
 *
 * Everything but /login (and its script) and /metrics needs the admin token (AdminSession): a
 * browser signs in at /login (by POST: the token never sits in a URL) and then carries a session
 * cookie until it signs out (POST /logout) or the session expires; scripts send
 * `Authorization: Bearer TOKEN`. No page of this host may be framed by another.
 * Connections are capped in all and per source address, so one local process cannot hold them all.
 * Besides, POSTs to the API must be `application/json` (a cross-site form cannot send that
 * without a CORS preflight, which we never grant), and on a loopback address the Host header
 * must name the loopback (defeats DNS rebinding).
 *
 * GET /metrics answers the OpenMetrics exposition (read-only, for Prometheus).
 */
/** The admin API as the host calls it: on behalf of the browser or script that asked. */
export interface HostedApi extends Transport {
  invokeAs<M extends MethodName>(caller: AdminCaller, method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>>;
}

export interface HttpHostOptions {
  api: HostedApi;
  /** The admin token (DATA/admin.token): the API answers only requests that carry it. */
  adminToken: string;
  /** Where the token is, named on the sign-in page. */
  adminTokenFile: string;
  /** The families GET /metrics shows (OpenMetrics or Prometheus text, as asked); without it /metrics is not served. */
  metrics?: () => readonly MetricFamily[];
  /** Folder holding the built renderer (index.html); null serves the API only. */
  rendererDir: string | null;
  host: string;
  port: number;
}

export interface HttpHost {
  url: string;
  /** Opens a browser session: the sign-in link, with the token in its #fragment (never sent to a server). */
  signInUrl: string;
  server: Server;
  close(): Promise<void>;
}

const maxBodyBytes = 10 * 1024 * 1024;
const maxSignInBodyBytes = 4 * 1024;
const maxEventBacklogBytes = 1024 * 1024;
const keepAliveMs = 15_000;
/** Connections the host keeps open at once, and from one source address (event streams stay open). */
export const HTTP_MAX_CONNECTIONS = 256;
export const HTTP_MAX_CONNECTIONS_PER_ADDRESS = 64;

function sendJson(res: ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { ok: false, error: { code: 'bad-request', message } });
}

async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const signInPath = '/login';

const loopbackHosts = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

/** No Origin (a script, not a browser), or the Origin of a page this host served. */
function fromOwnPage(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** A literal loopback address (or `localhost`): a name that merely starts with "127." is not one. */
export function isLoopback(address: string): boolean {
  if (address === 'localhost') return true;
  if (isIPv4(address)) return address.startsWith('127.');
  return isIPv6(address) && (address === '::1' || /^::ffff:127\./i.test(address));
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const rendererDir = options.rendererDir ? resolve(options.rendererDir) : null;
  const streams = new Set<ServerResponse>();
  const guardHost = isLoopback(options.host);
  const session = new AdminSession(options.adminToken);

  /**
   * GET /login shows the form (whose script signs in with a printed link's #token); POST /login
   * signs in. A token in the query is not taken: it would stay in the browser's history.
   */
  async function handleSignIn(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const inQuery = query.has('token')
        ? 'The token is not taken from the address, where it would stay in the browser history: paste it below, or open the link the host prints now ' +
          '(…/login#token=…).'
        : null;
      return sendLoginPage(res, 200, inQuery);
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const body = await readBody(req, maxSignInBodyBytes);
    if (body === null) return refuse(res, 413, 'The sign-in form is larger than it can be.');
    const token = new URLSearchParams(body).get('token');
    if (token === null) return sendLoginPage(res, 200, null);
    const outcome = session.signIn(token, req.socket.remoteAddress ?? 'unknown');
    if (!outcome.ok) return sendLoginPage(res, outcome.status, outcome.message);
    // 303: the browser leaves the token behind and loads the admin UI with its new cookie
    res.writeHead(303, { location: '/', 'set-cookie': outcome.cookie, 'cache-control': 'no-store' }).end();
  }

  function sendLoginPage(res: ServerResponse, status: number, problem: string | null): void {
    const html = loginPage(problem, options.adminTokenFile);
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      'cache-control': 'no-store',
      'content-security-policy': loginPagePolicy,
    });
    res.end(html);
  }

  /** POST /logout (from the admin UI's own page): the session ends here and in the browser. */
  function handleSignOut(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') return refuse(res, 405, 'Sign out with POST /logout.');
    if (!fromOwnPage(req)) return refuse(res, 403, 'Only the admin UI served by this host may sign out of it.');
    res.writeHead(303, { location: signInPath, 'set-cookie': session.signOut(req), 'cache-control': 'no-store' }).end();
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, credential: 'token' | 'session'): Promise<void> {
    if (req.method !== 'POST') return refuse(res, 405, `Use POST for /api/${method}.`);
    // a browser names the page that sent a POST: only the admin UI's own pages may
    if (!fromOwnPage(req)) return refuse(res, 403, 'Only the admin UI served by this host may call its API from a browser.');
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return refuse(res, 415, 'Send the arguments as JSON with Content-Type: application/json.');
    }
    if (!isMethodName(method)) {
      return sendJson(res, 404, { ok: false, error: { code: 'unknown-method', message: `There is no method "${method}".` } });
    }
    const body = await readBody(req);
    if (body === null) return refuse(res, 413, `The request body is larger than ${maxBodyBytes / 1024 / 1024} MB.`);
    let args: unknown;
    try {
      args = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      return refuse(res, 400, 'The request body is not valid JSON.');
    }
    // The API validates the arguments itself (the same check for IPC and HTTP).
    const caller = {
      who: credential === 'token' ? 'admin API (token)' : 'admin UI (browser)',
      from: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`,
    };
    sendJson(res, 200, await options.api.invokeAs(caller, method, args as never));
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    // a browser that stops reading is dropped rather than buffered without bound; EventSource
    // reconnects by itself and then asks for a fresh status
    const send = (text: string) => {
      if (res.writableLength > maxEventBacklogBytes) res.destroy();
      else res.write(text);
    };
    const unsubscribe = eventNames.map((name) => options.api.on(name, (payload) => send(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)));
    const keepAlive = setInterval(() => send(': keep-alive\n\n'), keepAliveMs);
    streams.add(res);
    req.on('close', () => {
      clearInterval(keepAlive);
      for (const off of unsubscribe) off();
      streams.delete(res);
    });
  }

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    // no page of this host inside another's frame (clickjacking the Stop button)
    res.setHeader('content-security-policy', "frame-ancestors 'none'");
    res.setHeader('x-frame-options', 'DENY');
    if (guardHost && !loopbackHosts.test(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('This admin UI answers only on its loopback address.\n');
      return;
    }
    const api = /^\/api\/([^/?#]+)/.exec(url);
    const [path, query = ''] = url.split('?', 2) as [string, string?];
    const work = async () => {
      if (path === signInPath) return handleSignIn(req, res, new URLSearchParams(query));
      if (path === '/login.js' && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': Buffer.byteLength(loginScript), 'cache-control': 'no-store' });
        res.end(loginScript);
        return;
      }
      if (path === '/logout') return handleSignOut(req, res);
      if (options.metrics && path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
        return sendMetrics(req, res, options.metrics());
      }
      const credential = session.credential(req);
      if (credential === null) {
        if (api) {
          return sendJson(res, 401, {
            ok: false,
            error: { code: 'unauthorized', message: `Sign in first: open ${signInPath} or send the admin token as "Authorization: Bearer TOKEN".` },
          });
        }
        res.writeHead(303, { location: signInPath, 'cache-control': 'no-store' }).end();
        return;
      }
      if (api?.[1] === 'events' && req.method === 'GET') return handleEvents(req, res);
      if (api) return handleApi(req, res, decodeURIComponent(api[1]!), credential);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      if (!rendererDir || !(await serveStatic(rendererDir, url, res))) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('The admin UI is not built. Run `npm run build`, then reload.\n');
      }
    };
    work().catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } });
      } else res.destroy();
    });
  });

  server.maxConnections = HTTP_MAX_CONNECTIONS;
  const perAddress = new Map<string, number>();
  server.on('connection', (socket) => {
    const ip = socket.remoteAddress ?? '?';
    const open = perAddress.get(ip) ?? 0;
    if (open >= HTTP_MAX_CONNECTIONS_PER_ADDRESS) {
      socket.destroy();
      return;
    }
    perAddress.set(ip, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(ip) ?? 1) - 1;
      if (left > 0) perAddress.set(ip, left);
      else perAddress.delete(ip);
    });
  });

  const url = `${await listenHttp(server, options.host, options.port)}/`;
  return {
    url,
    signInUrl: `${url}login#token=${options.adminToken}`,
    server,
    close: async () => {
      for (const res of streams) res.end();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
