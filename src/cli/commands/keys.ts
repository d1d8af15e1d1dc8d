import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import {
  VENDOR_NAME,
  formatDiagnostic,
  formatVendorKeyFile,
  generateVendorKeyPair,
  parseLicenseText,
  parseVendorKeyFile,
  serializeLicenseFile,
  signLicenseFile,
} from '../../core/license';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 2);
  }
}

function writeNew(file: string, text: string, mode: number, force: boolean): void {
  try {
    writeFileSync(file, text, { mode, flag: force ? 'w' : 'wx' });
    // `mode` applies only when the file is created; --force may overwrite an older file.
    chmodSync(file, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${file} already exists; pass --force to replace it (files signed with the old key stop verifying)`, 1);
    throw new CliError(`cannot write ${file}: ${code ?? String(error)}`, 1);
  }
}

/** Replaces a file through a rename, so a crash never leaves half a license file. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, file);
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1);
  }
}

export const keysCommand: CommandModule = (program) => {
  const keys = program.command('keys').description('Publisher keys: create an Ed25519 key pair, sign license files');

  keys
    .command('new')
    .description('Write a new Ed25519 key pair: NAME.key (private, mode 0600) and NAME.pub (for the servers\' trust store)')
    .requiredOption('--vendor <name>', 'vendor daemon name the key signs for, e.g. ibmratl')
    .requiredOption('--out <dir>', 'folder to write the two files to (created if missing)')
    .option('--force', 'replace existing key files')
    .action((opts: { vendor: string; out: string; force?: boolean }) => {
      if (!VENDOR_NAME.test(opts.vendor)) {
        throw new CliError(`vendor name "${opts.vendor}" may only hold letters, digits, "_", "." and "-" (at most 64)`, 2);
      }
      mkdirSync(opts.out, { recursive: true });
      const pair = generateVendorKeyPair(opts.vendor);
      const keyFile = path.join(opts.out, `${opts.vendor}.key`);
      const pubFile = path.join(opts.out, `${opts.vendor}.pub`);
      writeNew(keyFile, formatVendorKeyFile(opts.vendor, pair.privateKeyPem), 0o600, opts.force ?? false);
      writeNew(pubFile, formatVendorKeyFile(opts.vendor, pair.publicKeyPem), 0o644, opts.force ?? false);
      process.stdout.write(`Wrote ${keyFile} (keep it secret) and ${pubFile} (give it to license servers).\n`);
    });

  keys
    .command('sign')
    .description('Sign every FEATURE/INCREMENT/PACKAGE line of the key\'s vendor, writing SIGN="..."')
    .argument('<file>', 'license file')
    .requiredOption('--key <keyfile>', 'private key file written by `triad keys new` (NAME.key)')
    .option('-o, --output <out>', 'write the signed file here ("-" for standard output) instead of replacing FILE')
    .action((file: string, opts: { key: string; output?: string }) => {
      const key = parseVendorKeyFile(readText(opts.key, 'key file'));
      if (!key.ok) throw new CliError(`${opts.key}: ${key.message}; ${key.hint}`, 2);
      if (key.kind !== 'private') throw new CliError(`${opts.key} is a public key; signing needs the private NAME.key file`, 2);
      const { file: parsed, diagnostics } = parseLicenseText(readText(file, 'license file'), file);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        for (const d of errors) process.stderr.write(`${formatDiagnostic(d)}\n`);
        throw new CliError(`${file} has ${errors.length} error(s); fix them before signing`, 1);
      }
      const { file: signed, signed: count } = signLicenseFile(parsed, key.vendor, key.pem);
      if (count === 0) throw new CliError(`${file} has no FEATURE, INCREMENT or PACKAGE line of vendor ${key.vendor}; nothing was signed`, 1);
      const text = serializeLicenseFile(signed);
      const out = opts.output ?? file;
      if (out === '-') process.stdout.write(text);
      else writeAtomically(out, text);
      process.stderr.write(`Signed ${count} line(s) of vendor ${key.vendor}${out === '-' ? '' : ` into ${out}`}.\n`);
    });
};
