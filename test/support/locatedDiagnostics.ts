import { expect } from 'vitest';

interface Located {
  file: string;
  line: number;
  column: number;
  message: string;
  hint: string | null;
}

/**
 * Every problem names its file, points at a line and column inside `text` (FILE:LINE:COL), and
 * says how to fix it: the acceptance rule for messages about license and options files (issue 15).
 */
export function expectLocatedWithHint(diagnostics: readonly Located[], file: string, text: string): void {
  const lines = text.split(/\r\n|\r|\n/);
  for (const d of diagnostics) {
    const where = `${d.file}:${d.line}:${d.column}: ${d.message}`;
    expect(d.file, where).toBe(file);
    expect(d.line, where).toBeGreaterThanOrEqual(1);
    expect(d.line, where).toBeLessThanOrEqual(lines.length);
    expect(d.column, where).toBeGreaterThanOrEqual(1);
    expect(d.column, where).toBeLessThanOrEqual(lines[d.line - 1]!.length + 1);
    expect(d.message.length, where).toBeGreaterThan(10);
    expect(d.hint?.length ?? 0, where).toBeGreaterThan(5);
  }
}
