import type { ContractError, EventName, EventPayloads, MethodArgs, MethodName, MethodResult, Result, Transport } from '../../src/shared/contract';
import type { ServerStatus, UserStatus } from '../../src/shared/status';

type Handler<M extends MethodName> = (args: MethodArgs<M>) => MethodResult<M> | ContractError | Promise<MethodResult<M> | ContractError>;
export type Handlers = { [M in MethodName]?: Handler<M> };

function isError(value: unknown): value is ContractError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value && Object.keys(value).length === 2;
}

/** An in-memory Transport: answers from handlers, records calls, and emits events on demand. */
export function createFakeTransport(handlers: Handlers) {
  const calls: { method: MethodName; args: unknown }[] = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const transport: Transport = {
    async invoke<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>> {
      calls.push({ method, args });
      const handler = handlers[method] as Handler<M> | undefined;
      if (!handler) return { ok: false, error: { code: 'unsupported', message: `fake transport has no ${method}` } };
      const value = await handler(args);
      return isError(value) ? { ok: false, error: value } : { ok: true, value };
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
  const emit = <E extends EventName>(event: E, payload: EventPayloads[E]) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  const callsOf = (method: MethodName) => calls.filter((c) => c.method === method).map((c) => c.args);
  return { transport, calls, callsOf, emit };
}

export function user(name: string, over: Partial<UserStatus> = {}): UserStatus {
  return {
    user: name,
    host: 'ws1',
    display: '/dev/tty',
    version: '1.0',
    server: 'apple',
    port: 27000,
    handle: 101,
    startedAt: Date.UTC(2026, 10, 28, 9, 0),
    count: 1,
    linger: null,
    ...over,
  };
}

/** A triad seen from its master, Apple, with Banana down and one user on "compiler". */
export function triadStatus(over: Partial<ServerStatus> = {}): ServerStatus {
  const member = (host: string, rank: 'primary' | 'secondary' | 'tertiary', up: boolean, extra = {}) => ({
    host,
    hostid: '111dead',
    port: 27000,
    rank,
    up,
    master: false,
    self: false,
    heartbeatRttMs: up ? 0.8 : null,
    heartbeatAgeMs: up ? 300 : null,
    heartbeatLossPercent: up ? 0 : null,
    problem: up ? null : 'unreachable',
    ...extra,
  });
  return {
    takenAt: Date.UTC(2026, 10, 28, 10, 0),
    version: 'v1.0.0',
    host: 'apple',
    port: 27000,
    licenseFiles: ['/data/license.lic'],
    mode: 'triad',
    role: 'master',
    master: 'apple',
    quorum: true,
    members: [
      member('apple', 'primary', true, { master: true, self: true, heartbeatRttMs: null }),
      member('orange', 'secondary', true),
      member('banana', 'tertiary', false),
    ],
    vendors: [{ name: 'ibmratl', up: true, version: 'v1.0.0', problem: null }],
    features: [
      {
        name: 'compiler',
        vendor: 'ibmratl',
        version: '1.0',
        expiry: 'permanent',
        issued: 5,
        inUse: 1,
        kind: 'floating',
        lockedTo: null,
        vendorString: null,
        served: true,
        notServedReason: null,
        users: [user('alice')],
        reservations: [],
      },
    ],
    warnings: [],
    optionsProblems: [],
    ...over,
  };
}
