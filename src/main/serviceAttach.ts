/** Where the headless service answers, and how the desktop app finds it. */
export const SERVICE_LISTEN = { host: '127.0.0.1', port: 8090 } as const;

/** The service's admin UI URL when a Triad service answers on this machine, else null. */
export async function findRunningService(timeoutMs = 1_000): Promise<string | null> {
  const url = `http://${SERVICE_LISTEN.host}:${SERVICE_LISTEN.port}/`;
  try {
    const response = await fetch(`${url}api/status.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { ok?: unknown };
    return typeof body.ok === 'boolean' ? url : null;
  } catch {
    return null;
  }
}
