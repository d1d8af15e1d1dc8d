/** `--listen HOST:PORT`, `:PORT`, `PORT` or `[::1]:PORT`; the host defaults to 127.0.0.1. */
export function parseListen(text: string): { ok: true; host: string; port: number } | { ok: false; error: string } {
  const match = /^(?:(?:\[([^\]]+)\]|([^:]*)):)?(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) return { ok: false, error: 'expected HOST:PORT, e.g. 127.0.0.1:8090' };
  return { ok: true, host: match[1] ?? (match[2] || '127.0.0.1'), port };
}
