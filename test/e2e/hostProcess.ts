/**
 * Child processes for the e2e tests: the headless host and the `triad` CLI, bundled from source
 * with esbuild into node_modules/.cache (never dist/, which others build). This folder is compiled
 * with the renderer's tsconfig, so it reaches src/core and src/host only through these bundles.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliBundle, hostBundle } from '../support/cliBundle';

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const rendererDir = path.join(repoRoot, 'out/renderer');

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A port nobody listens on right now (the system picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A headless host on a free loopback port that makes a demo license for 127.0.0.1 (any host id) in `dataDir` and serves it on `licensePort`. */
export async function demoHostArgs(dataDir: string, licensePort: number): Promise<string[]> {
  return ['--listen', `127.0.0.1:${await freePort()}`, '--data', dataDir, '--demo-host', '127.0.0.1', '--hostid', 'ANY', '--port', String(licensePort)];
}

export interface Child {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function spawnChild(file: string, args: string[]): Child {
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const wakers = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const wake of wakers) wake();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
      for (const wake of wakers) wake();
    }),
  );
  return {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const done = (settle: () => void) => {
          clearTimeout(timer);
          wakers.delete(check);
          settle();
        };
        const check = () => {
          const match = pattern.exec(text);
          if (match) return done(() => resolve(match));
          if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`exited before printing ${pattern}:\n${text}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${text}`))), timeoutMs);
        wakers.add(check);
        check();
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export { removeBundles } from '../support/cliBundle';

/** `triad ARGS` from source. */
export async function runTriad(args: string[]): Promise<Child> {
  return spawnChild(await cliBundle(), args);
}

/** The headless host from source, without waiting for it to serve (for its refusals). */
export async function runHost(args: string[]): Promise<Child> {
  return spawnChild(await hostBundle(), args);
}

export interface HostProcess extends Child {
  url: string;
  /** The sign-in link the host printed (it carries the admin token). */
  signInUrl: string;
  /** The admin token, for `Authorization: Bearer` in API calls. */
  token: string;
}

/** Starts the headless host (with the built renderer unless `apiOnly`) and waits for its URL. */
export async function startHost(args: string[], options: { apiOnly?: boolean } = {}): Promise<HostProcess> {
  if (!options.apiOnly && !existsSync(path.join(rendererDir, 'index.html')))
    throw new Error('The renderer is not built: run `npm run build` before the e2e tests.');
  const renderer = options.apiOnly ? path.join(tmpdir(), 'triad-no-renderer') : rendererDir;
  const host = await runHost(['--renderer', renderer, ...args]);
  try {
    const [, url] = await host.waitFor(/Triad admin UI on (http\S+)/, 30_000);
    const [, signInUrl, token] = await host.waitFor(/Sign in: (http\S+#token=([0-9a-f]+))/, 30_000);
    return { ...host, url: url!, signInUrl: signInUrl!, token: token! };
  } catch (error) {
    await host.stop();
    throw error;
  }
}
