/**
 * Options file parser (reference section 5.1). Pure; never throws: every problem becomes a
 * diagnostic with line, column, what is wrong and how to fix it. Unknown keywords are
 * warnings so a file written for another FlexLM daemon still loads.
 */
import { tokenizeOptions, type LogicalLine, type Token } from './tokenize';
import {
  emptyOptions,
  targetTypes,
  type FeatureSelector,
  type NologEvent,
  type Options,
  type OptionsDiagnostic,
  type ParsedOptions,
  type Target,
  type TargetType,
} from './types';

/** Keywords FlexLM knows that Triad accepts but does not act on. */
const ignoredKeywords = new Set([
  'AUTOMATIC_REREAD',
  'ACTIVATION_LOWWATER',
  'ACTIVATION_EXPIRY_DAYS',
  'BORROW_LOWWATER',
  'DAEMON_SELECT_TIMEOUT',
  'EXCLUDE_BORROW',
  'EXCLUDE_ENTITLEMENT',
  'EXCLUDEALL_ENTITLEMENT',
  'FQDN_MATCHING',
  'INCLUDE_BORROW',
  'INCLUDE_ENTITLEMENT',
  'INCLUDEALL_ENTITLEMENT',
  'MAX_BORROW_HOURS',
  'MAX_CONNECTIONS',
  'MAX_OVERDRAFT',
]);

const nologEvents: readonly NologEvent[] = ['IN', 'OUT', 'DENIED', 'QUEUED'];

type LineParser = (keyword: Token, args: Token[], ctx: ParseContext) => void;

interface ParseContext {
  options: Options;
  report: (severity: OptionsDiagnostic['severity'], at: Token, message: string, hint: string) => void;
  /** The error diagnostics reported so far, in order. */
  errors: OptionsDiagnostic[];
}

export function parseOptionsFile(text: string, fileName: string): ParsedOptions {
  const options = emptyOptions(fileName);
  const diagnostics: OptionsDiagnostic[] = [];
  const errors: OptionsDiagnostic[] = [];
  const ctx: ParseContext = {
    options,
    report: (severity, at, message, hint) => {
      const diagnostic = { severity, file: fileName, line: at.line, column: at.column, message, hint };
      diagnostics.push(diagnostic);
      if (severity === 'error') errors.push(diagnostic);
    },
    errors,
  };
  for (const logical of tokenizeOptions(text)) parseLine(logical, ctx);
  checkGroupReferences(options, diagnostics);
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { options, diagnostics };
}

/**
 * What an access line no longer does when it cannot be read. A line is never half applied, and
 * an ignored EXCLUDE, RESERVE or MAX widens access, so the error says so (issue 15).
 */
const ignoredLineEffect: Record<string, string> = {
  EXCLUDE: 'nobody it names is excluded',
  EXCLUDEALL: 'nobody it names is excluded',
  INCLUDE: 'it admits nobody, and if it was the only INCLUDE of its feature, everyone may use the feature',
  INCLUDEALL: 'it admits nobody, and if it was the only INCLUDEALL, everyone may use every feature',
  RESERVE: 'nothing is reserved for anyone it names',
  MAX: 'it limits nobody',
};

function parseLine(logical: LogicalLine, ctx: ParseContext): void {
  const [keyword, ...args] = logical.tokens;
  if (!keyword) return;
  for (const at of logical.trailingComments) {
    ctx.report(
      'warning',
      { text: '#', quoted: false, ...at },
      'Text after "#" is read as a comment; FlexNet documents comments only at the start of a line.',
      'Put the comment on its own line, so every FlexNet version reads this line the same way.',
    );
  }
  const name = keyword.text.toUpperCase();
  const effect = ignoredLineEffect[name];
  if (!effect) {
    parseStatement(keyword, args, logical, ctx);
    return;
  }
  // the first error of an access line says what ignoring the line means
  const before = ctx.errors.length;
  parseStatement(keyword, args, logical, ctx);
  const first = ctx.errors[before];
  if (first) first.message = `${first.message} The ${name} line is ignored: ${effect}.`;
}

