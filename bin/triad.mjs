#!/usr/bin/env node
// The `triad` command. The bundle is made by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('triad: the command is not built yet. Run `npm run build` in the Triad folder, then try again.');
  process.exit(2);
}
await import(pathToFileURL(bundle).href);
