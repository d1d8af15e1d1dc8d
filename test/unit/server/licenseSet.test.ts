// Several license files served together, as lmgrd serves every *.lic of a license folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateVendorKeyPair, parseLicenseText, serializeLicenseFile, signLicenseFile, TrustStore } from '../../../src/core/license';
import { loadLicenseSetup, SetupError } from '../../../src/core/licenseFiles/licenseSetup';
import { licenseText, TEST_HOSTID, type TestLicense } from '../../support/signedLicense';
import { makeTempDir } from '../../support/tempDir';

const temp = makeTempDir('triad-license-set-');
afterAll(() => temp.remove());
const NOW = Date.UTC(2026, 10, 29);
const keys = generateVendorKeyPair('ibmratl');
const trust = new TrustStore();
trust.add('ibmratl', keys.publicKeyPem);

function folder(name: string, files: Record<string, TestLicense>): string {
  const dir = path.join(temp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [fileName, license] of Object.entries(files)) {
    const { file } = parseLicenseText(licenseText(license), fileName);
    writeFileSync(path.join(dir, fileName), serializeLicenseFile(signLicenseFile(file, 'ibmratl', keys.privateKeyPem).file));
  }
  return dir;
}

const server = [{ host: '127.0.0.1', hostid: TEST_HOSTID, port: 27000 }];

describe('a license folder', () => {
  it('serves the features of every *.lic in it, each line named by its own file', () => {
    const dir = folder('perm-and-term', {
      'rational_server_perm.lic': { servers: server, features: [{ name: 'modeler', count: 5 }] },
      'rational_server_temp.lic': { servers: server, features: [{ name: 'tester', count: 2, expiry: '31-dec-2030' }] },
    });
    writeFileSync(path.join(dir, 'notes.txt'), 'not a license file');
    const setup = loadLicenseSetup(dir, { hostid: TEST_HOSTID }, trust, NOW);
    expect(setup.files.map((f) => path.basename(f))).toEqual(['rational_server_perm.lic', 'rational_server_temp.lic']);
    expect(setup.poolLines.map((l) => [l.name, l.count, l.source, l.notServed])).toEqual([
      ['modeler', 5, expect.stringMatching(/^rational_server_perm\.lic:\d+$/), null],
      ['tester', 2, expect.stringMatching(/^rational_server_temp\.lic:\d+$/), null],
    ]);
    expect(setup.file.servers).toHaveLength(1);
  });

  it('refuses a file issued for other servers, naming it and the line', () => {
    const dir = folder('mixed', {
      'a.lic': { servers: server, features: [{ name: 'modeler', count: 5 }] },
      'b.lic': { servers: [{ host: 'elsewhere', hostid: '999999999999', port: 27000 }], features: [{ name: 'tester', count: 2 }] },
    });
    expect(() => loadLicenseSetup(dir, { hostid: TEST_HOSTID }, trust, NOW)).toThrow(/b\.lic:2:1: error: its SERVER lines \(elsewhere 999999999999\) are not those of a\.lic/);
  });

  it('an empty folder says there is nothing to serve', () => {
    const dir = folder('empty', {});
    expect(() => loadLicenseSetup(dir, { hostid: TEST_HOSTID }, trust, NOW)).toThrow(SetupError);
    expect(() => loadLicenseSetup(dir, { hostid: TEST_HOSTID }, trust, NOW)).toThrow(/no license files \(\*\.lic\)/);
  });
});