function parseStatement(keyword: Token, args: Token[], logical: LogicalLine, ctx: ParseContext): void {
  if (logical.unterminatedQuoteColumn !== null) {
    const at = { ...keyword, column: logical.unterminatedQuoteColumn };
    ctx.report('error', at, 'Unterminated quote.', 'Close the quoted feature with a second `"`.');
    return;
  }
  const name = keyword.text.toUpperCase();
  const parser = lineParsers[name];
  if (parser) {
    parser(keyword, args, ctx);
    return;
  }
  if (ignoredKeywords.has(name)) {
    ctx.report('warning', keyword, `${name} is not supported by Triad and is ignored.`, 'Remove the line if you do not need it.');
    return;
  }
  const meant = Object.keys(ignoredLineEffect).find((known) => editDistance(known, name) <= (known.length <= 3 ? 1 : 2));
  if (meant) {
    // a misspelt EXCLUDE silently admits the people it names: loud, not a warning
    ctx.report(
      'error',
      keyword,
      `Unknown keyword "${keyword.text}"; the line is ignored: ${ignoredLineEffect[meant]}.`,
      `Did you mean ${meant}? Correct the spelling, then lmreread.`,
    );
    return;
  }
  ctx.report(
    'warning',
    keyword,
    `Unknown keyword "${keyword.text}"; the line is ignored.`,
    'Check the spelling; keywords are INCLUDE, EXCLUDE, INCLUDEALL, EXCLUDEALL, RESERVE, MAX, GROUP, HOST_GROUP, ' +
      'GROUPCASEINSENSITIVE, TIMEOUT, TIMEOUTALL, LINGER, NOLOG, REPORTLOG, DEBUGLOG.',
  );
}

