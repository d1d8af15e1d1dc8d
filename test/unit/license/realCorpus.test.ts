// Real license files collected from public sources (test/fixtures/real/license/SOURCES.md): every
// valid file is read without an error, and every message points at FILE:LINE:COL with a hint.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLicenseText, serializeLicenseFile } from '../../../src/core/license';
import { expectLocatedWithHint } from '../../support/locatedDiagnostics';

const dir = path.join(import.meta.dirname, '../../fixtures/real/license');
const files = readdirSync(dir).filter((name) => name.endsWith('.lic')).sort();
const sources = readFileSync(path.join(dir, 'SOURCES.md'), 'utf8');

/** Files that are not whole license files as published, with the errors they must get (SOURCES.md says why). */
const expectedErrors: Record<string, [line: number, message: RegExp][]> = {
  'flexnet-eug-v11-end-user-attributes.lic': [
    [1, /sample_app is counted \(20 licenses\), but the file has no SERVER line/],
    [3, /f1 is counted \(5 licenses\), but the file has no SERVER line/],
  ],
  'revenera-upgrade-lines.lic': [
    [1, /f1 is counted \(5 licenses\)/],
    [2, /f1 is counted \(2 licenses\)/],
  ],
  'mathworks-network-license-as-delivered.lic': [
    [6, /MATLAB is counted/],
    [8, /SIMULINK is counted/],
    [10, /Signal_Toolbox is counted/],
  ],
  'ptc-counted-locked.lic': [
    [8, /expiry date: "1" is not a date/],
    [8, /license count "0D7E7537EF83397984B3" is not a number/],
  ],
};

describe('real license files (issue 15 corpus)', () => {
  it('holds at least 30 files from at least 10 vendors, each with its source', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    const vendors = new Set(files.flatMap((name) => parseLicenseText(readFileSync(path.join(dir, name), 'utf8'), name).file.vendors.map((v) => v.name)));
    expect(vendors.size).toBeGreaterThanOrEqual(10);
    for (const name of files) expect(sources, name).toContain(`\`${name}\``);
  });

  it.each(files)('%s', (name) => {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const { file, diagnostics } = parseLicenseText(text, name);
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.message] as const);
    const expected = expectedErrors[name] ?? [];
    expect(errors).toHaveLength(expected.length);
    expected.forEach(([line, message], i) => {
      expect(errors[i]![0]).toBe(line);
      expect(errors[i]![1]).toMatch(message);
    });
    expectLocatedWithHint(diagnostics, name, text);
    // unchanged lines are written back as read
    expect(serializeLicenseFile(file)).toBe(text);
  });
});
