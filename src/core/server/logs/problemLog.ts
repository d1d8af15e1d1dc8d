/**
 * Connection problems (limit breaches, bad input) for the debug log, without letting a flood
 * flood the log: the first problem of each kind in a window is logged with its details; the
 * others of that kind are counted and summed up in one line when the window ends. Every problem
 * is counted for /metrics, logged or not.
 */

export type ConnectionProblemKind =
  | 'max_connections'
  | 'hello_timeout'
  | 'idle_timeout'
  | 'frame_too_large'
  | 'slow_reader'
  | 'bad_message'
  | 'unsupported_version'
  | 'role_unavailable'
  | 'reply_too_large'
  | 'handler_error'
  | 'tls_handshake'
  | 'listener_error';

export const PROBLEM_WINDOW_MS = 10_000;

interface Window {
  suppressed: number;
  timer: NodeJS.Timeout;
  /** What the summary line calls these problems. */
  subject: string;
}

export class ProblemLog {
  private readonly totals = new Map<ConnectionProblemKind, number>();
  private readonly windows = new Map<ConnectionProblemKind, Window>();

  constructor(
    private readonly write: (message: string) => void,
    private readonly windowMs = PROBLEM_WINDOW_MS,
  ) {}

  /** `subject` names the kind in the summary line, e.g. "connections refused over the limit". */
  report(kind: ConnectionProblemKind, message: string, subject: string): void {
    this.totals.set(kind, (this.totals.get(kind) ?? 0) + 1);
    const open = this.windows.get(kind);
    if (open) {
      open.suppressed += 1;
      return;
    }
    this.write(message);
    const timer = setTimeout(() => this.closeWindow(kind), this.windowMs);
    timer.unref();
    this.windows.set(kind, { suppressed: 0, timer, subject });
  }

  private closeWindow(kind: ConnectionProblemKind): void {
    const window = this.windows.get(kind);
    if (!window) return;
    this.windows.delete(kind);
    clearTimeout(window.timer);
    if (window.suppressed > 0) {
      this.write(
        `${window.suppressed} more ${window.subject} in the last ${Math.round(this.windowMs / 1000)} s (logged once per ${Math.round(this.windowMs / 1000)} s)`,
      );
    }
  }

  /** Problems of each kind since the listener started, logged or not. */
  get counts(): ReadonlyMap<ConnectionProblemKind, number> {
    return this.totals;
  }

  /** Writes the pending summaries now (the listener is closing). */
  flush(): void {
    for (const kind of [...this.windows.keys()]) this.closeWindow(kind);
  }
}
