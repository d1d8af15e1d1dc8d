import type { z } from 'zod';

/**
 * Control characters in names a client chose (user, host, display, feature): the wire schemas
 * refuse them, and text outputs escape any that are already stored, so a name can neither forge
 * a line in the debug log or an export nor send escape sequences to a terminal through lmstat.
 * C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's job
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const everyControlCharacter = new RegExp(CONTROL_CHARACTERS.source, 'g');

/** The message a schema gives for a name with a control character. */
export const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters (line breaks, tabs, escape sequences)';

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** A string schema that refuses control characters (names in requests). */
export function printable(schema: z.ZodString) {
  return schema.refine((value) => !hasControlCharacters(value), CONTROL_CHARACTER_MESSAGE);
}

/** `\x1b`, `\n` and the like written out as visible text (`\x1b`, `\x0a`, `\u2028`). */
export function escapeControlCharacters(text: string): string {
  return text.replace(everyControlCharacter, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Every string inside a plain value (objects, arrays) with its control characters escaped. */
export function escapeControlCharactersDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeControlCharacters(value) as T;
  if (Array.isArray(value)) return value.map((item) => escapeControlCharactersDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, escapeControlCharactersDeep(item)])) as T;
  }
  return value;
}
