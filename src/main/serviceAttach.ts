import { readFileSync } from 'node:fs';
import path from 'node:path';

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

/**
 * The window attached to the service signs in by itself when this user can read the service's
 * admin token: the Windows service runs as LocalSystem, whose data folder (defaultDataDir) is in
 * the system profile, readable by an elevated administrator. Otherwise the window opens on the
 * sign-in page, which names that file.
 */
export function serviceWindowUrl(
  serviceUrl: string,
  env: NodeJS.ProcessEnv = process.env,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): string {
  const file = path.win32.join(env.SystemRoot ?? 'C:\\Windows', 'System32', 'config', 'systemprofile', 'AppData', 'Local', 'Triad', 'admin.token');
  try {
    const token = read(file).trim();
    if (/^[0-9a-f]{64}$/.test(token)) return `${serviceUrl}login#token=${token}`;
  } catch {
    // not readable without elevation: the sign-in page it is
  }
  return serviceUrl;
}
