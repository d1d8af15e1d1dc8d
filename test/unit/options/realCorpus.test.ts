// Real options files collected from public sources (test/fixtures/real/options/SOURCES.md): none is
// refused, and every message points at FILE:LINE:COL with a hint.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOptionsFile } from '../../../src/core/options';
import { expectLocatedWithHint } from '../../support/locatedDiagnostics';

const dir = path.join(import.meta.dirname, '../../fixtures/real/options');
const files = readdirSync(dir).filter((name) => name.endsWith('.opt')).sort();
const sources = readFileSync(path.join(dir, 'SOURCES.md'), 'utf8');

describe('real options files (issue 15 corpus)', () => {
  it('holds at least 10 files, each with its source', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const name of files) expect(sources, name).toContain(`\`${name}\``);
  });

  it.each(files)('%s', (name) => {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const { diagnostics } = parseOptionsFile(text, name);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expectLocatedWithHint(diagnostics, name, text);
  });
});
