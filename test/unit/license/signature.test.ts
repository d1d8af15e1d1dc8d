import { describe, expect, it } from 'vitest';
import {
  TrustStore,
  formatVendorKeyFile,
  generateVendorKeyPair,
  keyFingerprint,
  licenseHash,
  parseLicenseFile,
  parseVendorKeyFile,
  serializeLicenseFile,
  signLicenseFile,
  verifyFeature,
  type LicenseFile,
} from '../../../src/core/license';

const ibm = generateVendorKeyPair('ibmratl');
const other = generateVendorKeyPair('ibmratl');
const acme = generateVendorKeyPair('acme');

const ISSUED = [
  '# issued to ACME',
  'SERVER Apple 111dead 27000 HEARTBEAT_INTERVAL=5',
  'SERVER Orange 2222dead 27000',
  'SERVER Banana 3333dead 27000',
  'VENDOR ibmratl /opt/rlks/ibmratl ibmratl.opt 27002',
  'VENDOR acme',
  'INCREMENT DOORS ibmratl 9.7 31-dec-2030 25 DUP_GROUP=UH VENDOR_STRING="site A" vendor_info="x" \\',
  '\tNOTICE="Licensed to \\',
  '\tACME"',
  'FEATURE other acme 1.0 permanent 3',
  'PACKAGE suite ibmratl 1.0 COMPONENTS="DOORS"',
].join('\n');

function parse(text: string): LicenseFile {
  const { file, diagnostics } = parseLicenseFile(text, 'issued.lic');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return file!;
}

const trust = new TrustStore();
trust.add('ibmratl', ibm.publicKeyPem);
const signedText = serializeLicenseFile(signLicenseFile(parse(ISSUED), 'ibmratl', ibm.privateKeyPem).file);

function doorsState(text: string, store: TrustStore = trust) {
  const file = parse(text);
  return verifyFeature(file, file.features[0], store);
}

describe('signing', () => {
  it('signs every line of the vendor and no other, keeping comments and other lines', () => {
    const file = parse(signedText);
    expect(file.features[0].sign).toMatch(/^([0-9A-F]{4} ){31}[0-9A-F]{4}$/);
    expect(file.packages[0].sign).not.toBeNull();
    expect(file.features[1].sign).toBeNull();
    expect(signedText.startsWith('# issued to ACME\nSERVER Apple 111dead 27000 HEARTBEAT_INTERVAL=5\n')).toBe(true);
    expect(verifyFeature(file, file.features[0], trust)).toBe('valid');
    expect(verifyFeature(file, file.packages[0], trust)).toBe('valid');
    expect(verifyFeature(file, file.features[1], trust)).toBe('unverified');
  });

  it('re-signing gives the same text (Ed25519 is deterministic)', () => {
    expect(serializeLicenseFile(signLicenseFile(parse(signedText), 'ibmratl', ibm.privateKeyPem).file)).toBe(signedText);
  });

  it('a key of the same vendor that did not sign says invalid; a vendor with no key says unverified', () => {
    const wrong = new TrustStore();
    wrong.add('ibmratl', other.publicKeyPem);
    expect(doorsState(signedText, wrong)).toBe('invalid');
    expect(doorsState(signedText, new TrustStore())).toBe('unverified');
    const both = new TrustStore();
    both.add('ibmratl', other.publicKeyPem);
    both.add('ibmratl', ibm.publicKeyPem);
    expect(doorsState(signedText, both)).toBe('valid');
  });

  it('an unsigned line of a trusted vendor is invalid', () => {
    expect(doorsState(ISSUED)).toBe('invalid');
  });
});