/** Levenshtein distance, for "did you mean" on short keywords. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

const lineParsers: Record<string, LineParser> = {
  INCLUDE: (kw, args, ctx) => featureRule(kw, args, ctx, ctx.options.includes),
  EXCLUDE: (kw, args, ctx) => featureRule(kw, args, ctx, ctx.options.excludes),
  INCLUDEALL: (kw, args, ctx) => allRule(kw, args, ctx, ctx.options.includeAll),
  EXCLUDEALL: (kw, args, ctx) => allRule(kw, args, ctx, ctx.options.excludeAll),
  RESERVE: (kw, args, ctx) => countRule(kw, args, ctx, ctx.options.reserves),
  MAX: (kw, args, ctx) => countRule(kw, args, ctx, ctx.options.maxes),
  GROUP: (kw, args, ctx) => groupLine(kw, args, ctx, ctx.options.groups),
  USER_GROUP: (kw, args, ctx) => groupLine(kw, args, ctx, ctx.options.groups),
  HOST_GROUP: (kw, args, ctx) => groupLine(kw, args, ctx, ctx.options.hostGroups),
  TIMEOUT: (kw, args, ctx) => featureSeconds(kw, args, ctx, ctx.options.timeouts),
  LINGER: (kw, args, ctx) => featureSeconds(kw, args, ctx, ctx.options.lingers),
  TIMEOUTALL: (kw, args, ctx) => {
    if (!expectArgs(kw, args, 1, 'TIMEOUTALL seconds', ctx)) return;
    const seconds = parseCount(args[0], ctx, 'seconds');
    if (seconds !== null) ctx.options.timeoutAll = seconds;
  },
  GROUPCASEINSENSITIVE: (kw, args, ctx) => {
    if (!expectArgs(kw, args, 1, 'GROUPCASEINSENSITIVE ON|OFF', ctx)) return;
    const value = args[0].text.toUpperCase();
    if (value !== 'ON' && value !== 'OFF') {
      ctx.report('error', args[0], `GROUPCASEINSENSITIVE takes ON or OFF, not "${args[0].text}".`, 'Write `GROUPCASEINSENSITIVE ON`.');
      return;
    }
    ctx.options.groupCaseInsensitive = value === 'ON';
  },
  NOLOG: (kw, args, ctx) => {
    if (!expectArgs(kw, args, 1, 'NOLOG IN|OUT|DENIED|QUEUED', ctx)) return;
    const event = args[0].text.toUpperCase() as NologEvent;
    if (!nologEvents.includes(event)) {
      ctx.report('error', args[0], `NOLOG takes IN, OUT, DENIED or QUEUED, not "${args[0].text}".`, 'Write e.g. `NOLOG QUEUED`.');
      return;
    }
    if (!ctx.options.nolog.includes(event)) ctx.options.nolog.push(event);
  },
  REPORTLOG: (kw, args, ctx) => {
    if (expectArgs(kw, args, 1, 'REPORTLOG [+]path', ctx)) ctx.options.reportLog = logFile(args[0]);
  },
  DEBUGLOG: (kw, args, ctx) => {
    if (expectArgs(kw, args, 1, 'DEBUGLOG [+]path', ctx)) ctx.options.debugLog = logFile(args[0]);
  },
};

function logFile(token: Token): { path: string; append: boolean } {
  const append = token.text.startsWith('+');
  return { path: append ? token.text.slice(1) : token.text, append };
}

function expectArgs(keyword: Token, args: Token[], count: number, syntax: string, ctx: ParseContext): boolean {
  if (args.length === count) return true;
  const at = args.length > count ? args[count] : keyword;
  const problem = args.length > count ? 'too many values' : 'missing values';
  ctx.report('error', at, `${keyword.text.toUpperCase()}: ${problem}.`, `Write \`${syntax}\`.`);
  return false;
}

function featureRule(kw: Token, args: Token[], ctx: ParseContext, into: Options['includes']): void {
  const keyword = kw.text.toUpperCase();
  if (!expectArgs(kw, args, 3, `${keyword} feature USER|HOST|DISPLAY|INTERNET|PROJECT|GROUP|HOST_GROUP name`, ctx)) return;
  const feature = parseFeature(args[0], ctx);
  const target = parseTarget(args[1], args[2], ctx);
  if (feature && target) into.push({ feature, target, line: kw.line });
}

function allRule(kw: Token, args: Token[], ctx: ParseContext, into: Options['includeAll']): void {
  const keyword = kw.text.toUpperCase();
  if (!expectArgs(kw, args, 2, `${keyword} USER|HOST|DISPLAY|INTERNET|PROJECT|GROUP|HOST_GROUP name`, ctx)) return;
  const target = parseTarget(args[0], args[1], ctx);
  if (target) into.push({ target, line: kw.line });
}

function countRule(kw: Token, args: Token[], ctx: ParseContext, into: Options['reserves']): void {
  const keyword = kw.text.toUpperCase();
  if (!expectArgs(kw, args, 4, `${keyword} count feature USER|HOST|DISPLAY|INTERNET|PROJECT|GROUP|HOST_GROUP name`, ctx)) return;
  const count = parseCount(args[0], ctx, 'number of licenses');
  const feature = parseFeature(args[1], ctx);
  const target = parseTarget(args[2], args[3], ctx);
  if (count !== null && feature && target) into.push({ count, feature, target, line: kw.line });
}

function featureSeconds(kw: Token, args: Token[], ctx: ParseContext, into: Options['timeouts']): void {
  const keyword = kw.text.toUpperCase();
  if (!expectArgs(kw, args, 2, `${keyword} feature seconds`, ctx)) return;
  const feature = parseFeature(args[0], ctx);
  const seconds = parseCount(args[1], ctx, 'seconds');
  if (feature && seconds !== null) into.push({ feature, seconds, line: kw.line });
}

function groupLine(kw: Token, args: Token[], ctx: ParseContext, into: Record<string, string[]>): void {
  const keyword = kw.text.toUpperCase();
  if (args.length < 2) {
    ctx.report('error', args[0] ?? kw, `${keyword} needs a group name and at least one member.`, `Write \`${keyword} name member1 member2 ...\`.`);
    return;
  }
  const [name, ...members] = args;
  const list = (into[name.text] ??= []);
  for (const member of members) if (!list.includes(member.text)) list.push(member.text);
}

function parseCount(token: Token, ctx: ParseContext, what: string): number | null {
  if (/^\d+$/.test(token.text)) return Number(token.text);
  ctx.report('error', token, `Expected ${what} (a whole number >= 0), found "${token.text}".`, 'Write digits only, e.g. `3600`.');
  return null;
}

function parseTarget(typeToken: Token, nameToken: Token, ctx: ParseContext): Target | null {
  const type = typeToken.text.toUpperCase() as TargetType;
  if (!targetTypes.includes(type)) {
    ctx.report(
      'error',
      typeToken,
      `Unknown type "${typeToken.text}"; expected USER, HOST, DISPLAY, INTERNET, PROJECT, GROUP or HOST_GROUP.`,
      'Put the type keyword before the name, e.g. `INCLUDE f1 USER bob`.',
    );
    return null;
  }
  if (type === 'INTERNET' && !/^(\d{1,3}|\*)(\.(\d{1,3}|\*)){3}$/.test(nameToken.text)) {
    ctx.report('error', nameToken, `"${nameToken.text}" is not an IPv4 address pattern.`, 'Write four dot-separated numbers, `*` for any, e.g. `10.1.*.*`.');
    return null;
  }
  return { type, name: nameToken.text };
}

/** `feat`, `feat:VERSION=2.0`, or the quoted `"feat VERSION=2.0 VENDOR_STRING=x"`. */
function parseFeature(token: Token, ctx: ParseContext): FeatureSelector | null {
  const parts = token.quoted ? token.text.trim().split(/\s+/) : splitColonForm(token.text);
  const [name, ...rawQualifiers] = parts;
  if (!name) {
    ctx.report('error', token, 'Empty feature name.', 'Write the feature name as it appears on the FEATURE/INCREMENT line.');
    return null;
  }
  const qualifiers: Record<string, string> = {};
  for (const raw of rawQualifiers) {
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      ctx.report('error', token, `Feature qualifier "${raw}" is not keyword=value.`, 'Write e.g. `f1:VERSION=2.0` or `"f1 VERSION=2.0"`.');
      return null;
    }
    qualifiers[qualifierKey(raw.slice(0, eq))] = raw.slice(eq + 1);
  }
  return { name, qualifiers };
}

function splitColonForm(text: string): string[] {
  const colon = text.indexOf(':');
  return colon < 0 ? [text] : [text.slice(0, colon), text.slice(colon + 1)];
}

/** FlexLM keywords are uppercase; lowercase end-user attributes (dist_info...) stay as written. */
function qualifierKey(key: string): string {
  return /^(dist_info|user_info|asset_info|vendor_info)$/i.test(key) ? key.toLowerCase() : key.toUpperCase();
}

function checkGroupReferences(options: Options, diagnostics: OptionsDiagnostic[]): void {
  const rules = [...options.includes, ...options.excludes, ...options.includeAll, ...options.excludeAll, ...options.reserves, ...options.maxes];
  for (const rule of rules) {
    const { type, name } = rule.target;
    const defined = type === 'GROUP' ? options.groups[name] : type === 'HOST_GROUP' ? options.hostGroups[name] : true;
    if (defined) continue;
    diagnostics.push({
      severity: 'warning',
      file: options.fileName,
      line: rule.line,
      column: 1,
      message: `${type} "${name}" is not defined in this file, so the line matches nobody.`,
      hint: `Add a line \`${type} ${name} member1 member2 ...\`.`,
    });
  }
}
