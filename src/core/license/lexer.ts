/**
 * Splits license-file text into logical lines and tokens. A logical line continues onto the next
 * physical line after a trailing backslash, or when the next line is indented and does not start
 * with a line keyword (v7+ files and IBM's TAB-indented continuations). A double-quoted value may
 * run across such a break. Never throws: problems become located messages.
 */

export interface Token {
  /** Token text with quotes removed (for `KEY=value`, the whole thing, unquoted). */
  text: string;
  /** `KEY` of `KEY=value`, or null for a bare word. */
  key: string | null;
  /** The part after `=`, unquoted; null for a bare word. */
  value: string | null;
  /** The token (or its value) was written in double quotes. */
  quoted: boolean;
  line: number;
  column: number;
  /** Where the value starts (after `=`), for messages about the value. */
  valueLine: number;
  valueColumn: number;
  /** Just after the token's last character (physical line, 1-based column), e.g. to replace it. */
  endLine: number;
  endColumn: number;
}

export interface LexProblem {
  line: number;
  column: number;
  message: string;
  hint: string;
}

export type RawLine =
  | { kind: 'blank'; line: number; source: string }
  | { kind: 'comment'; line: number; source: string; text: string }
  | { kind: 'statement'; line: number; source: string; tokens: Token[] };

export const LINE_KEYWORDS = ['SERVER', 'VENDOR', 'DAEMON', 'USE_SERVER', 'FEATURE', 'INCREMENT', 'UPGRADE', 'PACKAGE'];

function startsWithKeyword(trimmed: string): boolean {
  const first = /^\S+/.exec(trimmed)?.[0].toUpperCase() ?? '';
  return LINE_KEYWORDS.includes(first);
}

function endsWithBackslash(physical: string): boolean {
  return physical.trimEnd().endsWith('\\');
}

interface Segment {
  text: string;
  line: number;
  /** 1-based column of text[0] in the physical line. */
  column: number;
  /** How this segment is joined to the next one. */
  join: 'backslash' | 'indent' | 'end';
}

interface Mark {
  line: number;
  column: number;
}

export function lexLicenseText(text: string): { lines: RawLine[]; problems: LexProblem[] } {
  const physical = text.split(/\r\n|\r|\n/);
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const lines: RawLine[] = [];
  const problems: LexProblem[] = [];
  let i = 0;
  while (i < physical.length) {
    const first = physical[i];
    const trimmed = first.trim();
    if (trimmed === '') {
      lines.push({ kind: 'blank', line: i + 1, source: first });
      i += 1;
      continue;
    }
    if (trimmed.startsWith('#')) {
      lines.push({ kind: 'comment', line: i + 1, source: first, text: trimmed.slice(1) });
      i += 1;
      continue;
    }
    const startLine = i + 1;
    const segments: Segment[] = [];
    for (;;) {
      const raw = physical[i];
      const leading = segments.length === 0 ? 0 : raw.length - raw.trimStart().length;
      const backslash = endsWithBackslash(raw);
      const body = backslash ? raw.trimEnd().slice(0, -1) : raw;
      const next = physical[i + 1];
      let join: Segment['join'] = 'end';
      if (backslash) {
        if (next === undefined) {
          problems.push({
            line: i + 1,
            column: raw.trimEnd().length,
            message: 'the line ends with a continuation backslash but the file ends here',
            hint: 'remove the trailing "\\" or add the rest of the line',
          });
        } else join = 'backslash';
      } else if (next !== undefined && /^\s/.test(next) && next.trim() !== '' && !next.trim().startsWith('#') && !startsWithKeyword(next.trim())) {
        join = 'indent';
      }
      segments.push({ text: body.slice(leading), line: i + 1, column: leading + 1, join });
      i += 1;
      if (join === 'end') break;
    }
    const source = physical.slice(startLine - 1, i).join('\n');
    lines.push({ kind: 'statement', line: startLine, source, tokens: tokenize(segments, problems) });
  }
  return { lines, problems };
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0xfeff;
}

function tokenize(segments: Segment[], problems: LexProblem[]): Token[] {
  const tokens: Token[] = [];
  let buffer = '';
  let start: Mark | null = null;
  let quoteStart: Mark | null = null;
  let sawQuote = false;
  for (const segment of segments) {
    const text = segment.text;
    // Characters of the current token in this segment start here (-1: none yet).
    let from = -1;
    const flush = (end: number) => {
      if (from >= 0) buffer += text.slice(from, end);
      if (start) tokens.push(makeToken(buffer, sawQuote, start, { line: segment.line, column: segment.column + end }));
      buffer = '';
      start = null;
      sawQuote = false;
      from = -1;
    };
    for (let c = 0; c < text.length; c += 1) {
      const code = text.charCodeAt(c);
      if (quoteStart === null && isSpace(code)) {
        flush(c);
        continue;
      }
      if (from < 0) from = c;
      if (start === null) start = { line: segment.line, column: segment.column + c };
      if (code === 34 /* " */) {
        sawQuote = true;
        quoteStart = quoteStart === null ? { line: segment.line, column: segment.column + c } : null;
      }
    }
    if (quoteStart === null) flush(text.length);
    else {
      if (from >= 0) buffer += text.slice(from);
      // Inside quotes, a backslash break joins directly (the writer put any space before the
      // backslash); an indentation break stands for one space.
      if (segment.join === 'indent') buffer += ' ';
    }
  }
  if (quoteStart !== null) {
    const open: Mark = quoteStart;
    problems.push({
      line: open.line,
      column: open.column,
      message: 'this quote is never closed',
      hint: 'add the closing " at the end of the value (a quoted value may continue onto the next line after a "\\")',
    });
    const last = segments[segments.length - 1]!;
    if (start) tokens.push(makeToken(buffer, sawQuote, start, { line: last.line, column: last.column + last.text.length }));
  }
  return tokens;
}

function makeToken(raw: string, quoted: boolean, at: Mark, end: Mark): Token {
  const eq = raw.indexOf('=');
  const firstQuote = raw.indexOf('"');
  const isPair = eq > 0 && (firstQuote === -1 || eq < firstQuote);
  const unquote = (s: string) => s.replaceAll('"', '');
  if (!isPair) {
    return {
      text: unquote(raw),
      key: null,
      value: null,
      quoted,
      line: at.line,
      column: at.column,
      valueLine: at.line,
      valueColumn: at.column,
      endLine: end.line,
      endColumn: end.column,
    };
  }
  const key = raw.slice(0, eq);
  return {
    text: unquote(raw),
    key,
    value: unquote(raw.slice(eq + 1)),
    quoted,
    line: at.line,
    column: at.column,
    // Values rarely span lines before their first character, so the key's line is right.
    valueLine: at.line,
    valueColumn: at.column + eq + 1,
    endLine: end.line,
    endColumn: end.column,
  };
}
