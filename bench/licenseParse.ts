import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { verify } from 'node:crypto';
import {
  TrustStore,
  generateVendorKeyPair,
  parseLicenseFile,
  serializeLicenseFile,
  signLicenseFile,
  signedLines,
  verifyFeatures,
  type SignatureCheck,
  type LicenseFile,
} from '../src/core/license';
import { serverTrustSeams } from '../src/core/licenseFiles/licenseSetup';
import { openStore } from '../src/core/store';

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
 * Generates and signs a license file in a temp dir, then times what a server does with it:
 * reading and parsing (`parseMs`), verifying every signature on first sight (`coldVerifyMs`,
 * threads and the store cache as the server has them; `coldInThreadMs` as before, one thread, no
 * cache), at a restart (`warmVerifyMs`: a new TrustStore on the same store, nothing verified)
 * and a reread of the same file (`rereadMs`: parse again, then `rereadVerifyMs` from memory). The baseline,
 * `opensslVerifyMs`, is OpenSSL's own Ed25519 verify of the same bytes in one thread.
 */
export async function benchLicenseParse(features = 5000): Promise<Record<string, number>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'triad-bench-license-'));
  const store = openStore(path.join(dir, 'data'));
  try {
    const keys = generateVendorKeyPair('ibmratl');
    const unsigned = parseLicenseFile(licenseText(features), 'bench.lic').file;
    if (!unsigned) throw new Error('benchmark license file does not parse');
    const file = path.join(dir, 'bench.lic');
    writeFileSync(file, serializeLicenseFile(signLicenseFile(unsigned, 'ibmratl', keys.privateKeyPem).file));
    const trusting = (trust: TrustStore) => (trust.add('ibmratl', keys.publicKeyPem), trust);
    // wall time, and the CPU time of all threads (what a quiet machine's wall time would be for one thread)
    const timeVerify = (parsed: LicenseFile, trust: TrustStore) => {
      const [start, cpu] = [performance.now(), process.cpuUsage()];
      const valid = verifyFeatures(parsed, signedLines(parsed), trust).filter((s) => s === 'valid').length;
      if (valid !== features) throw new Error(`only ${valid} of ${features} signatures verified`);
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
    };

    const start = performance.now();
    const text = readFileSync(file, 'utf8');
    const { file: parsed, diagnostics } = parseLicenseFile(text, file);
    const parseMs = performance.now() - start;
    if (!parsed) throw new Error(`benchmark license file has errors: ${diagnostics[0]?.message}`);
    const coldInThread = timeVerify(parsed, trusting(new TrustStore()));
    const trust = trusting(new TrustStore(serverTrustSeams(store, Date.now)));
    const cold = timeVerify(parsed, trust);
    const warm = timeVerify(parsed, trusting(new TrustStore(serverTrustSeams(store, Date.now))));
    const rereadStart = performance.now();
    const reread = timeVerify(parseLicenseFile(readFileSync(file, 'utf8'), file).file!, trust);
    const rereadMs = performance.now() - rereadStart;
    const opensslVerifyMs = timeOpensslVerify(parsed, keys.publicKeyPem);
    return {
      features,
      fileBytes: Buffer.byteLength(text),
      parseMs,
      coldVerifyMs: cold.ms,
      totalMs: parseMs + cold.ms,
      coldVerifyCpuMs: cold.cpuMs,
      coldInThreadMs: coldInThread.ms,
      warmVerifyMs: warm.ms,
      warmVerifyCpuMs: warm.cpuMs,
      rereadMs,
      rereadVerifyMs: reread.ms,
      opensslVerifyMs,
      coldToOpenssl: cold.ms / opensslVerifyMs,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The checks of every line, collected through the verifier seam, then timed through node:crypto (OpenSSL) alone. */
function timeOpensslVerify(parsed: LicenseFile, publicKeyPem: string): number {
  const checks: SignatureCheck[] = [];
  const collecting = new TrustStore({ verifier: { verify: (batch) => (checks.push(...batch), batch.map(() => true)) } });
  collecting.add('ibmratl', publicKeyPem);
  verifyFeatures(parsed, signedLines(parsed), collecting);
  const start = performance.now();
  const valid = checks.filter((c) => verify(null, c.data, c.publicKey.object, c.signature)).length;
  if (valid !== checks.length) throw new Error(`OpenSSL verified only ${valid} of ${checks.length} signatures`);
  return performance.now() - start;
}
