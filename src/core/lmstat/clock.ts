/**
 * lmstat's two time formats, in the reader's local time. The clock and the time zone are
 * parameters so that output for a known state is byte-for-byte reproducible (golden tests).
 */
export interface LmstatClock {
  nowMs: number;
  /** IANA zone, e.g. `Europe/Paris`; the CLI passes the machine's own. */
  timeZone: string;
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

interface LocalParts {
  weekday: string;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): LocalParts {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(ms).map((part) => [part.type, part.value]));
  return {
    weekday: parts.weekday,
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    // Some ICU builds print midnight as 24 even with h23.
    hour: Number(parts.hour) % 24,
    minute: parts.minute,
  };
}

/** Header date: `Thu 11/23/2017 15:08` (no zero padding except minutes). */
export function formatStatusDate(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${p.weekday} ${p.month}/${p.day}/${p.year} ${p.hour}:${p.minute}`;
}

/** User start time: `Fri 10/20 8:33` (no year). */
export function formatStartTime(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${p.weekday} ${p.month}/${p.day} ${p.hour}:${p.minute}`;
}
