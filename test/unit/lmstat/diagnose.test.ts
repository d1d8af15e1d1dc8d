import { describe, expect, it } from 'vitest';
import { parseDiagnosisSelection, selectedPools, type Diagnosis } from '../../../src/core/client/diagnose';
import { formatDiagnoses } from '../../../src/core/client/formatDiagnosis';
import { CLOCK, triadStatus } from './sampleStatus';

describe('lmdiag', () => {
  const pools = triadStatus().features;

  it('selects by FEATURE and by FEATURE:KEYWORD=value, and names the keywords it takes', () => {
    const select = (argument?: string) => {
      const selection = parseDiagnosisSelection(argument);
      if ('error' in selection) throw new Error(selection.error);
      return selectedPools(pools, selection).map((pool) => `${pool.name} ${pool.version}`);
    };
    expect(select()).toHaveLength(pools.length);
    expect(select('DOORS')).toEqual(['DOORS 9.7', 'DOORS 9.6']);
    expect(select('DOORS:VERSION=9.6')).toEqual(['DOORS 9.6']);
    expect(select('DOORS:vendor_string=SITE=PARIS')).toEqual(['DOORS 9.6']);
    expect(select('Rhapsody:HOSTID=ID=1234')).toEqual(['Rhapsody 1.0']);
    expect(parseDiagnosisSelection('DOORS:ISSUER=x')).toEqual({ error: expect.stringContaining('KEYWORD one of VERSION, EXPDATE, VENDOR_STRING, HOSTID') });
  });

  it('frames each license file and says why a license cannot be checked out', () => {
    const tau = pools.find((pool) => pool.name === 'Tau')!;
    const diagnoses: Diagnosis[] = [
      { entry: '27002@host2.domain.net', server: 'host2.domain.net', pool: pools[0], problem: null },
      { entry: '27002@host2.domain.net', server: 'host2.domain.net', pool: tau, problem: 'invalid signature' },
    ];
    const text = formatDiagnoses(diagnoses, CLOCK);
    expect(text.match(/^License file: 27002@host2\.domain\.net$/gm)).toHaveLength(1);
    expect(text).toContain(
      '"DOORS" v9.7, vendor: ibmratl, expiry: 31-dec-2026\n  License server: host2.domain.net\n  floating license  expires: 31-dec-2026\n\nThis ' +
        'license can be checked out\n',
    );
    expect(text).toContain('This license cannot be checked out because:\n\tinvalid signature\n');
    expect(formatDiagnoses([], CLOCK)).toMatch(/No licenses to diagnose/);
  });
});
