import { describe, expect, it } from 'vitest';
import { TrustStore, checkLicenseText, generateVendorKeyPair, serializeLicenseFile, signLicenseFile, parseLicenseText } from '../../../src/core/license';

const keys = generateVendorKeyPair('acme');
const trust = new TrustStore();
trust.add('acme', keys.publicKeyPem);
const NOW = Date.UTC(2026, 10, 28);

const TEXT = [
  'SERVER solo 0a0b0c0d0e0f 27000',
  'VENDOR acme OPTIONS=acme.opt PORT=27010',
  'PACKAGE suite acme 1.0 COMPONENTS="cad viewer"',
  'FEATURE suite acme 1.0 31-dec-2020 5',
  'FEATURE cad acme 2.0 permanent 3 START=1-jan-2030',
].join('\n');
const signed = serializeLicenseFile(signLicenseFile(parseLicenseText(TEXT, 'x').file, 'acme', keys.privateKeyPem).file);

describe('checkLicenseText', () => {
  it('reports a single server, vendors, features, and clock warnings', () => {
    const report = checkLicenseText(signed, 'acme.lic', trust, NOW);
    expect(report.fileName).toBe('acme.lic');
    expect(report.servers).toEqual([{ host: 'solo', hostid: '0a0b0c0d0e0f', port: 27000, role: 'single' }]);
    expect(report.vendors).toEqual([{ name: 'acme', port: 27010, options: 'acme.opt' }]);
    const lines = parseLicenseText(signed, 'x').file.features.map((f) => f.line);
    expect(report.features.map((f) => [f.name, f.signature, f.line])).toEqual([
      ['suite', 'valid', lines[0]],
      ['cad', 'valid', lines[1]],
    ]);
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => [w.line, w.message])).toEqual([
      [lines[0], 'suite expired on 31-dec-2020'],
      [lines[1], 'cad starts on 1-jan-2030, in the future'],
    ]);
  });

  it('an INVALID package or feature signature is an error with a hint', () => {
    const report = checkLicenseText(signed.replace('COMPONENTS="cad viewer"', 'COMPONENTS="cad viewer extra"'), 'acme.lic', trust, NOW);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ line: 3, message: expect.stringContaining('PACKAGE suite') });
    expect(report.errors[0].hint).toBeTruthy();
  });

  it('an unsigned line of a trusted vendor is an error; without trust it is only unverified', () => {
    expect(checkLicenseText(TEXT, 'acme.lic', trust, NOW).errors.map((e) => e.line)).toEqual([3, 4, 5]);
    const untrusted = checkLicenseText(TEXT, 'acme.lic', new TrustStore(), NOW);
    expect(untrusted.errors).toEqual([]);
    expect(untrusted.features.every((f) => f.signature === 'unverified')).toBe(true);
  });
});
