import { appendFileSync } from 'node:fs';

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

export function formatDebugLine(line: DebugLine): string {
  const at = new Date(line.timeMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${at.getHours()}:${two(at.getMinutes())}:${two(at.getSeconds())} (${line.daemon}) ${line.message}`;
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
