import { createHash, verify, type KeyObject } from 'node:crypto';

/**
 * One Ed25519 check and the two seams a TrustStore performs checks through: a verifier (in this
 * thread by default; a driver may spread a batch over threads) and a cache of checks that passed
 * (the store, so a restart or reread of unchanged lines verifies nothing again).
 */

/** A trusted public key, parsed for this thread and as SPKI DER (what another thread or a hash takes). */
export interface PublicKey {
  object: KeyObject;
  der: Buffer;
}

/** Did `publicKey` make `signature` over exactly `data`? */
export interface SignatureCheck {
  data: Buffer;
  signature: Buffer;
  publicKey: PublicKey;
}

export interface SignatureVerifier {
  /** Whether each check passes, in order. */
  verify(checks: readonly SignatureCheck[]): boolean[];
}

/** Checks known to pass, by signatureCheckKey. Only passes are added. */
export interface SignatureCache {
  has(key: string): boolean;
  add(keys: readonly string[]): void;
}

export const inThreadVerifier: SignatureVerifier = {
  verify: (checks) => checks.map((c) => verify(null, c.data, c.publicKey.object, c.signature)),
};

const KEY_FORM = 'triad-sigcheck-1';

/**
 * A sha256 of exactly what a check verifies: the public key, the signature and the signed bytes,
 * each with its length first, so no two different checks share an encoding. A cache hit thus
 * stands for this very check: a changed line, signature or key is another key.
 */
export function signatureCheckKey(check: SignatureCheck): string {
  const hash = createHash('sha256').update(KEY_FORM);
  for (const part of [check.publicKey.der, check.signature, check.data]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    hash.update(length).update(part);
  }
  return hash.digest('hex');
}
