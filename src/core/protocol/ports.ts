/**
 * FlexLM's default lmgrd ports, 27000-27009: a server whose SERVER line names no port binds the
 * first free one, and a client told `@host` (or a bare host name) tries them in the same order.
 */
export const DEFAULT_PORTS: readonly number[] = Array.from({ length: 10 }, (_, i) => 27000 + i);
/** The port a bare host name in a license path means. */
export const DEFAULT_PORT = DEFAULT_PORTS[0]!;
