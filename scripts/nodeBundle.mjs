// How code that runs under plain Node is bundled: dist/ (build-node.mjs) and the tests' child
// processes (test/support/cliBundle.ts) use the same settings, so a test runs what dist/ holds.
/** @type {import('esbuild').BuildOptions} */
export const NODE_BUNDLE = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
};
