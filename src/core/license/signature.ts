import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { canonicalSignedForm } from './canonical';
import type { SignatureState } from '../../shared/contract';
import { lexLicenseText } from './lexer';
import type { LicenseFile, SignedLine } from './model';
import { parseLicenseText } from './parser';
import { appendSign, serializeLicenseFile } from './render';
import { inThreadVerifier, signatureCheckKey, type PublicKey, type SignatureCache, type SignatureCheck, type SignatureVerifier } from './signatureChecks';

/**
 * Publisher signatures: Ed25519 over the canonical signed form (canonical.ts). SIGN= holds the
 * 64-byte signature as uppercase hex in groups of four, like the SIGN= values IBM files carry.
 *
 * Key files are PEM with one header line naming the vendor, so a key cannot be applied to the
 * wrong vendor's lines by mistake:
 *
 *     Vendor: ibmratl
 *     -----BEGIN PUBLIC KEY-----      (PRIVATE KEY in NAME.key)
 *     ...
 */

export interface VendorKeyPair {
  vendor: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export const VENDOR_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export function generateVendorKeyPair(vendor: string): VendorKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    vendor,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The text of a `NAME.key` / `NAME.pub` file. */
export function formatVendorKeyFile(vendor: string, pem: string): string {
  return `Vendor: ${vendor}\n${pem.trim()}\n`;
}

export type KeyFileParse =
  | { ok: true; vendor: string; pem: string; kind: 'public' | 'private' }
  | { ok: false; message: string; hint: string };

export function parseVendorKeyFile(text: string): KeyFileParse {
  const vendor = /^\s*Vendor:\s*(\S+)\s*$/im.exec(text)?.[1];
  const block = /-----BEGIN (PUBLIC|PRIVATE) KEY-----[\s\S]*?-----END \1 KEY-----/.exec(text);
  const hint = 'use a file written by `triad keys new` (a "Vendor: NAME" line followed by a PEM key)';
  if (!block) return { ok: false, message: 'no PEM key block found', hint };
  if (!vendor) return { ok: false, message: 'no "Vendor: NAME" line found', hint };
  const kind = block[1] === 'PUBLIC' ? 'public' : 'private';
  try {
    const key = kind === 'public' ? createPublicKey(block[0]) : createPrivateKey(block[0]);
    if (key.asymmetricKeyType !== 'ed25519') {
      return { ok: false, message: `the key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`, hint };
    }
  } catch {
    return { ok: false, message: 'the PEM key block is damaged', hint };
  }
  return { ok: true, vendor, pem: block[0], kind };
}

/** Short sha256 of a public key, so two keys of one vendor can be told apart. */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export interface TrustSeams {
  /** Checks that passed before, kept by the store; none by default. */
  cache?: SignatureCache;
  /** Who verifies what neither memory nor the cache knows; this thread by default. */
  verifier?: SignatureVerifier;
}

/** A claim that a trusted key of `vendor` made `signature` over `data`. */
export interface SignedClaim {
  vendor: string;
  data: string;
  signature: Buffer;
}

/**
 * Trusted public keys per vendor, parsed once. Ed25519 verification costs ~0.1 ms per line on a
 * busy server, so results are remembered (in memory, and in the cache seam for passes): a reread
 * or restart with the same lines verifies nothing again.
 */
export class TrustStore {
  private readonly keys = new Map<string, PublicKey[]>();
  private readonly verified = new Map<string, boolean>();

  constructor(private readonly seams: TrustSeams = {}) {}

  /** Throws on a damaged key; callers validate key files with parseVendorKeyFile first. */
  add(vendor: string, publicKeyPem: string): void {
    const list = this.keys.get(vendor) ?? [];
    const object = createPublicKey(publicKeyPem);
    list.push({ object, der: object.export({ type: 'spki', format: 'der' }) });
    this.keys.set(vendor, list);
    // A new key can turn an earlier "invalid" into "valid".
    this.verified.clear();
  }

  hasKeys(vendor: string): boolean {
    return (this.keys.get(vendor)?.length ?? 0) > 0;
  }

  vendors(): string[] {
    return [...this.keys.keys()];
  }

