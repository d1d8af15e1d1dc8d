import type { EventName, EventPayloads, MethodArgs, MethodName, MethodResult, Result, Transport } from '../../../shared/contract';

/**
 * The contract over the headless host: POST /api/<method> with JSON arguments returns the result
 * envelope; one EventSource on /api/events carries every event, named by event name.
 */
export function createHttpTransport(baseUrl = ''): Transport {
  let source: EventSource | null = null;
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  function ensureSource(event: EventName): EventSource {
    if (!source) {
      source = new EventSource(`${baseUrl}/api/events`);
      // EventSource reconnects by itself; events sent while it was away are lost, so a fresh
      // status snapshot is delivered on every reconnection.
      let dropped = false;
      source.addEventListener('error', () => (dropped = true));
      source.addEventListener('open', () => {
        if (!dropped) return;
        dropped = false;
        void transport.invoke('status.get', {}).then((result) => {
          if (result.ok) for (const listener of listeners.get('status') ?? []) listener(result.value);
        });
      });
    }
    if (!listeners.has(event)) {
      listeners.set(event, new Set());
      source.addEventListener(event, (message) => {
        const payload: unknown = JSON.parse((message as MessageEvent<string>).data);
        for (const listener of listeners.get(event) ?? []) listener(payload);
      });
    }
    return source;
  }

  const transport: Transport = {
    async invoke<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>> {
      try {
        const response = await fetch(`${baseUrl}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args ?? {}),
        });
        // not signed in (or the admin token was replaced since): the host's sign-in page
        if (response.status === 401) window.location.assign(`${baseUrl}/login`);
        return (await response.json()) as Result<MethodResult<M>>;
      } catch (error) {
        return {
          ok: false,
          error: {
            code: 'unreachable',
            message: `The Triad host did not answer (${error instanceof Error ? error.message : String(error)}). Check that it is still running, then reload.`,
          },
        };
      }
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      ensureSource(event);
      const set = listeners.get(event)!;
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
  };
  return transport;
}
