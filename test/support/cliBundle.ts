import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { NODE_BUNDLE } from '../../scripts/nodeBundle.mjs';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Where bundles for child processes go: under node_modules so their bare imports resolve from the repo. */
export const BUNDLE_CACHE_DIR = path.join(repoRoot, 'node_modules', '.cache', 'triad-test');

const bundled = new Map<string, Promise<string>>();

/**
 * Bundles TypeScript entry points (output name → file) side by side into `outDir`, one ESM file
 * `<name>.mjs` each, as dist/ is built. Bundle under BUNDLE_CACHE_DIR so the bare imports (zod,
 * commander, better-sqlite3) resolve from the repo, and so tests never touch dist/ that other
 * people build.
 */
export async function bundleInto(outDir: string, entryPoints: Record<string, string>): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints,
    outdir: outDir,
    ...NODE_BUNDLE,
    logLevel: 'error',
  });
}

/** Bundles a TypeScript entry point into one ESM file for a child process (see bundleInto). */
export async function bundleForChildProcess(entryPoint: string, name: string): Promise<string> {
  const outName = `${name}-${process.pid}`;
  await bundleInto(BUNDLE_CACHE_DIR, { [outName]: entryPoint });
  return path.join(BUNDLE_CACHE_DIR, `${outName}.mjs`);
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
