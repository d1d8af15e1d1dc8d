import { formatExpiry } from './expiry';
import type { Attribute, LicenseFile, LicenseLine } from './model';

/** Lines longer than this are wrapped IBM-style: ` \` then a TAB-indented continuation. */
const WRAP_AT = 80;

function renderValue(value: string, quoted: boolean): string {
  return quoted || value === '' || /\s/.test(value) ? `"${value}"` : value;
}

export function renderAttribute(a: Attribute): string {
  return a.value === null ? a.key : `${a.key}=${renderValue(a.value, a.quoted)}`;
}

/** Joins words into lines of at most WRAP_AT, continuing `start` (a line already written) if given. */
function wrap(words: string[], start = ''): string {
  const physical: string[] = [];
  let current = start;
  for (const word of words) {
    if (current !== '' && current.length + 1 + word.length > WRAP_AT) {
      physical.push(`${current} \\`);
      current = `\t${word}`;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  physical.push(current);
  return physical.join('\n');
}

/**
 * SIGN as words for wrap(): hex groups are split eight to a word, so a long signature continues
 * inside its quotes over TAB-indented lines, as IBM files do (a backslash break inside quotes
 * adds nothing, and the space before the backslash stays in the value).
 */
function signWords(sign: string | null): string[] {
  if (sign === null) return [];
  if (!/^[0-9A-Fa-f]{4}( [0-9A-Fa-f]{4})*$/.test(sign)) return [`SIGN=${renderValue(sign, true)}`];
  const groups = sign.split(' ');
  const words: string[] = [];
  for (let i = 0; i < groups.length; i += 8) words.push(groups.slice(i, i + 8).join(' '));
  words[0] = `SIGN="${words[0]}`;
  words[words.length - 1] = `${words[words.length - 1]}"`;
  return words;
}

/**
 * `SIGN="..."` added after the end of `lastLine`, continued on TAB-indented lines past WRAP_AT;
 * on a line of only indentation it starts right after the indentation.
 */
export function appendSign(lastLine: string, sign: string): string {
  const words = signWords(sign);
  if (lastLine.trim() !== '') return wrap(words, lastLine);
  words[0] = lastLine + words[0];
  return wrap(words);
}

/** Renders one logical line from its fields (used for lines built or changed in code). */
export function renderLine(l: LicenseLine): string {
  switch (l.kind) {
    case 'blank':
      return '';
    case 'comment':
      return `#${l.text}`;
    case 'unknown':
      return l.text;
    case 'useServer':
      return 'USE_SERVER';
    case 'server':
      return [
        'SERVER',
        l.host,
        l.hostid,
        ...(l.port === null ? [] : [String(l.port)]),
        ...(l.primaryIsMaster ? ['PRIMARY_IS_MASTER'] : []),
        ...(l.heartbeatInterval === null ? [] : [`HEARTBEAT_INTERVAL=${l.heartbeatInterval}`]),
        ...l.extras.map(renderAttribute),
      ].join(' ');
    case 'vendor':
      return [
        l.keyword,
        l.name,
        ...(l.path === null ? [] : [l.path]),
        ...(l.options === null ? [] : [`OPTIONS=${renderValue(l.options, false)}`]),
        ...(l.port === null ? [] : [`PORT=${l.port}`]),
        ...l.extras.map(renderAttribute),
      ].join(' ');
    case 'feature':
    case 'upgrade':
      return wrap([
        ...(l.kind === 'feature' ? [l.keyword] : ['UPGRADE']),
        l.name,
        l.vendor,
        ...(l.kind === 'upgrade' ? [l.fromVersion] : []),
        l.version,
        formatExpiry(l.expiry),
        String(l.count),
        ...(l.licenseKey === null ? [] : [l.licenseKey]),
        ...l.attributes.map(renderAttribute),
        ...signWords(l.sign),
      ]);
    case 'package':
      return wrap([
        'PACKAGE',
        l.name,
        l.vendor,
        ...(l.version === null ? [] : [l.version]),
        ...l.attributes.map(renderAttribute),
        ...signWords(l.sign),
      ]);
  }
}

/**
 * Back to text. Unchanged lines are written exactly as they were read (comments, layout and
 * order survive); lines built or changed in code are rendered from their fields.
 */
export function serializeLicenseFile(file: LicenseFile): string {
  let out = '';
  for (const l of file.lines) {
    // the rest of a line that ran into the one before it goes back where it was
    if (l.runOn) out = out.slice(0, -1);
    out += `${l.source ?? renderLine(l)}\n`;
  }
  return out;
}
