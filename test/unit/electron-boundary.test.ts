import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN.md: requiring 'electron' without its binary throws, so only main and preload may import it.
const root = join(__dirname, '../..');
const allowed = ['src/main/', 'src/preload/'];
const importsElectron = /(?:from\s+['"]electron(?:\/[^'"]*)?['"]|require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\))/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

describe('electron import boundary', () => {
  it('finds the rule working on a sample', () => {
    expect(importsElectron.test("import { app } from 'electron';")).toBe(true);
    expect(importsElectron.test("const e = require('electron')")).toBe(true);
    expect(importsElectron.test("import x from 'electron-vite'")).toBe(false);
  });

  it('no file outside src/main and src/preload imports electron', () => {
    const offenders = sourceFiles(join(root, 'src'))
      .map((file) => relative(root, file).split('\\').join('/'))
      .filter((file) => !allowed.some((prefix) => file.startsWith(prefix)))
      .filter((file) => importsElectron.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
