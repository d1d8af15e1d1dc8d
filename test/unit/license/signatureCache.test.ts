import { describe, expect, it } from 'vitest';
import {
  TrustStore,
  generateVendorKeyPair,
  inThreadVerifier,
  parseLicenseFile,
  signLicenseFile,
  signatureCheckKey,
  signedLines,
  verifyFeatures,
  type LicenseFile,
  type SignatureCache,
  type SignatureCheck,
  type SignatureVerifier,
} from '../../../src/core/license';

const ibm = generateVendorKeyPair('ibmratl');
const otherIbm = generateVendorKeyPair('ibmratl');

function signedFile(lines: string[]): LicenseFile {
  const text = ['SERVER Apple 111dead 27000', 'VENDOR ibmratl', ...lines].join('\n');
  return signLicenseFile(parseLicenseFile(text, 'a.lic').file!, 'ibmratl', ibm.privateKeyPem).file;
}

const file = signedFile(['INCREMENT DOORS ibmratl 9.7 31-dec-2030 25', 'INCREMENT RSA ibmratl 1.0 permanent 5']);

/** What the store keeps, in memory; `added` lists every key handed to it. */
function memoryCache(): SignatureCache & { added: string[] } {
  const keys = new Set<string>();
  const added: string[] = [];
  return { passed: (asked) => new Set(asked.filter((k) => keys.has(k))), add: (more) => void (added.push(...more), more.forEach((k) => keys.add(k))), added };
}

/** The in-thread verifier, counting the checks it performs. */
function countingVerifier(): SignatureVerifier & { count: number } {
  const verifier = {
    count: 0,
    verify: (checks: readonly SignatureCheck[]) => ((verifier.count += checks.length), inThreadVerifier.verify(checks)),
  };
  return verifier;
}

/** A server start: a new TrustStore (empty memory) on the same cache. */
function start(cache: SignatureCache, key = ibm.publicKeyPem) {
  const verifier = countingVerifier();
  const trust = new TrustStore({ cache, verifier });
  trust.add('ibmratl', key);
  return { trust, verifier };
}

describe('signature cache', () => {
  it('a restart verifies nothing it verified before (hit)', () => {
    const cache = memoryCache();
    const first = start(cache);
    expect(verifyFeatures(file, signedLines(file), first.trust)).toEqual(['valid', 'valid']);
    expect(first.verifier.count).toBe(2);
    expect(cache.added).toHaveLength(2);
    const second = start(cache);
    expect(verifyFeatures(file, signedLines(file), second.trust)).toEqual(['valid', 'valid']);
    expect(second.verifier.count).toBe(0);
  });

  it('a changed line misses and is refused', () => {
    const cache = memoryCache();
    verifyFeatures(file, signedLines(file), start(cache).trust);
    // the count raised from 25 to 250 after signing, SIGN= kept
    const text = ['SERVER Apple 111dead 27000', 'VENDOR ibmratl', ...file.features.map((f) => f.source!.replace(' 25 ', ' 250 '))].join('\n');
    const tampered = parseLicenseFile(text, 'a.lic').file!;
    const again = start(cache);
    expect(verifyFeatures(tampered, signedLines(tampered), again.trust)).toEqual(['invalid', 'valid']);
    expect(again.verifier.count).toBe(1);
  });

  it('another key of the vendor misses: its checks are verified, not taken from the first key', () => {
    const cache = memoryCache();
    verifyFeatures(file, signedLines(file), start(cache).trust);
    const otherKey = start(cache, otherIbm.publicKeyPem);
    expect(verifyFeatures(file, signedLines(file), otherKey.trust)).toEqual(['invalid', 'invalid']);
    expect(otherKey.verifier.count).toBe(2);
  });

  it('a failed check is not cached: it is verified again at every start', () => {
    const cache = memoryCache();
    const wrongKey = start(cache, otherIbm.publicKeyPem);
    expect(verifyFeatures(file, signedLines(file), wrongKey.trust)).toEqual(['invalid', 'invalid']);
    expect(cache.added).toEqual([]);
    const again = start(cache, otherIbm.publicKeyPem);
    verifyFeatures(file, signedLines(file), again.trust);
    expect(again.verifier.count).toBe(2);
  });

  it('with two keys of a vendor, each line and key is checked once and only the pass is cached', () => {
    const cache = memoryCache();
    const verifier = countingVerifier();
    const trust = new TrustStore({ cache, verifier });
    trust.add('ibmratl', otherIbm.publicKeyPem);
    trust.add('ibmratl', ibm.publicKeyPem);
    expect(verifyFeatures(file, signedLines(file), trust)).toEqual(['valid', 'valid']);
    expect(verifier.count).toBe(4);
    expect(cache.added).toHaveLength(2);
    // memory answers the same lines again
    verifyFeatures(file, signedLines(file), trust);
    expect(verifier.count).toBe(4);
  });

  it('the check key covers exactly the key, the signature and the bytes verified', () => {
    const publicKey = { object: null as never, der: Buffer.from('key') };
    const check = { data: Buffer.from('signed form'), signature: Buffer.alloc(64, 1), publicKey };
    const key = signatureCheckKey(check);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(signatureCheckKey({ ...check })).toBe(key);
    expect(signatureCheckKey({ ...check, data: Buffer.from('signed forn') })).not.toBe(key);
    expect(signatureCheckKey({ ...check, signature: Buffer.alloc(64, 2) })).not.toBe(key);
    expect(signatureCheckKey({ ...check, publicKey: { ...publicKey, der: Buffer.from('kez') } })).not.toBe(key);
    // bytes moved from one part to the next make another key (each part carries its length)
    const shifted = { ...check, publicKey: { ...publicKey, der: Buffer.from('ke') }, signature: Buffer.concat([Buffer.from('y'), check.signature]) };
    expect(signatureCheckKey(shifted)).not.toBe(key);
  });
});
