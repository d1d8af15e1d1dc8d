import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { inThreadVerifier, type PublicKey, type SignatureCheck } from '../../../src/core/license';
import { MIN_CHECKS_FOR_THREADS, threadedVerifier } from '../../../src/core/licenseFiles/signatureThreads';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: { object: publicKey, der: publicKey.export({ type: 'spki', format: 'der' }) } satisfies PublicKey };
}
const signer = keyPair();
const stranger = keyPair();

/** `n` checks: most pass; every 7th has changed data, every 11th the wrong key. */
function checks(n: number): SignatureCheck[] {
  return Array.from({ length: n }, (_, i) => {
    const data = Buffer.from(`line ${i} ${'x'.repeat(i % 300)}`);
    const signature = sign(null, data, signer.privateKey);
    return {
      data: i % 7 === 3 ? Buffer.concat([data, Buffer.from('!')]) : data,
      signature,
      publicKey: i % 11 === 5 ? stranger.publicKey : signer.publicKey,
    };
  });
}

describe('threaded verifier', () => {
  it('answers as this thread does, in order, with a helper thread', () => {
    const all = checks(3 * MIN_CHECKS_FOR_THREADS);
    const answers = threadedVerifier({ helpers: 1 }).verify(all);
    expect(answers).toEqual(inThreadVerifier.verify(all));
    expect(answers.filter((ok) => !ok).length).toBeGreaterThan(all.length / 7);
  });

  it('verifies few checks here, and with no helpers', () => {
    const few = checks(MIN_CHECKS_FOR_THREADS - 1);
    expect(threadedVerifier({ helpers: 1 }).verify(few)).toEqual(inThreadVerifier.verify(few));
    const many = checks(MIN_CHECKS_FOR_THREADS);
    expect(threadedVerifier({ helpers: 0 }).verify(many)).toEqual(inThreadVerifier.verify(many));
  });

  it('a helper that dies holding a chunk: the chunk is verified here after the stall', () => {
    // the helper reads keys from DER, this thread from the parsed key: a damaged DER kills only the helper
    const all = checks(4 * MIN_CHECKS_FOR_THREADS).map((c) => ({ ...c, publicKey: { ...c.publicKey, der: Buffer.from('damaged') } }));
    expect(threadedVerifier({ helpers: 1, stallMs: 100 }).verify(all)).toEqual(inThreadVerifier.verify(all));
  });

  it('on a thread that may not block, verifies what the helper has not finished itself', () => {
    const wait = vi.spyOn(Atomics, 'wait').mockImplementation(() => {
      throw new TypeError('Atomics.wait cannot be called in this context');
    });
    try {
      const all = checks(3 * MIN_CHECKS_FOR_THREADS);
      expect(threadedVerifier({ helpers: 1 }).verify(all)).toEqual(inThreadVerifier.verify(all));
    } finally {
      wait.mockRestore();
    }
  });
});
