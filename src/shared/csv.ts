import { escapeControlCharacters } from './controlChars';

/**
 * One CSV field: control characters escaped as the debug log escapes them (a report opened in a
 * terminal or a spreadsheet runs nothing), then quoted as RFC 4180 asks when it holds a quote or a comma.
 */
export const csvField = (value: string): string => {
  const v = escapeControlCharacters(value);
  return /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};
