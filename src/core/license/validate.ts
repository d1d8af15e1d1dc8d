import type { Diagnostic } from './diagnostic';
import { formatExpiry, formatLicenseDate, isExpired, parseLicenseDate, startOfDayMs } from './expiry';
import { attributeValue } from './attributes';
import { isUncounted, signedLines, type LicenseFile, type LicenseLine, type ServerLine } from './model';
import { renderLine } from './render';

/** 1-based column of `text` on the line's first physical line, or 1 when not found. */
function columnOf(l: LicenseLine, text: string): number {
  const first = (l.source ?? '').split('\n')[0];
  const at = text === '' ? -1 : first.indexOf(text);
  return at < 0 ? 1 : at + 1;
}

/** 1-based column of the n-th word (0 = the keyword) on the line's first physical line, or 1. */
function wordColumn(l: LicenseLine, n: number): number {
  const words = [...(l.source ?? '').split('\n')[0]!.matchAll(/\S+/g)];
  return (words[n]?.index ?? 0) + 1;
}

function mostCommonPort(servers: ServerLine[]): number {
  const counts = new Map<number, number>();
  for (const s of servers) if (s.port !== null) counts.set(s.port, (counts.get(s.port) ?? 0) + 1);
  let best = 27000;
  let bestCount = 0;
  for (const [port, n] of counts) if (n > bestCount) [best, bestCount] = [port, n];
  return best;
}

function serverDiagnostics(file: LicenseFile): Omit<Diagnostic, 'file'>[] {
  const out: Omit<Diagnostic, 'file'>[] = [];
  const servers = file.servers.filter((s) => s.host !== '');
  if (servers.length === 2 || servers.length > 3) {
    const extra = servers.length === 2 ? servers[1] : servers[3];
    out.push({
      severity: 'error',
      line: extra.line,
      column: 1,
      message: `the file has ${servers.length} SERVER lines; a license server is either one server or a triad of exactly three`,
      hint:
        servers.length === 2
          ? 'add a third SERVER line for a triad, or remove this one for a single server'
          : 'keep one SERVER line, or exactly three for a triad',
    });
  }
  if (servers.length === 3) {
    const port = mostCommonPort(servers);
    servers.forEach((s, index) => {
      if (s.port !== null) return;
      const fixed = renderLine({ ...s, port });
      out.push({
        severity: 'error',
        line: s.line,
        column: columnOf(s, s.hostid) + s.hostid.length,
        message:
          `SERVER line ${index + 1} (${s.host}) has no port: a three-server triad needs a port on every SERVER line ` +
          '(FlexLM crashes after "Attempting to establish quorum" on such a file)',
        hint: `add the port after the host id: ${fixed}`,
      });
    });
  }
  const seen = new Map<string, ServerLine>();
  for (const s of servers) {
    const first = seen.get(s.host.toLowerCase());
    if (first) {
      out.push({
        severity: 'error',
        line: s.line,
        column: columnOf(s, s.host),
        message: `host "${s.host}" is already named on the SERVER line at line ${first.line}`,
        hint: 'each member of a triad must be a different machine: name three different hosts',
      });
    } else seen.set(s.host.toLowerCase(), s);
  }
  return out;
}

function vendorDiagnostics(file: LicenseFile): Omit<Diagnostic, 'file'>[] {
  const out: Omit<Diagnostic, 'file'>[] = [];
  const declared = new Set(file.vendors.map((v) => v.name));
  // Files with only uncounted features may have no SERVER and no VENDOR line (reference 1.1);
  // a counted line there is reported once, by servedOnlyByServers, whatever the VENDOR lines say.
  const served = file.servers.length > 0;
  for (const f of signedLines(file)) {
    if (f.vendor === '' || declared.has(f.vendor) || !served) continue;
    out.push({
      severity: 'error',
      line: f.line,
      column: columnOf(f, f.vendor),
      message: `vendor "${f.vendor}" of ${f.name} has no VENDOR line`,
      hint: `add a line "VENDOR ${f.vendor}" after the SERVER lines`,
    });
  }
  return out;
}

