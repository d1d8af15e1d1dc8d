// The renderer's two transports: HTTP (fetch + EventSource, the headless host) and IPC (preload).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpTransport } from '../../src/renderer/src/transport/httpTransport';
import { createIpcTransport } from '../../src/renderer/src/transport/ipcTransport';
import { triadStatus } from './fakeTransport';

class FakeEventSource {
  static last: FakeEventSource | null = null;
  readonly handlers = new Map<string, ((e: { data?: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(name: string, handler: (e: { data?: string }) => void) {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler]);
  }
  fire(name: string, data?: unknown) {
    for (const handler of this.handlers.get(name) ?? []) handler(data === undefined ? {} : { data: JSON.stringify(data) });
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('HTTP transport', () => {
  it('POSTs JSON arguments to /api/<method> and returns the envelope', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ ok: true, value: { value: '27000@a' } })));
    vi.stubGlobal('fetch', fetchMock);
    const result = await createHttpTransport('http://host:8090').invoke('client.export', { platform: 'unix' });
    expect(result).toEqual({ ok: true, value: { value: '27000@a' } });
    expect(fetchMock).toHaveBeenCalledWith('http://host:8090/api/client.export', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"platform":"unix"}',
    });
  });

  it('sends the browser to the sign-in page when the host asks for the admin token', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { assign });
    const envelope = { ok: false, error: { code: 'unauthorized', message: 'Sign in first' } };
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(envelope), { status: 401 }));
    const result = await createHttpTransport('http://host:8090').invoke('status.get', {});
    expect(result).toEqual(envelope);
    expect(assign).toHaveBeenCalledWith('http://host:8090/login');
  });

  it('turns a dead host into an `unreachable` envelope instead of throwing', async () => {
    vi.stubGlobal('fetch', async () => Promise.reject(new TypeError('Failed to fetch')));
    const result = await createHttpTransport().invoke('status.get', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unreachable' } });
  });

  it('delivers named server-sent events, one stream for all, and a fresh status after a reconnection', async () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const fresh = triadStatus({ role: 'standby' });
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ ok: true, value: fresh })));
    const transport = createHttpTransport();
    const statuses: unknown[] = [];
    const logs: unknown[] = [];
    const off = transport.on('status', (s) => statuses.push(s));
    transport.on('log', (l) => logs.push(l));
    const source = FakeEventSource.last!;
    expect(source.url).toBe('/api/events');
    source.fire('log', { id: 1, time: 0, daemon: 'lmgrd', message: 'x' });
    expect(logs).toEqual([{ id: 1, time: 0, daemon: 'lmgrd', message: 'x' }]);
    source.fire('error');
    source.fire('open');
    await vi.waitFor(() => expect(statuses).toEqual([fresh]));
    off();
    source.fire('status', triadStatus());
    expect(statuses).toHaveLength(1);
  });
});

describe('IPC transport', () => {
  it('forwards to the preload bridge and wraps a rejected invoke in an envelope', async () => {
    const listeners: ((p: unknown) => void)[] = [];
    const bridge = {
      invoke: vi.fn(async (method: string) => (method === 'status.get' ? { ok: true, value: 1 } : Promise.reject(new Error('No handler registered')))),
      on: vi.fn((_event: string, listener: (p: unknown) => void) => {
        listeners.push(listener);
        return () => undefined;
      }),
    };
    const transport = createIpcTransport(bridge);
    expect(await transport.invoke('status.get', {})).toEqual({ ok: true, value: 1 });
    expect(await transport.invoke('client.get', {})).toEqual({ ok: false, error: { code: 'internal', message: 'No handler registered' } });
    const got: unknown[] = [];
    transport.on('clientConfig', (c) => got.push(c));
    expect(bridge.on).toHaveBeenCalledWith('clientConfig', expect.any(Function));
    listeners[0]!({ useLicenseServer: true, entries: [] });
    expect(got).toEqual([{ useLicenseServer: true, entries: [] }]);
  });
});
