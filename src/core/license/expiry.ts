/**
 * Dates in license files: `dd-mmm-yyyy` with the month in any case. An expiry of `permanent`
 * or any date whose year is all zeros (`1-jan-0`, `01-jan-0000`) never expires (reference 1.5).
 */
export type Expiry = { permanent: true } | { permanent: false; year: number; month: number; day: number };

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export type DateParse =
  | { ok: true; date: CalendarDate | 'year-zero' }
  | { ok: false; message: string; hint: string };

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses `dd-mmm-yyyy`; a year of only zeros is reported as 'year-zero' (meaning permanent). */
export function parseLicenseDate(text: string): DateParse {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{1,4})$/.exec(text);
  const example = 'write the date as dd-mmm-yyyy, e.g. 31-dec-2026';
  if (!m) return { ok: false, message: `"${text}" is not a date`, hint: example };
  const [, dayText, monthText, yearText] = m;
  const month = MONTHS.indexOf(monthText.toLowerCase()) + 1;
  if (month === 0) {
    return { ok: false, message: `"${monthText}" in "${text}" is not a month`, hint: `use one of ${MONTHS.join(', ')}` };
  }
  if (/^0+$/.test(yearText)) return { ok: true, date: 'year-zero' };
  if (yearText.length !== 4) {
    return { ok: false, message: `the year in "${text}" must have four digits`, hint: example };
  }
  const year = Number(yearText);
  const day = Number(dayText);
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) {
    return {
      ok: false,
      message: `"${text}" is not a real date: ${MONTHS[month - 1]} ${year} has ${last} days`,
      hint: `use a day between 1 and ${last}`,
    };
  }
  return { ok: true, date: { year, month, day } };
}

export function formatLicenseDate(date: CalendarDate): string {
  return `${date.day}-${MONTHS[date.month - 1]}-${String(date.year).padStart(4, '0')}`;
}

/** Back to license-file text: `permanent` or `d-mmm-yyyy`. */
export function formatExpiry(expiry: Expiry): string {
  return expiry.permanent ? 'permanent' : formatLicenseDate(expiry);
}

/** The first instant (ms, UTC) after the given day. */
export function endOfDayMs(date: CalendarDate): number {
  return Date.UTC(date.year, date.month - 1, date.day + 1);
}

export function startOfDayMs(date: CalendarDate): number {
  return Date.UTC(date.year, date.month - 1, date.day);
}

/** An attribute date (START=, ISSUED=) as the start of its day, UTC; null when absent, unreadable or year 0. */
export function attributeDateMs(text: string | null): number | null {
  const parsed = text ? parseLicenseDate(text) : null;
  return parsed?.ok && parsed.date !== 'year-zero' ? startOfDayMs(parsed.date) : null;
}

/**
 * A dated license is usable through the whole expiry day, in UTC. FlexNet's exact time of day is
 * UNCONFIRMED in the reference; "valid through the printed date" is what a user reads into it.
 */
export function isExpired(expiry: Expiry, nowMs: number): boolean {
  return !expiry.permanent && nowMs >= endOfDayMs(expiry);
}

/** An expiry as an options-file qualifier may write it (`EXPDATE=31-Dec-2026`), in formatExpiry's form; other text as is. */
export function canonicalExpiryText(text: string): string {
  if (text.toLowerCase() === 'permanent') return 'permanent';
  const parsed = parseLicenseDate(text);
  if (!parsed.ok) return text;
  return parsed.date === 'year-zero' ? 'permanent' : formatLicenseDate(parsed.date);
}
