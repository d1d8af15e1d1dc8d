import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// One project per test kind (DESIGN.md): pure units, seeded simulation, real sockets,
// React components against a fake transport, and headless Chromium end-to-end.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'core', environment: 'node', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'sim', environment: 'node', include: ['test/sim/**/*.test.ts'], testTimeout: 600_000 } },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        plugins: [react()],
        test: { name: 'renderer', environment: 'happy-dom', include: ['test/renderer/**/*.test.tsx'] },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
