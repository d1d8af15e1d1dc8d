import type { EventName, EventPayloads, MethodArgs, MethodName, MethodResult, Result, Transport } from '../../../shared/contract';

/** What src/preload exposes as window.triad: exactly these two functions. */
export interface PreloadBridge {
  invoke(method: string, args: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

export function createIpcTransport(bridge: PreloadBridge): Transport {
  return {
    async invoke<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>> {
      try {
        return (await bridge.invoke(method, args)) as Result<MethodResult<M>>;
      } catch (error) {
        return { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
      }
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) {
      return bridge.on(event, listener as (payload: unknown) => void);
    },
  };
}
