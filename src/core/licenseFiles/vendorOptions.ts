import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { VendorLine } from '../license';
import { parseOptionsFile, type Options, type OptionsDiagnostic } from '../options';

/**
 * Reading a vendor daemon's options file: `OPTIONS=` (or the second word after the name) on its
 * VENDOR line, relative to the license file, else `VENDOR.opt` beside the license file (reference
 * 5.1). Used by the server at start and lmreread, and by `triad check`.
 *
 * FlexNet does not require an options file, and nothing documents a vendor daemon refusing to
 * start over one, so neither a bad line nor a missing file stops the server (issue 15): the lines
 * that parse are used, and every problem is a located error or warning that the server writes to
 * its debug log and status snapshot. A line is never half applied; the parser's message says what
 * an ignored EXCLUDE, INCLUDE, RESERVE or MAX no longer does.
 */

export interface VendorOptions {
  vendor: string;
  /** As written on the VENDOR line, or the default `VENDOR.opt` beside the license file. */
  path: string;
  /** Whether the file was there and read. */
  found: boolean;
  /** null: no file, so no options apply. */
  options: Options | null;
  /** Errors and warnings, each at FILE:LINE:COL with a hint. */
  problems: OptionsDiagnostic[];
}

export function readVendorOptions(licensePath: string, vendor: VendorLine): VendorOptions {
  const declared = vendor.options;
  const file = declared ? path.resolve(path.dirname(licensePath), declared) : path.join(path.dirname(licensePath), `${vendor.name}.opt`);
  const shown = declared ?? file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // no default file is normal; a named one that cannot be read is an error
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    const problems = declared ? [unreadableFile(licensePath, vendor, declared, code)] : [];
    return { vendor: vendor.name, path: shown, found: false, options: null, problems };
  }
  const { options, diagnostics } = parseOptionsFile(text, file);
  return { vendor: vendor.name, path: shown, found: true, options, problems: diagnostics };
}

function unreadableFile(licensePath: string, vendor: VendorLine, declared: string, code: string): OptionsDiagnostic {
  const windows = path.sep === '/' && /^([A-Za-z]:[\\/]|\\\\)/.test(declared);
  const first = (vendor.source ?? '').split('\n')[0]!;
  const at = first.indexOf(declared);
  const keyword = at < 0 ? -1 : first.toUpperCase().lastIndexOf('OPTIONS=', at);
  const column = keyword >= 0 && keyword + 'OPTIONS='.length === at ? keyword + 1 : at + 1;
  return {
    severity: 'error',
    file: licensePath,
    line: vendor.line,
    column: Math.max(column, 1),
    message:
      `options file "${declared}" named on the VENDOR ${vendor.name} line ` +
        `${code === 'ENOENT' ? 'does not exist here' : `cannot be read (${code})`}${windows ? ' (a Windows path, left from another machine)' : ''}; ` +
      `${vendor.name} serves without an options file, so no EXCLUDE, INCLUDE, RESERVE or MAX applies`,
    hint: `copy the options file to this machine and write its path on the VENDOR line ` +
      `(OPTIONS=${path.join(path.dirname(licensePath), `${vendor.name}.opt`)}), or remove OPTIONS= to use ${vendor.name}.opt beside the license file`,
  };
}
