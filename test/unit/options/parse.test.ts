import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fuzzSettings } from '../../support/fuzzSettings';
import { describe, expect, it } from 'vitest';
import { parseOptionsFile } from '../../../src/core/options';

const fixture = readFileSync(join(import.meta.dirname, '../../fixtures/options/ibmratl.opt'), 'utf8');

describe('parseOptionsFile', () => {
  it('reads every supported keyword of a real-style file', () => {
    const { options, diagnostics } = parseOptionsFile(fixture, 'ibmratl.opt');
    expect(options.groups).toEqual({ developers: ['bob', 'lori', 'jan', 'robert'] });
    expect(options.hostGroups).toEqual({ lab: ['mainline', 'buildhost'] });
    expect(options.includes).toEqual([
      { feature: { name: 'ClearCase', qualifiers: {} }, target: { type: 'GROUP', name: 'developers' }, line: 7 },
      { feature: { name: 'RequisitePro', qualifiers: { VERSION: '7.1' } }, target: { type: 'USER', name: 'bob' }, line: 9 },
    ]);
    expect(options.excludes).toEqual([{ feature: { name: 'compile', qualifiers: {} }, target: { type: 'USER', name: 'lori' }, line: 8 }]);
    expect(options.excludeAll).toEqual([{ target: { type: 'INTERNET', name: '10.9.*.*' }, line: 10 }]);
    expect(options.reserves.map((r) => [r.count, r.feature.name, r.target.type, r.target.name])).toEqual([
      [1, 'compile', 'USER', 'robert'],
      [3, 'compile', 'HOST_GROUP', 'lab'],
    ]);
    expect(options.maxes[1]).toEqual({
      count: 2,
      feature: { name: 'DOORS', qualifiers: { VERSION: '9.0' } },
      target: { type: 'GROUP', name: 'developers' },
      line: 14,
    });
    expect(options.timeouts).toEqual([{ feature: { name: 'f1', qualifiers: {} }, seconds: 3600, line: 15 }]);
    expect(options.timeoutAll).toBe(7200);
    expect(options.lingers).toEqual([{ feature: { name: 'DOORS', qualifiers: {} }, seconds: 30, line: 17 }]);
    expect(options.nolog).toEqual(['QUEUED', 'IN']);
    expect(options.reportLog).toEqual({ path: '/var/log/ibmratl.rl', append: true });
    expect(options.debugLog).toEqual({ path: 'C:\\temp\\debug.log', append: false });
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', line: 22, column: 1, message: expect.stringContaining('FQDN_MATCHING is not supported') }),
    ]);
  });

  it('reports errors with file, line, column and a hint, and keeps the good lines', () => {
    const text = [
      'INCLUDE f1 USER bob', // 1 ok
      'EXCLUDE f1 USR bob', // 2 bad type
      'RESERVE x f1 USER bob', // 3 bad count
      'MAX 2 f1 USER', // 4 missing value
      'TIMEOUT f1 3600 extra', // 5 too many
      'INCLUDEALL INTERNET 10.1.300', // 6 bad ip pattern
      'NOLOG EVERYTHING', // 7 bad nolog
      'INCLUDE "f2 VERSION=1.0 USER bob', // 8 unterminated quote
      'FROBNICATE f1', // 9 unknown keyword: warning
      'INCLUDE f3:VERSION USER bob', // 10 bad qualifier
      'EXCLUDE f1 GROUP nobodies', // 11 undefined group: warning
      'GROUP lonely', // 12 no members
    ].join('\n');
    const { options, diagnostics } = parseOptionsFile(text, 'bad.opt');
    expect(options.includes).toHaveLength(1);
    const summary = diagnostics.map((d) => [d.line, d.column, d.severity]);
    expect(summary).toEqual([
      [2, 12, 'error'],
      [3, 9, 'error'],
      [4, 1, 'error'],
      [5, 17, 'error'],
      [6, 21, 'error'],
      [7, 7, 'error'],
      [8, 9, 'error'],
      [9, 1, 'warning'],
      [10, 9, 'error'],
      [11, 1, 'warning'],
      [12, 7, 'error'],
    ]);
    for (const d of diagnostics) {
      expect(d.file).toBe('bad.opt');
      expect(d.message.length).toBeGreaterThan(10);
      expect(d.hint.length).toBeGreaterThan(5);
    }
    expect(diagnostics[0].message).toContain('USR');
  });

  it('accepts lowercase keywords, CRLF line ends and comments anywhere', () => {
    const { options, diagnostics } = parseOptionsFile('# c\r\ninclude f1 user bob\r\n  # indented comment\r\n\r\ntimeoutall 60\r\n', 'x.opt');
    expect(diagnostics).toEqual([]);
    expect(options.includes[0].target).toEqual({ type: 'USER', name: 'bob' });
    expect(options.timeoutAll).toBe(60);
  });

  it('reads a trailing # comment as a comment, keeps the rule, and warns at the # (issue 15)', () => {
    const { options, diagnostics } = parseOptionsFile('INCLUDE f1 USER bob # lead developer\nGROUP devs ann cat # team\n', 'c.opt');
    expect(options.includes).toEqual([{ feature: { name: 'f1', qualifiers: {} }, target: { type: 'USER', name: 'bob' }, line: 1 }]);
    expect(options.groups).toEqual({ devs: ['ann', 'cat'] });
    expect(diagnostics.map((d) => [d.line, d.column, d.severity])).toEqual([
      [1, 21, 'warning'],
      [2, 20, 'warning'],
    ]);
    expect(diagnostics[0].message).toMatch(/comment/);
    expect(diagnostics[0].hint).toMatch(/own line/);
  });

  it('says what an ignored access line no longer does: a broken EXCLUDE excludes nobody', () => {
    const { options, diagnostics } = parseOptionsFile('EXCLUDE f1 USER\nRESERVE 2 f1 USR bob\nINCLUDE f1 USER\n', 'x.opt');
    expect(options.excludes).toEqual([]);
    expect(diagnostics.map((d) => d.severity)).toEqual(['error', 'error', 'error']);
    expect(diagnostics[0].message).toMatch(/EXCLUDE line is ignored: nobody it names is excluded/);
    expect(diagnostics[1].message).toMatch(/RESERVE line is ignored: nothing is reserved/);
    expect(diagnostics[2].message).toMatch(/INCLUDE line is ignored/);
  });

  it('reports a misspelt access keyword as an error that names the keyword meant', () => {
    const { diagnostics } = parseOptionsFile('EXLCUDE f1 USER mallory\nFROBNICATE x\n', 'x.opt');
    expect(diagnostics.map((d) => [d.line, d.severity])).toEqual([
      [1, 'error'],
      [2, 'warning'],
    ]);
    expect(diagnostics[0].hint).toMatch(/EXCLUDE/);
  });

  it('reads a quoted path with spaces after the + of DEBUGLOG and REPORTLOG (Revenera DEBUGLOG, Esri docs)', () => {
    const { options, diagnostics } = parseOptionsFile('DEBUGLOG +"C:\\Program Files\\temp\\debuglog.log"\nREPORTLOG "/var/log/my report.rl"\n', 'x.opt');
    expect(diagnostics).toEqual([]);
    expect(options.debugLog).toEqual({ path: 'C:\\Program Files\\temp\\debuglog.log', append: true });
    expect(options.reportLog).toEqual({ path: '/var/log/my report.rl', append: false });
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('I', 'N', 'C', 'L', 'U', 'D', 'E', ' ', '"', ':', '=', '\\', '\n', '#', '1', 'x', '*', '.') }), (text) => {
        const { diagnostics } = parseOptionsFile(text, 'fuzz.opt');
        for (const d of diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
      }),
      fuzzSettings({ seed: 5001, numRuns: 500 }),
    );
  });
});
