// Signatures are verified once per line and key: a restart of an unchanged license verifies
// nothing, a tampered line is still refused, and the backend keeps the passes in its store.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/core/backend';
import { parseVendorKeyFile, TrustStore, type SignatureCheck, type SignatureVerifier } from '../../src/core/license';
import { loadLicenseSetup, serverTrustSeams } from '../../src/core/licenseFiles/licenseSetup';
import { MIN_CHECKS_FOR_THREADS } from '../../src/core/licenseFiles/signatureThreads';
import { openStore } from '../../src/core/store';
import { TEST_HOSTID, writeSignedLicense, type TestFeature } from '../support/signedLicense';
import { makeTempDir } from '../support/tempDir';

const temp = makeTempDir('triad-sigcache-');
afterAll(() => temp.remove());
const NOW = Date.UTC(2026, 11, 5);
const servers = [{ host: '127.0.0.1', hostid: TEST_HOSTID }];
// enough lines that a cold load uses the helper threads
const features: TestFeature[] = Array.from({ length: MIN_CHECKS_FOR_THREADS + 100 }, (_, i) => ({ name: `f${i}`, count: 1 + (i % 9) }));

/** One server start on `dataDir`: its store, a TrustStore with the server's seams, the verifier counting what it verifies. */
function load(dataDir: string, licensePath: string, publicKeyPath: string) {
  const store = openStore(dataDir);
  try {
    const seams = serverTrustSeams(store, () => NOW);
    const counted = { verifies: 0 };
    const verifier: SignatureVerifier = {
      verify: (checks: readonly SignatureCheck[]) => ((counted.verifies += checks.length), seams.verifier!.verify(checks)),
    };
    const trust = new TrustStore({ ...seams, verifier });
    const key = parseVendorKeyFile(readFileSync(publicKeyPath, 'utf8'));
    if (!key.ok) throw new Error(key.message);
    trust.add(key.vendor, key.pem);
    const setup = loadLicenseSetup(licensePath, { hostid: TEST_HOSTID }, trust, NOW);
    return { verifies: counted.verifies, notServed: setup.poolLines.filter((l) => l.notServed).map((l) => [l.name, l.notServed!.code]) };
  } finally {
    store.close();
  }
}

describe('signatures verified once per line and key', () => {
  it('a restart with the unchanged file verifies nothing; a line tampered after that is verified and refused', () => {
    const license = writeSignedLicense(path.join(temp.dir, 'restart'), { servers, features });
    const dataDir = path.join(temp.dir, 'restart', 'data');
    const cold = load(dataDir, license.licensePath, license.publicKeyPath);
    expect(cold).toEqual({ verifies: features.length, notServed: [] });
    expect(load(dataDir, license.licensePath, license.publicKeyPath)).toEqual({ verifies: 0, notServed: [] });
    // f7's count raised by hand, its SIGN= kept
    const text = readFileSync(license.licensePath, 'utf8');
    writeFileSync(license.licensePath, text.replace(/^(INCREMENT f7 ibmratl 1.0 permanent) 8 /m, '$1 80 '));
    expect(readFileSync(license.licensePath, 'utf8')).not.toBe(text);
    expect(load(dataDir, license.licensePath, license.publicKeyPath)).toEqual({ verifies: 1, notServed: [['f7', 'BAD_SIGNATURE']] });
    // the refusal is not remembered as a pass
    expect(load(dataDir, license.licensePath, license.publicKeyPath)).toEqual({ verifies: 1, notServed: [['f7', 'BAD_SIGNATURE']] });
  });

  it('the server keeps the passes of its license in its store, and an lmreread of the tampered file still refuses the line', async () => {
    const license = writeSignedLicense(path.join(temp.dir, 'backend'), { servers, features: features.slice(0, 3) });
    const backend = await createBackend({
      dataDir: path.join(temp.dir, 'backend', 'data'),
      hostid: TEST_HOSTID,
      port: 0,
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
    });
    try {
      expect(backend.store.verifiedSignatures.count()).toBe(3);
      writeFileSync(license.licensePath, readFileSync(license.licensePath, 'utf8').replace(/^(INCREMENT f1 ibmratl 1.0 permanent) 2 /m, '$1 20 '));
      expect(await backend.admin({ type: 'lmreread' })).toMatchObject({ ok: true });
      const f1 = backend.status().features.find((f) => f.name === 'f1');
      expect(f1?.notServedReason).toMatch(/SIGN= does not verify/);
      expect(backend.status().features.filter((f) => f.notServedReason)).toHaveLength(1);
      expect(backend.store.verifiedSignatures.count()).toBe(3);
    } finally {
      await backend.stop('test finished');
    }
  });
});
