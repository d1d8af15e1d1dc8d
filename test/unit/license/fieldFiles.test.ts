// License files as they come from the field (issue 15, "Found"): each case failed before its fix.
import { describe, expect, it } from 'vitest';
import {
  TrustStore,
  checkLicenseText,
  generateVendorKeyPair,
  parseLicenseFile,
  parseLicenseText,
  serializeLicenseFile,
  signLicenseFile,
  verifyFeature,
} from '../../../src/core/license';

const NOW = Date.UTC(2026, 10, 28);
const errors = (text: string) => parseLicenseText(text, 'f.lic').diagnostics.filter((d) => d.severity === 'error');

describe('UPGRADE lines (Revenera "UPGRADE Lines")', () => {
  const text = [
    'SERVER solo 0a0b0c0d0e0f 27000',
    'VENDOR sampled',
    'INCREMENT f1 sampled 1.000 31-dec-2099 5 SIGN="AB12"',
    'UPGRADE f1 sampled 1.000 2.000 31-dec-2099 2 SIGN="CD34"',
  ].join('\n');

  it('are read as UPGRADE lines, not dropped as unknown keywords', () => {
    const { file, diagnostics } = parseLicenseFile(text, 'f.lic');
    expect(diagnostics).toEqual([]);
    expect(file!.upgrades).toEqual([
      expect.objectContaining({ kind: 'upgrade', name: 'f1', vendor: 'sampled', fromVersion: '1.000', version: '2.000', count: 2, sign: 'CD34', line: 4 }),
    ]);
    expect(file!.features).toHaveLength(1);
  });

  it('say what is missing when a field is', () => {
    const [e] = errors('VENDOR v\nUPGRADE f1 v 1.0 permanent 2\n');
    expect(e).toMatchObject({ line: 2, message: expect.stringMatching(/UPGRADE line is missing/), hint: expect.stringContaining('UPGRADE name vendor from_version to_version') });
  });

  it('are signed and verified like FEATURE lines: the from-version is covered', () => {
    const keys = generateVendorKeyPair('sampled');
    const trust = new TrustStore();
    trust.add('sampled', keys.publicKeyPem);
    const signed = signLicenseFile(parseLicenseText(text, 'f.lic').file, 'sampled', keys.privateKeyPem).file;
    expect(verifyFeature(signed, signed.upgrades[0]!, trust)).toBe('valid');
    const edited = parseLicenseText(serializeLicenseFile(signed).replace('1.000 2.000', '0.500 2.000'), 'f.lic').file;
    expect(verifyFeature(edited, edited.upgrades[0]!, trust)).toBe('invalid');
  });

  it('appear in the check report', () => {
    const report = checkLicenseText(text, 'f.lic', new TrustStore(), NOW);
    expect(report.upgrades).toEqual([
      { name: 'f1', vendor: 'sampled', fromVersion: '1.000', version: '2.000', expiry: '31-dec-2099', count: 2, signature: 'unverified', line: 4 },
    ]);
  });
});

describe('lines run together by a bad paste', () => {
  it('are an error at the second keyword, FILE:LINE:COL, and both lines are still read', () => {
    const text = 'SERVER s ANY 27000\nVENDOR v\nINCREMENT a v 1.0 permanent 5 SIGN="AAAA" INCREMENT b v 1.0 permanent 3 SIGN="BBBB"\n';
    const { file, diagnostics } = parseLicenseText(text, 'f.lic');
    const [e] = diagnostics.filter((d) => d.severity === 'error');
    expect(e).toMatchObject({ file: 'f.lic', line: 3, column: 43, message: expect.stringMatching(/second INCREMENT line starts here/) });
    expect(e!.hint).toMatch(/new line/);
    expect(file.features.map((f) => [f.name, f.count, f.sign])).toEqual([
      ['a', 5, 'AAAA'],
      ['b', 3, 'BBBB'],
    ]);
    // written back as read: the fix is the administrator's to make
    expect(serializeLicenseFile(file)).toBe(text);
  });

  it('are found after a continuation too, and for any line keyword', () => {
    const text = 'SERVER a 0a0b0c0d0e0f 27000 VENDOR v\nFEATURE a v 1.0 permanent 5 \\\n\tSIGN="AAAA" FEATURE b v 1.0 permanent 3\n';
    const found = errors(text).map((d) => [d.line, d.column, d.message.split(':')[0]]);
    expect(found).toEqual([
      [1, 29, expect.stringMatching(/second VENDOR line/)],
      [3, 14, expect.stringMatching(/second FEATURE line/)],
    ]);
  });
});