  /**
   * Whether a trusted key of the vendor made each claim's signature, in order: from memory, else from the cache, else by one batch for the verifier
   * (so a cold load of many lines can use threads). Every trusted key of the vendor is checked:
   * each (line, key) pair is verified once, and its pass is what the cache keeps.
   */
  verifyAll(claims: readonly SignedClaim[]): boolean[] {
    const answers = new Map<string, boolean>();
    const unknown = new Map<string, { checks: SignatureCheck[]; cacheKeys: string[] }>();
    const memoKeys = claims.map((c) => `${c.vendor}\n${c.signature.toString('hex')}\n${c.data}`);
    claims.forEach((claim, i) => {
      const memoKey = memoKeys[i]!;
      const known = this.verified.get(memoKey);
      if (known !== undefined) answers.set(memoKey, known);
      if (known !== undefined || unknown.has(memoKey)) return;
      const data = Buffer.from(claim.data, 'utf8');
      const checks = (this.keys.get(claim.vendor) ?? []).map((publicKey) => ({ data, signature: claim.signature, publicKey }));
      unknown.set(memoKey, { checks, cacheKeys: this.seams.cache ? checks.map(signatureCheckKey) : [] });
    });
    const cached = this.seams.cache?.passed([...unknown.values()].flatMap((u) => u.cacheKeys)) ?? new Set<string>();
    const pending = [...unknown].filter(([memoKey, { cacheKeys }]) => {
      const hit = cacheKeys.some((key) => cached.has(key));
      if (hit) answers.set(memoKey, true);
      return !hit;
    });
    if (pending.length > 0) {
      const passes = (this.seams.verifier ?? inThreadVerifier).verify(pending.flatMap(([, p]) => p.checks));
      const passed: string[] = [];
      let at = 0;
      for (const [memoKey, { checks, cacheKeys }] of pending) {
        const results = passes.slice(at, at + checks.length);
        at += checks.length;
        cacheKeys.forEach((key, i) => results[i] && passed.push(key));
        answers.set(memoKey, results.some(Boolean));
      }
      if (passed.length > 0) this.seams.cache?.add(passed);
    }
    if (this.verified.size + answers.size > MEMO_LIMIT) this.verified.clear();
    for (const [memoKey, answer] of answers) this.verified.set(memoKey, answer);
    return memoKeys.map((key) => answers.get(key)!);
  }
}

const MEMO_LIMIT = 200_000;

function formatSign(signature: Buffer): string {
  return (signature.toString('hex').toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
}

function decodeSign(text: string): Buffer | null {
  const hex = text.replace(/\s+/g, '');
  return /^[0-9A-Fa-f]{128}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/** The signature state of each line, verified as one batch (see TrustStore.verifyAll). */
export function verifyFeatures(file: LicenseFile, lines: readonly SignedLine[], trust: TrustStore): SignatureState[] {
  const signatures = lines.map((line) => (trust.hasKeys(line.vendor) && line.sign !== null ? decodeSign(line.sign) : null));
  const claims = lines.flatMap((line, i) => {
    const signature = signatures[i];
    return signature ? [{ vendor: line.vendor, data: canonicalSignedForm(file, line), signature }] : [];
  });
  const answers = trust.verifyAll(claims);
  let at = 0;
  return lines.map((line, i) => {
    if (!trust.hasKeys(line.vendor)) return 'unverified';
    if (!signatures[i]) return 'invalid';
    return answers[at++] ? 'valid' : 'invalid';
  });
}

export function verifyFeature(file: LicenseFile, line: SignedLine, trust: TrustStore): SignatureState {
  return verifyFeatures(file, [line], trust)[0]!;
}

/**
 * Signs every FEATURE/INCREMENT/UPGRADE/PACKAGE line of `vendor`. Nothing the vendor wrote
 * changes but the signature: an existing SIGN= is replaced where it stands, else SIGN= is added
 * after the line's last word (on TAB-indented continuation lines when the line is long), so dates
 * such as `01-jan-0000`, case, spacing and continuations stay as written. Returns the re-parsed
 * file, so line numbers match the new text.
 */
export function signLicenseFile(file: LicenseFile, vendor: string, privateKeyPem: string): { file: LicenseFile; signed: number } {
  const key = createPrivateKey(privateKeyPem);
  let signed = 0;
  const lines = file.lines.map((l) => {
    if ((l.kind !== 'feature' && l.kind !== 'upgrade' && l.kind !== 'package') || l.vendor !== vendor) return l;
    signed += 1;
    const signature = formatSign(sign(null, Buffer.from(canonicalSignedForm(file, l), 'utf8'), key));
    return { ...l, sign: signature, source: l.source === null ? null : withSignature(l.source, signature) };
  });
  const text = serializeLicenseFile({ ...file, lines });
  return { file: parseLicenseText(text, file.fileName).file, signed };
}

/** The line's text with `SIGN="signature"` in place of its SIGN= token, or after its last word. */
function withSignature(source: string, signature: string): string {
  const statement = lexLicenseText(source).lines.find((l) => l.kind === 'statement');
  const tokens = statement?.kind === 'statement' ? statement.tokens : [];
  const physical = source.split('\n');
  const offset = (line: number, column: number) => physical.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  const existing = tokens.filter((t) => t.key === 'SIGN').pop();
  const last = tokens[tokens.length - 1]!;
  // the old SIGN= goes, and the new one continues the text before it (re-signing gives the same text)
  const [from, to] = existing
    ? [offset(existing.line, existing.column), offset(existing.endLine, existing.endColumn)]
    : [offset(last.endLine, last.endColumn), -1];
  const lineStart = source.lastIndexOf('\n', from - 1) + 1;
  const prefix = source.slice(lineStart, from);
  const before = existing && prefix.trim() !== '' ? prefix.trimEnd() : prefix;
  return source.slice(0, lineStart) + appendSign(before, signature) + (to < 0 ? source.slice(from) : source.slice(to));
}