/**
 * "If any features have a non-zero license count, then the customer needs a license server to
 * count those licenses" and "the absence of a SERVER line means that every feature definition line
 * in the license file is uncounted" (Revenera, Counted vs. Uncounted Licenses; SERVER Lines): a
 * counted line in a file without SERVER lines names no server to count it. One verdict for every
 * such file, with or without VENDOR lines.
 */
function servedOnlyByServers(file: LicenseFile): Omit<Diagnostic, 'file'>[] {
  if (file.servers.length > 0) return [];
  return [...file.features, ...file.upgrades]
    .filter((f) => !isUncounted(f.count))
    .map((f) => ({
      severity: 'error' as const,
      line: f.line,
      column: wordColumn(f, f.kind === 'upgrade' ? 6 : 5),
      message: `${f.name} is counted (${f.count} license${f.count === 1 ? '' : 's'}), but the file has no SERVER line: a file without SERVER lines ` +
        `holds only uncounted licenses`,
      hint: `counted licenses need a license server: add the SERVER line of the server the file was issued for (host, its host id, port) and a VENDOR ` +
        `${f.vendor} line, as some publishers' installers do, or ask the publisher for the file with them`,
    }));
}

function dateAttributeDiagnostics(file: LicenseFile): Omit<Diagnostic, 'file'>[] {
  const out: Omit<Diagnostic, 'file'>[] = [];
  for (const f of signedLines(file)) {
    for (const key of ['START', 'ISSUED']) {
      const value = attributeValue(f, key);
      if (value === undefined) continue;
      const parsed = parseLicenseDate(value);
      if (!parsed.ok) {
        out.push({ severity: 'error', line: f.line, column: columnOf(f, `${key}=`), message: `${key}: ${parsed.message}`, hint: parsed.hint });
      }
    }
  }
  return out;
}

/** Checks across lines that do not depend on the clock; run by the parser. */
export function structuralDiagnostics(file: LicenseFile): Diagnostic[] {
  return [...serverDiagnostics(file), ...vendorDiagnostics(file), ...servedOnlyByServers(file), ...dateAttributeDiagnostics(file)].map((d) => ({
    ...d,
    file: file.fileName,
  }));
}

/** Checks that depend on "now" (passed in: this module is pure). Warnings only. */
export function validateLicenseFile(file: LicenseFile, { nowMs }: { nowMs: number }): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of [...file.features, ...file.upgrades]) {
    if (isExpired(f.expiry, nowMs)) {
      out.push({
        severity: 'warning',
        file: file.fileName,
        line: f.line,
        column: columnOf(f, formatExpiryAsWritten(f.source, formatExpiry(f.expiry))),
        message: `${f.name} expired on ${formatExpiry(f.expiry)}`,
        hint: 'ask the publisher for a renewed license; expired features are not served',
      });
    }
    const start = attributeValue(f, 'START');
    const parsed = start === undefined ? null : parseLicenseDate(start);
    if (parsed?.ok && parsed.date !== 'year-zero' && startOfDayMs(parsed.date) > nowMs) {
      out.push({
        severity: 'warning',
        file: file.fileName,
        line: f.line,
        column: columnOf(f, 'START='),
        message: `${f.name} starts on ${formatLicenseDate(parsed.date)}, in the future`,
        hint: `the feature is not served before ${formatLicenseDate(parsed.date)}; check the date or this machine's clock`,
      });
    }
  }
  return out;
}

/** The expiry as it appears in the source (case may differ), so the column points at it. */
function formatExpiryAsWritten(source: string | null, formatted: string): string {
  const first = (source ?? '').split('\n')[0];
  const at = first.toLowerCase().indexOf(formatted.toLowerCase());
  return at < 0 ? formatted : first.slice(at, at + formatted.length);
}