describe('a counted feature in a file without SERVER lines', () => {
  it('gets the same verdict with or without a VENDOR line, and advice that names no SERVER line', () => {
    for (const text of ['VENDOR v\nFEATURE f v 1.0 permanent 5\n', 'FEATURE f v 1.0 permanent 5\n']) {
      const found = errors(text);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ message: expect.stringMatching(/f is counted \(5 licenses\), but the file has no SERVER line/) });
      expect(found[0]!.hint).not.toMatch(/after the SERVER lines/);
    }
  });

  it('an uncounted one is fine with or without a VENDOR line', () => {
    expect(errors('FEATURE f v 1.0 permanent uncounted HOSTID=ANY\n')).toEqual([]);
    expect(errors('VENDOR v\nFEATURE f v 1.0 permanent 0 HOSTID=ANY\n')).toEqual([]);
  });

  it('a served file without the VENDOR line is told to add it after its SERVER lines', () => {
    const [e] = errors('SERVER a 0a0b0c0d0e0f 27000\nFEATURE f w 1.0 permanent 5\n');
    expect(e!.hint).toBe('add a line "VENDOR w" after the SERVER lines');
  });
});

describe('the check report', () => {
  it('lists PACKAGE lines with their components and signature state', () => {
    const text =
      'SERVER s ANY 27000\nVENDOR acme\nPACKAGE suite acme 1.0 COMPONENTS="cad:1.0 viewer:1.0:2" OPTIONS=SUITE SIGN="AB12"\nFEATURE suite acme 1.0 ' +
        'permanent 5 SIGN="CD34"\n';
    const report = checkLicenseText(text, 'p.lic', new TrustStore(), NOW);
    expect(report.packages).toEqual([
      { name: 'suite', vendor: 'acme', version: '1.0', components: ['cad:1.0', 'viewer:1.0:2'], signature: 'unverified', line: 3 },
    ]);
  });

  it('shows a count of 0 as uncounted', () => {
    const report = checkLicenseText('FEATURE f v 1.0 permanent 0 HOSTID=ANY\n', 'u.lic', new TrustStore(), NOW);
    expect(report.features[0]!.count).toBe('uncounted');
  });
});

describe('keys sign changes nothing the vendor wrote but SIGN=', () => {
  const keys = generateVendorKeyPair('acme');
  const sign = (text: string) => serializeLicenseFile(signLicenseFile(parseLicenseText(text, 'x.lic').file, 'acme', keys.privateKeyPem).file);
  const withoutSign = (text: string) => text.replace(/[ \t]*(\\\n\s*)?SIGN="[^"]*"/g, '');

  it('keeps year-0 expiries, layout, continuations and lowercase keywords, and only adds SIGN=', () => {
    const text = [
      '# issued by Acme',
      'SERVER lic1 0a0b0c0d0e0f 27000',
      'VENDOR acme',
      'INCREMENT cad acme 2.0 01-jan-0000 5 \\',
      '\tNOTICE="Licensed to \\',
      '\tSample corp" vendor_info="x"   ISSUED=1-Jan-2025',
      'feature viewer acme 1.0 1-jan-0 uncounted HOSTID=ANY',
      '',
    ].join('\n');
    const signed = sign(text);
    expect(withoutSign(signed)).toBe(text);
    expect(signed).toContain('01-jan-0000');
    expect(signed.match(/SIGN="/g)).toHaveLength(2);
  });

  it('replaces an existing SIGN= in place, wherever it sits on the line', () => {
    const text = 'SERVER lic1 0a0b0c0d0e0f 27000\nVENDOR acme\nFEATURE cad acme 2.0 permanent 5 SIGN="0000 1111" \\\n\tISSUER="Acme"\n';
    const signed = sign(text);
    expect(withoutSign(signed)).toBe(withoutSign(text));
    expect(signed).toMatch(/^FEATURE cad acme 2\.0 permanent 5 SIGN="[0-9A-F \\\n\t]+" \\\n\tISSUER="Acme"\n$/m);
    expect(signed).not.toContain('0000 1111');
    const trust = new TrustStore();
    trust.add('acme', keys.publicKeyPem);
    const back = parseLicenseText(signed, 'x.lic').file;
    expect(verifyFeature(back, back.features[0]!, trust)).toBe('valid');
  });
});
