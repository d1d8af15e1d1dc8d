import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ContractError, EventName, EventPayloads, MethodArgs, MethodName, MethodResult, Transport } from '../../shared/contract';

const TransportContext = createContext<Transport | null>(null);

export function TransportProvider({ transport, children }: { transport: Transport; children: ReactNode }) {
  return <TransportContext.Provider value={transport}>{children}</TransportContext.Provider>;
}

export function useTransport(): Transport {
  const transport = useContext(TransportContext);
  if (!transport) throw new Error('useTransport outside TransportProvider');
  return transport;
}

export type QueryState<T> =
  | { state: 'loading'; value: T | null; error: null }
  | { state: 'ok'; value: T; error: null }
  | { state: 'error'; value: T | null; error: ContractError };

/**
 * Calls a method when the component mounts (and when `key` changes); keeps the last value while
 * reloading so screens do not flash. `set` lets event handlers replace the value live.
 */
export function useQuery<M extends MethodName>(method: M, args: MethodArgs<M>, key = '') {
  const transport = useTransport();
  const [query, setQuery] = useState<QueryState<MethodResult<M>>>({ state: 'loading', value: null, error: null });
  const argsRef = useRef(args);
  argsRef.current = args;
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setQuery((q) => ({ state: 'loading', value: q.value, error: null }));
    const result = await transport.invoke(method, argsRef.current);
    if (mine !== generation.current) return;
    setQuery((q) => (result.ok ? { state: 'ok', value: result.value, error: null } : { state: 'error', value: q.value, error: result.error }));
  }, [transport, method]);

  useEffect(() => {
    void reload();
  }, [reload, key]);

  const set = useCallback((value: MethodResult<M>) => {
    generation.current += 1;
    setQuery({ state: 'ok', value, error: null });
  }, []);
  return { ...query, reload, set };
}

/**
 * Runs a method on demand (a button): `busy` while it runs, `error` when it failed. Returns the
 * value, or null after a failure (the error is already in state for the screen to show).
 */
export function useAction() {
  const transport = useTransport();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const run = useCallback(
    async <M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M> | null> => {
      setBusy(method);
      setError(null);
      try {
        const result = await transport.invoke(method, args);
        if (result.ok) return result.value;
        setError(result.error);
        return null;
      } finally {
        setBusy(null);
      }
    },
    [transport],
  );
  return { run, busy, error, clearError: () => setError(null) };
}

export function useEvent<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
  const transport = useTransport();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => transport.on(event, (payload) => ref.current(payload)), [transport, event]);
}
