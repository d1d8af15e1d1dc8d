import { spawn, type ChildProcess } from 'node:child_process';

/**
 * One running driver program (README.md beside this file): commands go to its stdin; each
 * command gets exactly one answer line, in order; `EVENT ...` lines arrive whenever the client
 * library reports something (resumed, lost).
 */
export class Driver {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  private readonly answers: string[] = [];
  private readonly answerWaiters: ((line: string | null) => void)[] = [];
  private readonly lineWaiters = new Set<() => void>();
  readonly exited: Promise<number | string>;
  private ended = false;

  private constructor(
    readonly language: string,
    private readonly child: ChildProcess,
  ) {
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.take(line);
    });
    let errPartial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const parts = (errPartial + chunk.toString('utf8')).split('\n');
      errPartial = parts.pop() ?? '';
      this.stderr.push(...parts);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.ended = true;
        for (const waiter of this.answerWaiters.splice(0)) waiter(null);
        for (const wake of this.lineWaiters) wake();
        resolve(code ?? signal ?? 'unknown');
      });
    });
  }

  static start(language: string, command: string, args: string[], env: NodeJS.ProcessEnv): Driver {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin!.on('error', () => {}); // a killed driver's stdin breaks; the test sees its exit instead
    return new Driver(language, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private take(line: string): void {
    this.lines.push(line);
    if (!line.startsWith('EVENT ')) {
      const waiter = this.answerWaiters.shift();
      if (waiter) waiter(line);
      else this.answers.push(line);
    }
    for (const wake of this.lineWaiters) wake();
  }

  /** Sends a command and resolves with its answer line. */
  call(command: string, timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.ended) return reject(new Error(`${this.language} driver has exited (${this.describe()}); cannot send "${command}"`));
      const timer = setTimeout(() => {
        const index = this.answerWaiters.indexOf(settle);
        if (index >= 0) this.answerWaiters.splice(index, 1);
        reject(new Error(`${this.language} driver: no answer to "${command}" within ${timeoutMs} ms (${this.describe()})`));
      }, timeoutMs);
      const settle = (line: string | null) => {
        clearTimeout(timer);
        if (line === null) reject(new Error(`${this.language} driver exited while answering "${command}" (${this.describe()})`));
        else resolve(line);
      };
      const ready = this.answers.shift();
      if (ready !== undefined) settle(ready);
      else this.answerWaiters.push(settle);
      this.child.stdin!.write(`${command}\n`);
    });
  }

  /** Resolves with the first line (answer or event) matching pattern. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.find((line) => pattern.test(line));
        if (found !== undefined) return done(() => resolve(found));
        if (this.ended) done(() => reject(new Error(`${this.language} driver exited before printing ${pattern} (${this.describe()})`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.language} driver: no line matching ${pattern} within ${timeoutMs} ms (${this.describe()})`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.lineWaiters.delete(check);
        settle();
      };
      this.lineWaiters.add(check);
      check();
    });
  }

  events(pattern: RegExp = /./): string[] {
    return this.lines.filter((line) => line.startsWith('EVENT ') && pattern.test(line));
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Asks the driver to quit (it checks in what it holds) and resolves with its exit code. */
  async quit(timeoutMs = 20_000): Promise<number | string> {
    if (!this.ended) this.child.stdin!.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  describe(): string {
    return `stdout: ${this.lines.slice(-20).join(' | ')}; stderr: ${this.stderr.slice(-30).join('\n')}`;
  }
}

/** Fields of `GRANTED name lease port@host` / `EVENT name RESUMED lease port@host`. */
export function seatOf(line: string): { lease: string; port: number; host: string } {
  const match = /^(?:GRANTED \S+|EVENT \S+ (?:RESUMED|REGRANTED)) (\S+) (\d+)@(\S+)$/.exec(line);
  if (!match) throw new Error(`not a grant: ${line}`);
  return { lease: match[1]!, port: Number(match[2]), host: match[3]! };
}
