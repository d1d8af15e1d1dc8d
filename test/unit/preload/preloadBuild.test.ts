import { resolveConfig } from 'electron-vite';
import path from 'node:path';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';

/**
 * The window's preload runs sandboxed, where Electron loads it as a classic script: an ES module
 * fails, and `require` reaches nothing but 'electron' (no relative files, no node_modules). So
 * the preload build, made in memory from electron.vite.config.ts, must be one CommonJS file named
 * as the main process loads it (preload/index.cjs, see shell.test.ts).
 */
describe('the preload build', () => {
  it('is a single self-contained CommonJS file that requires only electron', async () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const resolved = await resolveConfig({ root, logLevel: 'silent' }, 'build', 'production');
    const preload = resolved.config?.preload;
    expect(preload).toBeDefined();
    const result = await build({ ...preload, configFile: false, logLevel: 'silent', build: { ...preload!.build, write: false } });
    const output = (Array.isArray(result) ? result : [result as Rolldown.RolldownOutput]).flatMap((bundle) => bundle.output);
    expect(output.map((file) => file.fileName)).toEqual(['index.cjs']);
    const chunk = output[0] as Rolldown.OutputChunk;
    expect(chunk.imports).toEqual(['electron']);
    expect(chunk.code).toContain('require("electron")');
    expect(chunk.code).not.toMatch(/^\s*(import|export)\b/m);
    expect([...chunk.code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
  });
});
