import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles a Node entry point for child processes, once per test process. The bundle goes under
 * node_modules/.cache so its bare imports (zod, commander, better-sqlite3) resolve from the repo,
 * and so tests never touch dist/ that other people build.
 */
function bundle(name: string, entry: string): Promise<string> {
  let made = bundles.get(name);
  if (!made) {
    made = (async () => {
      const outDir = path.join(repoRoot, 'node_modules', '.cache', 'triad-test');
      mkdirSync(outDir, { recursive: true });
      const outfile = path.join(outDir, `${name}-${process.pid}.mjs`);
      await build({
        entryPoints: [path.join(repoRoot, entry)],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        packages: 'external',
        logLevel: 'error',
      });
      return outfile;
    })();
    bundles.set(name, made);
  }
  return made;
}

/** The `triad` CLI. */
export function cliBundle(): Promise<string> {
  return bundle('cli', 'src/cli/index.ts');
}

/** The headless host (license server plus admin API), as `node dist/host.mjs` runs it. */
export function hostBundle(): Promise<string> {
  return bundle('host', 'src/host/index.ts');
}
