// Bundles the Node entry points (CLI, headless host, bench, chaos) into dist/.
// electron-vite builds main/preload/renderer into out/; these run under plain Node.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = {
  cli: 'src/cli/index.ts',
  lmutil: 'src/cli/lmutil.ts',
  host: 'src/host/index.ts',
  bench: 'bench/index.ts',
  chaos: 'bench/chaos.ts',
  soak: 'bench/soak.ts',
};

const present = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
await build({
  entryPoints: present,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
