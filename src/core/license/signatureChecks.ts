import { hash, verify, type KeyObject } from 'node:crypto';

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
  /** Which of `keys` are known to pass (one lookup for a whole file). */
  passed(keys: readonly string[]): ReadonlySet<string>;
  add(keys: readonly string[]): void;
}

export const inThreadVerifier: SignatureVerifier = {
  verify: (checks) => checks.map((c) => verify(null, c.data, c.publicKey.object, c.signature)),
};

const KEY_FORM = 'triad-sigcheck-1';

/**
 * A sha256 of exactly what a check verifies: the public key, the signature and the signed bytes,
 * after all their lengths, so no two different checks share an encoding. A cache hit thus
 * stands for this very check: a changed line, signature or key is another key.
 */
export function signatureCheckKey(check: SignatureCheck): string {
  const parts = [KEY_FORM, check.publicKey.der, check.signature, check.data];
  const lengths = Buffer.alloc(4 * parts.length);
  parts.forEach((part, i) => lengths.writeUInt32BE(Buffer.byteLength(part), 4 * i));
  // one buffer, one hash: a restart hashes every line of the file
  return hash('sha256', Buffer.concat([lengths, Buffer.from(KEY_FORM), check.publicKey.der, check.signature, check.data]), 'hex');
}
