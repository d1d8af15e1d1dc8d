import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');

const bundled = new Map<string, Promise<string>>();

/**
 * Bundles a TypeScript entry point into one ESM file for a child process. The bundle goes under
 * node_modules/.cache so its bare imports (zod, commander, better-sqlite3) resolve from the repo,
 * and so tests never touch dist/ that other people build.
 */
export async function bundleForChildProcess(entryPoint: string, name: string): Promise<string> {
  const outDir = path.join(repoRoot, 'node_modules', '.cache', 'triad-test');
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `${name}-${process.pid}.mjs`);
  await build({
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}

/** One bundle of `entry` (relative to the repository) per test process. */
function bundleOnce(name: string, entry: string): Promise<string> {
  let bundle = bundled.get(name);
  if (!bundle) {
    bundle = bundleForChildProcess(path.join(repoRoot, entry), name);
    bundled.set(name, bundle);
  }
  return bundle;
}

/** The `triad` CLI (or `lmutil`) bundled for child processes. */
export function cliBundle(entry: 'cli' | 'lmutil' = 'cli'): Promise<string> {
  return bundleOnce(entry, `src/cli/${entry === 'cli' ? 'index' : entry}.ts`);
}

/** The headless host (license server plus admin API), as `node dist/host.mjs` runs it. */
export function hostBundle(): Promise<string> {
  return bundleOnce('host', 'src/host/index.ts');
}

/** Deletes this test process's bundles (call in afterAll, after its children have exited). */
export async function removeBundles(): Promise<void> {
  for (const made of bundled.values()) rmSync(await made, { force: true });
  bundled.clear();
}
