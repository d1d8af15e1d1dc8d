/** A problem found in a license file, located so a person can jump to it and fix it. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  /** 1-based physical line in the file. */
  line: number;
  /** 1-based column (a TAB counts as one column). */
  column: number;
  message: string;
  /** How to fix it; shown on its own line under the message. */
  hint: string | null;
}

/** `FILE:LINE:COL: error: message` followed by an indented hint line, like compilers print. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
