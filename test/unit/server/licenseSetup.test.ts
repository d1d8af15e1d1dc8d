// What a license file serves once read with its trusted key: SUPERSEDE replaces older lines.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseVendorKeyFile, TrustStore } from '../../../src/core/license';
import { isAllowed } from '../../../src/core/options';
import { buildPools, issuedSeats, policyFeatureOf } from '../../../src/core/pool';
import { loadLicenseSetup } from '../../../src/core/licenseFiles/licenseSetup';
import { TEST_HOSTID, writeSignedLicense, type TestFeature } from '../../support/signedLicense';
import { makeTempDir } from '../../support/tempDir';

const temp = makeTempDir('triad-setup-');
afterAll(() => temp.remove());
const NOW = Date.UTC(2026, 10, 29);

function served(name: string, features: TestFeature[], options?: string, packages?: string[]) {
  const license = writeSignedLicense(`${temp.dir}/${name}`, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features, options, packages });
  const key = parseVendorKeyFile(readFileSync(license.publicKeyPath, 'utf8'));
  const trust = new TrustStore();
  if (key.ok && key.kind === 'public') trust.add(key.vendor, key.pem);
  const setup = loadLicenseSetup(license.licensePath, { hostid: TEST_HOSTID }, trust, NOW);
  const { pools } = buildPools(setup.poolLines);
  return {
    seats: Object.fromEntries(pools.map((p) => [p.name, issuedSeats(p, NOW)])),
    notes: setup.notes,
    pools,
    options: setup.options.get('ibmratl') ?? null,
  };
}

describe('SUPERSEDE (reference 1.5)', () => {
  it("replaces the same feature's lines issued before it, or without ISSUED, and says so", () => {
    const { seats, notes } = served('same-name', [
      { name: 'f1', count: 5, attributes: ['ISSUED=1-jan-2025'] },
      { name: 'f1', count: 3 },
      { name: 'f1', count: 10, attributes: ['ISSUED=1-jan-2026', 'SUPERSEDE'] },
      { name: 'f1', count: 2, attributes: ['ISSUED=1-feb-2026'] },
      { name: 'other', count: 4, attributes: ['ISSUED=1-jan-2020'] },
    ]);
    expect(seats).toEqual({ f1: 12, other: 4 });
    expect(notes.filter((n) => n.includes('superseded'))).toEqual([
      expect.stringMatching(/^"f1" \(license\.lic:\d+\) is superseded by line \d+ \(SUPERSEDE, ISSUED=1-jan-2026\)$/),
      expect.stringMatching(/^"f1" \(license\.lic:\d+\) is superseded by line \d+/),
    ]);
  });

  it('with a list, replaces the listed features', () => {
    const { seats } = served('listed', [
      { name: 'old_a', count: 5, attributes: ['ISSUED=1-jan-2025'] },
      { name: 'old_b', count: 5 },
      { name: 'suite', count: 8, attributes: ['ISSUED=1-jan-2026', 'SUPERSEDE="old_a old_b"'] },
    ]);
    expect(seats).toEqual({ suite: 8 });
  });
});

describe('options-file qualifiers on what a line carries (reference 5.1)', () => {
  it('match EXPDATE (any case, with or without a leading zero) and the end-user attributes', () => {
    const { pools, options } = served(
      'qualifiers',
      [{ name: 'f1', count: 5, expiry: '31-dec-2030', attributes: ['asset_info=ABC'] }],
      'EXCLUDE f1:EXPDATE=31-Dec-2030 USER ann\nEXCLUDE "f1 asset_info=ABC" USER bob\nEXCLUDE f1:EXPDATE=30-dec-2030 USER cat\n',
    );
    const feature = policyFeatureOf(pools[0]!);
    const who = (user: string) => ({ user, host: 'ws', display: ':0', ip: '10.0.0.1' });
    expect(isAllowed(options!, feature, who('ann'))).toMatchObject({ allowed: false });
    expect(isAllowed(options!, feature, who('bob'))).toMatchObject({ allowed: false });
    expect(isAllowed(options!, feature, who('cat'))).toEqual({ allowed: true });
  });
});

describe('PACKAGE (reference 1.6)', () => {
  it('serves the components of a signed package through its enabling line', () => {
    const { seats, pools, notes } = served('package', [{ name: 'suite', count: 3 }, { name: 'plain', count: 1 }], undefined, [
      'PACKAGE suite ibmratl 1.0 COMPONENTS="modeler analyzer:2.0:2"',
    ]);
    expect(seats).toEqual({ modeler: 3, analyzer: 6, plain: 1 });
    expect(pools.find((p) => p.name === 'analyzer')?.version).toBe('2.0');
    expect(pools.find((p) => p.name === 'modeler')?.version).toBe('1.0');
    expect(notes.filter((n) => n.includes('PACKAGE'))).toEqual([]);
  });

  it('says that OPTIONS=SUITE is served as separate features', () => {
    const { seats, notes } = served('suite', [{ name: 'suite', count: 2 }], undefined, ['PACKAGE suite ibmratl 1.0 COMPONENTS="a b" OPTIONS=SUITE']);
    expect(seats).toEqual({ a: 2, b: 2 });
    expect(notes).toContainEqual(expect.stringMatching(/^PACKAGE suite \(license\.lic:\d+\): OPTIONS=SUITE is not supported/));
  });
});

