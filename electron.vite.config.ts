import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Main and preload run in Electron; the renderer is the same build the headless host serves.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: { rollupOptions: { input: { index: resolve('src/main/index.ts') } } },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: { rollupOptions: { input: { index: resolve('src/preload/index.ts') } } },
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
