/**
 * `~/.flexlmrc`: where UNIX FlexLM clients keep their search path (reference section 3), one
 * `NAME=value` per line, e.g. `LM_LICENSE_FILE=27000@licsrv`. Pure text edits; the caller reads
 * and writes the file (and chooses HOME, so tests can point it elsewhere).
 */

export const FLEXLMRC_FILE = '.flexlmrc';

/** Every `NAME=value` line, in file order. */
export function readRcVariables(text: string): [name: string, value: string][] {
  return text.split(/\r?\n/).flatMap((line): [string, string][] => {
    const eq = line.indexOf('=');
    return eq > 0 ? [[line.slice(0, eq).trim(), line.slice(eq + 1).trim()]] : [];
  });
}

export function readRcVariable(text: string, name: string): string | null {
  return readRcVariables(text).find(([key]) => key === name)?.[1] ?? null;
}

/** Sets `name=value`, replacing an existing line in place and keeping every other line. */
export function writeRcVariable(text: string, name: string, value: string): string {
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const index = lines.findIndex((line) => {
    const eq = line.indexOf('=');
    return eq > 0 && line.slice(0, eq).trim() === name;
  });
  const entry = `${name}=${value}`;
  if (index >= 0) lines[index] = entry;
  else lines.push(entry);
  return lines.join('\n') + '\n';
}
