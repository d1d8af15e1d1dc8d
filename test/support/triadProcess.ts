import { spawn, type ChildProcess } from 'node:child_process';
import { cliBundle } from './cliBundle';

/** A `triad ...` child process with its output collected line by line. */
export interface TriadChild {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the first stdout line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
}

export interface SpawnOptions {
  /** Written to the command's standard input, which is then closed (without it, stdin is empty). */
  input?: string;
  /** Working folder of the command (default: the test's). */
  cwd?: string;
}

export async function spawnTriad(args: string[], env: NodeJS.ProcessEnv = {}, options: SpawnOptions = {}): Promise<TriadChild> {
  const bundle = await cliBundle();
  const { input, cwd } = options;
  const child = spawn(process.execPath, [bundle, ...args], {
    env: { ...process.env, ...env },
    cwd,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      into.push(...parts);
      for (const wake of waiters) wake();
    };
  };
  child.stdout!.on('data', collect(stdout));
  child.stderr!.on('data', collect(stderr));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
      for (const wake of waiters) wake();
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const waitForLine = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = stdout.find((line) => pattern.test(line));
        if (found !== undefined) return done(() => resolve(found));
        if (hasExited || child.exitCode !== null || child.signalCode !== null) {
          return done(() => reject(new Error(`triad ${args.join(' ')} exited before printing ${pattern}; stderr: ${stderr.join('\n')}`)));
        }
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for ${pattern}; stdout: ${stdout.join('\n')}; stderr: ${stderr.join('\n')}`))),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  return { child, stdout, stderr, waitForLine, exited };
}

/** Stops a child if it is still running (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopChild(triad: TriadChild, graceMs = 5_000): Promise<number | string> {
  const { child } = triad;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const result = await triad.exited;
    clearTimeout(timer);
    return result;
  }
  return triad.exited;
}