describe('UPGRADE (Revenera "UPGRADE Lines", issue 15)', () => {
  const seatsByVersion = (pools: ReturnType<typeof served>['pools']) => Object.fromEntries(pools.map((p) => [`${p.name} ${p.version}`, issuedSeats(p, NOW)]));

  it('moves up to its count from the closest preceding line of a version in [from, to) to a new version', () => {
    const { pools, notes } = served('upgrade', [
      { name: 'f1', count: 5, version: '1.0' },
      { name: 'f1', count: 2, version: '2.0', keyword: 'UPGRADE', from: '1.0' },
      { name: 'f2', count: 1, version: '3.0' },
      { name: 'f2', count: 4, version: '4.0', keyword: 'UPGRADE', from: '1.0' },
    ]);
    expect(seatsByVersion(pools)).toEqual({ 'f1 1.0': 3, 'f1 2.0': 2, 'f2 3.0': 0, 'f2 4.0': 1 });
    expect(notes).toContainEqual(expect.stringMatching(/^UPGRADE f2 \(license\.lic:\d+\) upgrades 1 of its 4 licenses: line \d+ has only 1$/));
  });

  it('upgrades nothing, and says so, without a line of a version below its target', () => {
    const { pools, notes } = served('upgrade-none', [
      { name: 'f1', count: 5, version: '2.0' },
      { name: 'f1', count: 2, version: '2.0', keyword: 'UPGRADE', from: '1.0' },
    ]);
    expect(seatsByVersion(pools)).toEqual({ 'f1 2.0': 5 });
    expect(notes).toContainEqual(expect.stringMatching(/^UPGRADE f1 \(license\.lic:\d+\) upgrades nothing: no FEATURE or INCREMENT line of f1 before it has a version from 1\.0 up to 2\.0$/));
  });
});

describe('options files that cannot be read whole (issue 15)', () => {
  const who = (user: string) => ({ user, host: 'ws', display: ':0', ip: '10.0.0.1' });

  it('a bad line does not stop the server: the other rules apply and the ignored line is an error at FILE:LINE:COL', () => {
    const license = writeSignedLicense(`${temp.dir}/bad-line`, {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [{ name: 'f1', count: 5 }],
      options: 'INCLUDE f1 USER bob # lead developer\nEXCLUDE f1 USER\nEXCLUDE f1 USER mallory\n',
    });
    const setup = load(license);
    const options = setup.options.get('ibmratl')!;
    const feature = policyFeatureOf(buildPools(setup.poolLines).pools[0]!);
    expect(isAllowed(options, feature, who('bob'))).toEqual({ allowed: true });
    expect(isAllowed(options, feature, who('ann'))).toMatchObject({ allowed: false });
    expect(setup.optionsProblems.get('ibmratl')!.map((p) => [p.file, p.line, p.column, p.severity])).toEqual([
      [expect.stringMatching(/ibmratl\.opt$/), 1, 21, 'warning'],
      [expect.stringMatching(/ibmratl\.opt$/), 2, 1, 'error'],
    ]);
    expect(setup.optionsProblems.get('ibmratl')![1]!.message).toMatch(/EXCLUDE line is ignored/);
  });

  it('a missing options file named on the VENDOR line (a Windows path on Linux) does not stop the server; the error names the VENDOR line', () => {
    const license = writeSignedLicense(`${temp.dir}/moved`, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'f1', count: 5 }] });
    const text = readFileSync(license.licensePath, 'utf8');
    writeFileSync(license.licensePath, text.replace('VENDOR ibmratl\n', 'VENDOR ibmratl OPTIONS=C:\\flexlm\\ibmratl.opt\n'));
    const setup = load(license);
    expect(setup.options.get('ibmratl')).toBeNull();
    const vendorLine = text.split('\n').indexOf('VENDOR ibmratl') + 1;
    expect(setup.optionsProblems.get('ibmratl')).toEqual([
      expect.objectContaining({ file: license.licensePath, line: vendorLine, column: 16, severity: 'error', message: expect.stringMatching(/C:\\flexlm\\ibmratl\.opt.*does not exist.*Windows path.*without an options file/) }),
    ]);
    expect(setup.optionsProblems.get('ibmratl')![0]!.hint).toMatch(/OPTIONS=/);
  });

  function load(license: { licensePath: string; publicKeyPath: string }) {
    const key = parseVendorKeyFile(readFileSync(license.publicKeyPath, 'utf8'));
    const trust = new TrustStore();
    if (key.ok && key.kind === 'public') trust.add(key.vendor, key.pem);
    return loadLicenseSetup(license.licensePath, { hostid: TEST_HOSTID }, trust, NOW);
  }
});

describe('a pasted copy of a signed line', () => {
  it('adds no seats when the server reads the file (the pools see each line\'s SIGN=)', () => {
    const { seats, pools } = served('copy', [
      { name: 'f1', count: 5 },
      { name: 'f1', count: 5 },
    ]);
    expect(seats).toEqual({ f1: 5 });
    expect(pools[0]!.attrs.SIGN).toMatch(/^([0-9A-F]{4} ){31}[0-9A-F]{4}$/);
  });
});
