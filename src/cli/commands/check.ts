import { readFileSync } from 'node:fs';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import type { LicenseCheckReport, LicenseDiagnostic, SignatureState } from '../../shared/contract';
import { TrustStore, checkLicenseText, formatDiagnostic, parseLicenseText, parseVendorKeyFile } from '../../core/license';
import type { Options, OptionsDiagnostic } from '../../core/options';
import { readVendorOptions, type VendorOptions } from '../../core/licenseFiles/vendorOptions';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 2);
  }
}

function loadTrust(pubFiles: string[]): TrustStore {
  const trust = new TrustStore();
  for (const file of pubFiles) {
    const key = parseVendorKeyFile(readText(file, 'public key file'));
    if (!key.ok) throw new CliError(`${file}: ${key.message}; ${key.hint}`, 2);
    if (key.kind !== 'public') throw new CliError(`${file} is a private key; pass the vendor's .pub file to --trust`, 2);
    trust.add(key.vendor, key.pem);
  }
  return trust;
}

const SIGNATURE_LABEL: Record<SignatureState, string> = { valid: 'valid', invalid: 'INVALID', unverified: 'unverified' };

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()}\n`).join('');
}

function ruleCount(options: Options): number {
  const { includes, excludes, includeAll, excludeAll, reserves, maxes, timeouts, lingers } = options;
  return [includes, excludes, includeAll, excludeAll, reserves, maxes, timeouts, lingers].reduce((n, rules) => n + rules.length, 0);
}

function optionsState(read: VendorOptions): string {
  if (!read.options) return read.problems.length > 0 ? 'not found' : 'none (no file there)';
  const counts = [plural(ruleCount(read.options), 'rule'), plural(errorsOf(read).length, 'error'), plural(warningsOf(read).length, 'warning')];
  return counts.join(', ');
}

const errorsOf = (read: VendorOptions) => read.problems.filter((p) => p.severity === 'error');
const warningsOf = (read: VendorOptions) => read.problems.filter((p) => p.severity === 'warning');

function renderText(report: LicenseCheckReport, optionsFiles: VendorOptions[]): string {
  let out = `License file: ${report.fileName}\n`;
  out += report.servers.length === 0 ? 'Servers: none (uncounted licenses only)\n' : 'Servers:\n';
  if (report.servers.length > 0) {
    out += table(
      report.servers.map((s) => [s.role, s.host, s.hostid, s.port !== null ? `port ${s.port}` : s.role === 'single' ? 'port 27000-27009' : 'no port']),
    );
  }
  out += report.vendors.length === 0 ? 'Vendors: none\n' : 'Vendors:\n';
  if (report.vendors.length > 0) {
    out += table(
      report.vendors.map((v) => [v.name, v.port === null ? 'port any' : `port ${v.port}`, `options ${v.options ?? `${v.name}.opt (default)`}`]),
    );
  }
  out += report.features.length === 0 ? 'Features: none\n' : 'Features:\n';
  if (report.features.length > 0) {
    out += table([
      ['FEATURE', 'VENDOR', 'VERSION', 'EXPIRY', 'COUNT', 'SIGNATURE'],
      ...report.features.map((f) => [f.name, f.vendor, f.version, f.expiry, String(f.count), SIGNATURE_LABEL[f.signature]]),
    ]);
  }
  if (report.upgrades.length > 0) {
    out += `Upgrades:\n${table([
      ['UPGRADE', 'VENDOR', 'FROM', 'TO', 'EXPIRY', 'COUNT', 'SIGNATURE'],
      ...report.upgrades.map((u) => [u.name, u.vendor, u.fromVersion, u.version, u.expiry, String(u.count), SIGNATURE_LABEL[u.signature]]),
    ])}`;
  }
  if (report.packages.length > 0) {
    out += `Packages:\n${table([
      ['PACKAGE', 'VENDOR', 'VERSION', 'COMPONENTS', 'SIGNATURE'],
      ...report.packages.map((p) => [p.name, p.vendor, p.version ?? '-', p.components.join(' '), SIGNATURE_LABEL[p.signature]]),
    ])}`;
  }
  if (optionsFiles.length > 0) out += `Options files:\n${table(optionsFiles.map((read) => [read.vendor, read.path, optionsState(read)]))}`;
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The `--json` shape of issue 2 (the report without file name, line numbers of lines or
 * severities), with UPGRADE and PACKAGE lines, and each vendor's options file and its problems,
 * which name their file.
 */
function jsonReport(report: LicenseCheckReport, optionsFiles: VendorOptions[]): unknown {
  const diagnostic = ({ line, column, message, hint }: LicenseDiagnostic) => ({ line, column, message, hint });
  const located = ({ file, line, column, message, hint }: OptionsDiagnostic) => ({ file, line, column, message, hint });
  return {
    servers: report.servers,
    vendors: report.vendors,
    features: report.features.map(({ name, vendor, version, expiry, count, signature }) => ({ name, vendor, version, expiry, count, signature })),
    upgrades: report.upgrades.map(({ name, vendor, fromVersion, version, expiry, count, signature }) => ({
      name,
      vendor,
      fromVersion,
      version,
      expiry,
      count,
      signature,
    })),
    packages: report.packages.map(({ name, vendor, version, components, signature }) => ({ name, vendor, version, components, signature })),
    optionsFiles: optionsFiles.map((read) => ({
      vendor: read.vendor,
      path: read.path,
      found: read.found,
      errors: errorsOf(read).map(located),
      warnings: warningsOf(read).map(located),
    })),
    errors: report.errors.map(diagnostic),
    warnings: report.warnings.map(diagnostic),
  };
}

export const checkCommand: CommandModule = (program) => {
  program
    .command('check')
    .description('Validate a license file and verify its signatures (exit 0 ok, 1 errors or INVALID signature, 2 usage)')
    .argument('<file>', 'license file')
    .option('--trust <pubfile>', "a vendor's public key file (repeatable)", (value: string, all: string[] | undefined) => [...(all ?? []), value])
    .option('--json', 'print the report as JSON')
    .action((file: string, opts: { trust?: string[]; json?: boolean }) => {
      const trust = loadTrust(opts.trust ?? []);
      const text = readText(file, 'license file');
      const report = checkLicenseText(text, file, trust, Date.now());
      // what the server would read beside it: each vendor's options file (issue 15)
      const optionsFiles = parseLicenseText(text, file).file.vendors.map((vendor) => readVendorOptions(file, vendor));
      const optionsProblems = optionsFiles.flatMap((read) => read.problems);
      const errors = report.errors.length + optionsProblems.filter((p) => p.severity === 'error').length;
      const warnings = report.warnings.length + optionsProblems.filter((p) => p.severity === 'warning').length;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(jsonReport(report, optionsFiles), null, 2)}\n`);
      } else {
        process.stdout.write(renderText(report, optionsFiles));
        const ordered = [...report.errors, ...report.warnings].sort((a, b) => a.line - b.line || a.column - b.column).map((d) => ({ ...d, file }));
        for (const d of [...ordered, ...optionsProblems]) process.stderr.write(`${formatDiagnostic(d)}\n`);
        process.stdout.write(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
      }
      if (errors > 0) process.exitCode = 1;
    });
};
