/**
 * FlexLM debug-log text (reference 5.2): `H:MM:SS (daemon) message`, hours not zero-padded, in
 * local time. An exported range starts with, and marks each new day with, lmgrd's
 * `TIMESTAMP M/D/YYYY` line, so readers of real lmgrd logs can place undated lines on a day.
 */
import type { DebugLogLine } from './contract';
import { escapeControlCharacters } from './controlChars';

const pad = (n: number) => String(n).padStart(2, '0');

export function formatLogTime(time: number): string {
  const d = new Date(time);
  return `${d.getHours()}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** One line, always: control characters a client put into a name are written out, never performed. */
export function formatDebugLogLine(line: Pick<DebugLogLine, 'time' | 'daemon' | 'message'>): string {
  return `${formatLogTime(line.time)} (${escapeControlCharacters(line.daemon)}) ${escapeControlCharacters(line.message)}`;
}

/** lmgrd's periodic date line, `TIMESTAMP M/D/YYYY` (local date). */
export function timestampMessage(time: number): string {
  const d = new Date(time);
  return `TIMESTAMP ${d.getMonth() + 1}/${d.getDate()}/${d.getFullYear()}`;
}

function timestampLine(time: number): string {
  return formatDebugLogLine({ time, daemon: 'lmgrd', message: timestampMessage(time) });
}

/** A text written in pieces (an archive, batch by batch): the local day of its last line. */
export interface DebugTextDay {
  day: string;
}

/** `continues` carries the day across pieces, so a piece starting on the same day adds no TIMESTAMP line. */
export function formatDebugLogText(lines: readonly Pick<DebugLogLine, 'time' | 'daemon' | 'message'>[], continues: DebugTextDay = { day: '' }): string {
  const out: string[] = [];
  for (const line of lines) {
    const lineDay = new Date(line.time).toDateString();
    if (lineDay !== continues.day) {
      out.push(timestampLine(line.time));
      continues.day = lineDay;
    }
    out.push(formatDebugLogLine(line));
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** The regex a reader of our export (and of lmgrd logs) can rely on. */
export const debugLogLinePattern = /^(\d{1,2}):(\d{2}):(\d{2}) \(([^)\s]+)\) (.*)$/;
