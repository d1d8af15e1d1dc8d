// Starts a command from its bundle in dist/, made by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export async function runBundle(command, bundleName) {
  const bundle = fileURLToPath(new URL(`../dist/${bundleName}.mjs`, import.meta.url));
  if (!existsSync(bundle)) {
    console.error(`${command}: the command is not built yet. Run \`npm run build\` in the Triad folder, then try again.`);
    process.exit(2);
  }
  await import(pathToFileURL(bundle).href);
}
