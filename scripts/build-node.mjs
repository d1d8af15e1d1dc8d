// Bundles the Node entry points (CLI, headless host, bench, chaos) into dist/.
// electron-vite builds main/preload/renderer into out/; these run under plain Node.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { NODE_BUNDLE } from './nodeBundle.mjs';

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
  ...NODE_BUNDLE,
  sourcemap: true,
  logLevel: 'warning',
});
