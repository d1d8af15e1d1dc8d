import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  TrustStore,
  generateVendorKeyPair,
  parseLicenseFile,
  serializeLicenseFile,
  signLicenseFile,
  verifyFeature,
} from '../src/core/license';

/** A triad file of `features` INCREMENT lines (~220 bytes each with SIGN, so 5,000 make ~1 MB). */
function licenseText(features: number): string {
  const lines = [
    '# Benchmark license file',
    'SERVER Apple 111dead 27000',
    'SERVER Orange 2222dead 27000',
    'SERVER Banana 3333dead 27000',
    'VENDOR ibmratl port=27002',
  ];
  for (let i = 0; i < features; i += 1) {
    lines.push(
      `INCREMENT feature_${i} ibmratl ${1 + (i % 9)}.0 31-dec-2099 ${1 + (i % 50)} ISSUED=01-jan-2026`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Generates and signs a license file in a temp dir, then times reading, parsing and verifying
 * every signature, the work a server does on import (`totalMs`; target < 200 ms for 5,000), and
 * a reread of the same file (`rereadMs`).
 */
export async function benchLicenseParse(features = 5000): Promise<Record<string, number>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'triad-bench-license-'));
  try {
    const keys = generateVendorKeyPair('ibmratl');
    const unsigned = parseLicenseFile(licenseText(features), 'bench.lic').file;
    if (!unsigned) throw new Error('benchmark license file does not parse');
    const file = path.join(dir, 'bench.lic');
    writeFileSync(file, serializeLicenseFile(signLicenseFile(unsigned, 'ibmratl', keys.privateKeyPem).file));
    const trust = new TrustStore();
    trust.add('ibmratl', keys.publicKeyPem);

    const start = performance.now();
    const text = readFileSync(file, 'utf8');
    const { file: parsed, diagnostics } = parseLicenseFile(text, file);
    const parsedAt = performance.now();
    if (!parsed) throw new Error(`benchmark license file has errors: ${diagnostics[0]?.message}`);
    let valid = 0;
    for (const feature of parsed.features) if (verifyFeature(parsed, feature, trust) === 'valid') valid += 1;
    const end = performance.now();
    if (valid !== features) throw new Error(`only ${valid} of ${features} signatures verified`);
    // A reread of the unchanged file: parsing again, signatures answered from the trust store.
    const reread = parseLicenseFile(readFileSync(file, 'utf8'), file).file!;
    for (const feature of reread.features) verifyFeature(reread, feature, trust);
    const rereadEnd = performance.now();
    return {
      features,
      fileBytes: Buffer.byteLength(text),
      parseMs: parsedAt - start,
      verifyMs: end - parsedAt,
      totalMs: end - start,
      rereadMs: rereadEnd - end,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
