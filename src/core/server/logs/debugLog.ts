import { appendFileSync } from 'node:fs';
import { formatDebugLogLine } from '../../../shared/debugLogText';

/**
 * The server's debug log: every line goes to SQLite (through `persist`), to the optional `-l`
 * text file, and to listeners (the UI's live view). Text lines use FlexNet's format
 * `H:MM:SS (daemon) message`, local time, hour not zero-padded (reference 5.2).
 */

export interface DebugLine {
  timeMs: number;
  daemon: string;
  message: string;
}

/** The `-l` file's line: the same FlexLM format the admin UI exports. */
export function formatDebugLine(line: DebugLine): string {
  return formatDebugLogLine({ time: line.timeMs, daemon: line.daemon, message: line.message });
}

export class DebugLog {
  private readonly listeners = new Set<(line: DebugLine) => void>();
  private fileProblemReported = false;

  constructor(
    private readonly persist: (line: DebugLine) => void,
    private readonly textFile: string | null,
    private readonly now: () => number,
  ) {}

  write(daemon: string, message: string): void {
    const line = { timeMs: this.now(), daemon, message };
    this.persist(line);
    if (this.textFile) {
      try {
        appendFileSync(this.textFile, formatDebugLine(line) + '\n');
      } catch (error) {
        // the SQLite copy is the record; a broken text mirror is reported once, not fatal
        if (!this.fileProblemReported) {
          this.fileProblemReported = true;
          const reason = error instanceof Error ? error.message : String(error);
          this.write('lmgrd', `Cannot write the debug log file ${this.textFile}: ${reason}`);
        }
      }
    }
    for (const listener of this.listeners) listener(line);
  }

  onLine(listener: (line: DebugLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
