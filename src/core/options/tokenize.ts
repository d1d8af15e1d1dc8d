/**
 * Splits an options file into logical lines of tokens. `#` starts a comment line, a trailing
 * backslash continues the line (long GROUP lists), double quotes make one token. An unquoted
 * word starting with `#` after the first word starts a comment to the end of the physical line:
 * FlexNet documents `#` only at the start of a line, but `INCLUDE f1 USER bob # lead` means what
 * it says, and reading `#` and `lead` as two more values would drop the rule (issue 15).
 */

export interface Token {
  text: string;
  line: number;
  column: number;
  quoted: boolean;
}

export interface LogicalLine {
  line: number;
  tokens: Token[];
  /** Set when a quote was opened and never closed; the column of that quote. */
  unterminatedQuoteColumn: number | null;
  /** Where trailing `# ...` comments start, as physical line and column. */
  trailingComments: { line: number; column: number }[];
}

export function tokenizeOptions(text: string): LogicalLine[] {
  const physical = text.split(/\r\n|\n|\r/);
  const result: LogicalLine[] = [];
  let current: LogicalLine | null = null;
  physical.forEach((raw, index) => {
    const lineNumber = index + 1;
    const trimmed = raw.trim();
    if (current === null && (trimmed === '' || trimmed.startsWith('#'))) return;
    const continues = /\\\s*$/.test(raw);
    const body = continues ? raw.replace(/\\\s*$/, '') : raw;
    const logical: LogicalLine = current ?? { line: lineNumber, tokens: [], unterminatedQuoteColumn: null, trailingComments: [] };
    scanTokens(body, lineNumber, logical);
    if (continues) {
      current = logical;
    } else {
      result.push(logical);
      current = null;
    }
  });
  if (current !== null) result.push(current);
  return result;
}

function scanTokens(body: string, lineNumber: number, into: LogicalLine): void {
  let i = 0;
  while (i < body.length) {
    const ch = body[i];
    if (ch === ' ' || ch === '\t') {
      i += 1;
      continue;
    }
    const column = i + 1;
    if (ch === '"') {
      const close = body.indexOf('"', i + 1);
      if (close < 0) {
        into.unterminatedQuoteColumn = column;
        into.tokens.push({ text: body.slice(i + 1), line: lineNumber, column, quoted: true });
        return;
      }
      into.tokens.push({ text: body.slice(i + 1, close), line: lineNumber, column, quoted: true });
      i = close + 1;
      continue;
    }
    if (ch === '#' && into.tokens.length > 0) {
      into.trailingComments.push({ line: lineNumber, column });
      return;
    }
    // a word may quote a part of itself: `+"C:\Program Files\x.log"` (DEBUGLOG, REPORTLOG)
    let text = '';
    let end = i;
    while (end < body.length && body[end] !== ' ' && body[end] !== '\t') {
      if (body[end] !== '"') {
        text += body[end];
        end += 1;
        continue;
      }
      const close = body.indexOf('"', end + 1);
      if (close < 0) {
        into.unterminatedQuoteColumn = end + 1;
        into.tokens.push({ text: text + body.slice(end + 1), line: lineNumber, column, quoted: false });
        return;
      }
      text += body.slice(end + 1, close);
      end = close + 1;
    }
    into.tokens.push({ text, line: lineNumber, column, quoted: false });
    i = end;
  }
}
