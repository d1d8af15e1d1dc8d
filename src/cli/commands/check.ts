import { readFileSync } from 'node:fs';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import type { LicenseCheckReport, LicenseDiagnostic, SignatureState } from '../../shared/contract';
import { TrustStore, checkLicenseText, formatDiagnostic, parseVendorKeyFile } from '../../core/license';

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

function renderText(report: LicenseCheckReport): string {
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
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The `--json` shape of issue 2: the report without file name, line numbers of features or severities. */
function jsonReport(report: LicenseCheckReport): unknown {
  const diagnostic = ({ line, column, message, hint }: LicenseDiagnostic) => ({ line, column, message, hint });
  return {
    servers: report.servers,
    vendors: report.vendors,
    features: report.features.map(({ name, vendor, version, expiry, count, signature }) => ({ name, vendor, version, expiry, count, signature })),
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
      const report = checkLicenseText(readText(file, 'license file'), file, trust, Date.now());
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(jsonReport(report), null, 2)}\n`);
      } else {
        process.stdout.write(renderText(report));
        for (const d of [...report.errors, ...report.warnings].sort((a, b) => a.line - b.line || a.column - b.column)) {
          process.stderr.write(`${formatDiagnostic({ ...d, file })}\n`);
        }
        process.stdout.write(`${plural(report.errors.length, 'error')}, ${plural(report.warnings.length, 'warning')}\n`);
      }
      if (report.errors.length > 0) process.exitCode = 1;
    });
};
