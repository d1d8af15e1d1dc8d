import type { z } from 'zod';

export type Decoded<T> = { ok: true; value: T } | { ok: false; message: string };

// one decoder for every frame: decode() without `stream` starts afresh each call
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Payload bytes -> JSON value, once per frame (transport/framedConnection.ts). Malformed UTF-8
 * or JSON comes back as a one-line message for the peer's error frame and the debug log.
 */
export function parsePayload(payload: Uint8Array): Decoded<unknown> {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(payload)) };
  } catch {
    return { ok: false, message: 'frame is not UTF-8 JSON' };
  }
}

/** JSON value -> typed message; a schema mismatch names the first wrong field. Nothing here throws. */
export function validateMessage<S extends z.ZodType>(value: unknown, schema: S): Decoded<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, message: `invalid message${where}: ${issue?.message ?? 'unknown problem'}` };
}