describe('what the signature covers', () => {
  const invalidating: [string, string, string][] = [
    ['count', ' 25 DUP_GROUP', ' 26 DUP_GROUP'],
    ['expiry', '31-dec-2030', '31-dec-2031'],
    ['version', 'DOORS ibmratl 9.7', 'DOORS ibmratl 9.8'],
    ['keyword', 'INCREMENT DOORS', 'FEATURE DOORS'],
    ['feature name', 'INCREMENT DOORS', 'INCREMENT DOORZ'],
    ['SERVER host id', 'Orange 2222dead', 'Orange 2222beef'],
    ['SERVER order', 'SERVER Orange 2222dead 27000\nSERVER Banana 3333dead 27000', 'SERVER Banana 3333dead 27000\nSERVER Orange 2222dead 27000'],
    ['an uppercase attribute value', 'DUP_GROUP=UH', 'DUP_GROUP=U'],
    ['an added uppercase attribute', 'DUP_GROUP=UH', 'DUP_GROUP=UH TS_OK'],
    ['a removed uppercase attribute', 'DUP_GROUP=UH ', ''],
    ['quoted text', 'VENDOR_STRING="site A"', 'VENDOR_STRING="site B"'],
  ];
  it.each(invalidating)('changing the %s invalidates it', (_what, from, to) => {
    expect(signedText).toContain(from);
    expect(doorsState(signedText.replace(from, to))).toBe('invalid');
  });

  const harmless: [string, string, string][] = [
    ['a host name', 'SERVER Orange', 'SERVER orange2.example.com'],
    ['a SERVER port', 'Apple 111dead 27000', 'Apple 111dead 27100'],
    ['HEARTBEAT_INTERVAL', 'HEARTBEAT_INTERVAL=5', 'HEARTBEAT_INTERVAL=20 PRIMARY_IS_MASTER'],
    ['the VENDOR path', '/opt/rlks/ibmratl', '/usr/local/ibmratl'],
    ['the VENDOR options file', 'ibmratl.opt', 'other.opt'],
    ['the VENDOR port', 'ibmratl.opt 27002', 'ibmratl.opt 27005'],
    ['a lowercase attribute', 'vendor_info="x"', 'vendor_info="y" sort=10'],
    ['comments and blank lines', '# issued to ACME', '# moved\n\n# here'],
    ['USE_SERVER', 'VENDOR acme', 'VENDOR acme\nUSE_SERVER'],
    ['the host id case', '2222dead', '2222DEAD'],
  ];
  it.each(harmless)('changing %s keeps it valid', (_what, from, to) => {
    expect(signedText).toContain(from);
    expect(doorsState(signedText.replace(from, to))).toBe('valid');
  });

  it('re-wrapping the line keeps it valid', () => {
    const file = parse(signedText);
    const oneLine = signedText.replace(/ \\\n\t/g, ' ');
    expect(oneLine.split('\n').length).toBeLessThan(signedText.split('\n').length);
    expect(doorsState(oneLine)).toBe('valid');
    expect(file.features[0].line).toBe(7);
  });
});

describe('license hash', () => {
  it('ignores comments, whitespace, host names and ports but not host ids, order or signatures', () => {
    const base = licenseHash(parse(signedText));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(licenseHash(parse(signedText.replace('# issued to ACME', '# hello').replace('SERVER Apple', 'SERVER   apple.example.com')))).toBe(base);
    expect(licenseHash(parse(signedText.replace('Apple 111dead 27000', 'Apple 111dead 27001')))).toBe(base);
    expect(licenseHash(parse(signedText.replace('VENDOR acme', 'VENDOR acme\nUSE_SERVER')))).toBe(base);
    expect(licenseHash(parse(signedText.replace('VENDOR acme', 'VENDOR acme\nVENDOR extra')))).not.toBe(base);
    expect(licenseHash(parse(signedText.replace('vendor_info="x"', 'vendor_info="y"')))).toBe(base);
    expect(licenseHash(parse(signedText.replace('111dead', '111deaf')))).not.toBe(base);
    expect(licenseHash(parse(signedText.replace(/SIGN="(.)/, (_m, c: string) => `SIGN="${c === '0' ? '1' : '0'}`)))).not.toBe(base);
    expect(licenseHash(parse(ISSUED))).not.toBe(base);
  });
});

describe('key files', () => {
  it('round-trips the vendor and key through the file format', () => {
    const pub = parseVendorKeyFile(formatVendorKeyFile('acme', acme.publicKeyPem));
    const key = parseVendorKeyFile(formatVendorKeyFile('acme', acme.privateKeyPem));
    expect(pub).toMatchObject({ ok: true, vendor: 'acme', kind: 'public' });
    expect(key).toMatchObject({ ok: true, vendor: 'acme', kind: 'private' });
    expect(keyFingerprint(acme.publicKeyPem)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyFingerprint(acme.publicKeyPem)).not.toBe(keyFingerprint(ibm.publicKeyPem));
  });

  it('explains a file without vendor line or with a damaged key', () => {
    expect(parseVendorKeyFile(acme.publicKeyPem)).toMatchObject({ ok: false, message: expect.stringContaining('Vendor') });
    expect(parseVendorKeyFile('Vendor: x\nhello')).toMatchObject({ ok: false, message: expect.stringContaining('PEM') });
    const damaged = formatVendorKeyFile('acme', acme.publicKeyPem).replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAA');
    expect(parseVendorKeyFile(damaged)).toMatchObject({ ok: false, message: expect.stringContaining('damaged') });
  });
});
