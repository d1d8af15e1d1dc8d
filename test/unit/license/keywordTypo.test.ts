import { describe, expect, it } from 'vitest';
import { checkLicenseText, TrustStore } from '../../../src/core/license';
import { mistypedKeyword } from '../../../src/core/license/keywordTypo';

describe('a mistyped keyword', () => {
  it('is recognised as the keyword it misses', () => {
    expect(mistypedKeyword('FEATUR')).toBe('FEATURE');
    expect(mistypedKeyword('INCREMNT')).toBe('INCREMENT');
    expect(mistypedKeyword('feautre')).toBe('FEATURE');
    expect(mistypedKeyword('SEVER')).toBe('SERVER');
    expect(mistypedKeyword('VENDER')).toBe('VENDOR');
  });

  it('leaves keywords and unrelated words alone', () => {
    for (const word of ['FEATURE', 'increment', 'UPGRADE', 'FEATURESET', 'NOTICE', 'HOST']) expect(mistypedKeyword(word)).toBeNull();
  });

  it('drops its line with an error the admin sees, not a warning', () => {
    const text = 'SERVER lic1 ANY 27000\nVENDOR ibmratl\nFEATUR cad ibmratl 1.0 permanent 5\nFEATURESET ibmratl 0123\n';
    const report = checkLicenseText(text, 'typo.lic', new TrustStore(), 0);
    expect(report.errors).toEqual([
      expect.objectContaining({
        line: 3,
        column: 1,
        message: expect.stringContaining('(FEATURE mistyped?); the line is not read, so nothing on it is served'),
      }),
    ]);
    expect(report.warnings.map((w) => w.line)).toContain(4);
    expect(report.features).toEqual([]);
  });
});
