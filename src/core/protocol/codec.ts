import type { z } from 'zod';

export type Decoded<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Payload bytes -> typed message. Malformed UTF-8/JSON and schema mismatches come back as a
 * one-line message for the peer's error frame and the debug log; nothing here throws.
 */
export function decodeMessage<S extends z.ZodType>(payload: Uint8Array, schema: S): Decoded<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { ok: false, message: 'frame is not UTF-8 JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, message: `invalid message${where}: ${issue?.message ?? 'unknown problem'}` };
}
