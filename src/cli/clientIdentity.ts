import os from 'node:os';

/** Who a client command checks out as: what FlexLM clients send about themselves. */

/** The login name; some service accounts have none (no passwd entry), and then USER or `unknown`. */
export function loginName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || process.env.USERNAME || 'unknown';
  }
}

/** What FlexLM clients send as the display: the X display, else the terminal, else `console`. */
export function defaultDisplay(): string {
  return process.env.DISPLAY || (process.stdin.isTTY ? '/dev/tty' : 'console');
}
