import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Main and preload run in Electron; the renderer is the same build the headless host serves.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: { rollupOptions: { input: { index: resolve('src/main/index.ts') } } },
  },
  // The window is sandboxed, and a sandboxed preload can neither be an ES module nor require
  // anything but 'electron': one self-contained CommonJS file (main loads preload/index.cjs).
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: { input: { index: resolve('src/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    base: './',
    plugins: [react()],
    // electron-vite leaves the renderer unminified; the headless host serves it over HTTP too
    // Fluent UI v9 alone is about 500 kB minified
    build: { minify: true, chunkSizeWarningLimit: 800, rollupOptions: { input: { index: resolve('src/renderer/index.html') } } },
  },
});
