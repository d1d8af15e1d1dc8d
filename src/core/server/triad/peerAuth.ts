import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sameSecret } from '../../store/secrets';
import type { Rank } from '../../quorum';

/**
 * Mutual authentication of a peer link and of every message on it (DESIGN.md section 4), from
 * the cluster secret the three members share:
 *
 *   dialer   -> listener  challenge { rank, nonce: nD }
 *   listener -> dialer    response  { rank, nonce: nL, proof: HMAC(secret, listener|D|L|nD|nL) }
 *   dialer   -> listener  confirm   { proof: HMAC(secret, dialer|D|L|nD|nL) }
 *
 * Fresh nonces on both sides make a recorded handshake useless on a new connection. Afterwards
 * each message travels sealed: { seq, body (the JSON), mac: HMAC(session key, direction|seq|body) }
 * with the session key derived from both nonces, so nothing can be injected into, replayed on or
 * reordered within the stream. There is no unauthenticated mode: trust by address is no trust,
 * since any process on a member's machine connects from that machine's address.
 */

const nonce = z.string().regex(/^[0-9a-f]{64}$/);
const mac = z.string().regex(/^[0-9a-f]{64}$/);
const rank = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const challengeSchema = z.strictObject({ type: z.literal('peerAuth'), step: z.literal('challenge'), rank, nonce });
const responseSchema = z.strictObject({ type: z.literal('peerAuth'), step: z.literal('response'), rank, nonce, proof: mac });
const confirmSchema = z.strictObject({ type: z.literal('peerAuth'), step: z.literal('confirm'), proof: mac });
/** The dialer tells the listener its proof failed, so the odd member can say so too. */
const refusedSchema = z.strictObject({ type: z.literal('peerAuth'), step: z.literal('refused') });
const sealedSchema = z.strictObject({ type: z.literal('sealed'), seq: z.number().int().positive(), body: z.string(), mac });

export type ChannelEvent =
  | { kind: 'none' }
  /** The other side proved it holds the secret: it is member `rank`. */
  | { kind: 'established'; rank: Rank }
  | { kind: 'message'; message: unknown }
  /** `rank`: the member the other side is (or claimed to be), when the handshake got that far. */
  | { kind: 'refused'; reason: string; rank: Rank | null };

export interface PeerChannelOptions {
  /** The cluster secret (hex). */
  secret: string;
  role: 'dialer' | 'listener';
  self: Rank;
  /** Dialer: the member it dialled. */
  peer?: Rank;
  /** Frames of the handshake go out here. */
  send: (frame: unknown) => void;
  randomNonce?: () => string;
}

type State = 'idle' | 'waitChallenge' | 'waitResponse' | 'waitConfirm' | 'open' | 'failed';

export class PeerChannel {
  private state: State = 'idle';
  private myNonce = '';
  private theirNonce = '';
  private peerRank: Rank | null;
  private sessionKey: Buffer | null = null;
  private sentSeq = 0;
  private receivedSeq = 0;

  constructor(private readonly options: PeerChannelOptions) {
    this.peerRank = options.peer ?? null;
  }

  /** Dialer: sends the challenge; a listener waits for one. */
  start(): ChannelEvent {
    if (this.options.role === 'listener') {
      this.state = 'waitChallenge';
      return { kind: 'none' };
    }
    this.myNonce = this.nonce();
    this.state = 'waitResponse';
    this.options.send({ type: 'peerAuth', step: 'challenge', rank: this.options.self, nonce: this.myNonce });
    return { kind: 'none' };
  }

  /** A frame from the other side: a handshake step, a (sealed) message, or a refusal. */
  receive(raw: unknown): ChannelEvent {
    switch (this.state) {
      case 'open':
        return this.unseal(raw);
      case 'waitChallenge':
        return this.onChallenge(raw);
      case 'waitResponse':
        return this.onResponse(raw);
      case 'waitConfirm':
        return this.onConfirm(raw);
      default:
        return { kind: 'none' };
    }
  }

  /** False before the handshake completes and for good after a failure: nothing may be sent then. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** The frame that carries `message` on this link. */
  seal(message: unknown): unknown {
    if (this.state !== 'open' || !this.sessionKey) throw new Error('the peer link is not authenticated yet');
    const seq = ++this.sentSeq;
    const body = JSON.stringify(message);
    return { type: 'sealed', seq, body, mac: this.messageMac(this.options.role, seq, body) };
  }

  private onChallenge(raw: unknown): ChannelEvent {
    const parsed = challengeSchema.safeParse(raw);
    if (!parsed.success) return this.fail('it did not start with the cluster-secret handshake (is the cluster secret imported on it?)');
    if (parsed.data.rank >= this.options.self) return this.fail(`it claims to be member ${parsed.data.rank}, which never dials this one`);
    this.peerRank = parsed.data.rank;
    this.theirNonce = parsed.data.nonce;
    this.myNonce = this.nonce();
    this.state = 'waitConfirm';
    this.options.send({ type: 'peerAuth', step: 'response', rank: this.options.self, nonce: this.myNonce, proof: this.proof('listener') });
    return { kind: 'none' };
  }

  private onResponse(raw: unknown): ChannelEvent {
    const parsed = responseSchema.safeParse(raw);
    if (!parsed.success) return this.fail('it did not answer the cluster-secret handshake (is the cluster secret imported on it?)');
    if (parsed.data.rank !== this.peerRank) return this.fail(`it answered as member ${parsed.data.rank}, not the one dialled`);
    this.theirNonce = parsed.data.nonce;
    if (!sameSecret(parsed.data.proof, this.proof('listener'))) {
      this.options.send({ type: 'peerAuth', step: 'refused' });
      return this.fail('its proof does not match our cluster secret (import the same cluster secret on all three)');
    }
    this.options.send({ type: 'peerAuth', step: 'confirm', proof: this.proof('dialer') });
    return this.open();
  }

  private onConfirm(raw: unknown): ChannelEvent {
    if (refusedSchema.safeParse(raw).success)
      return this.fail('it does not accept our proof: the two hold different cluster secrets (import the same cluster secret on all three)');
    const parsed = confirmSchema.safeParse(raw);
    if (!parsed.success) return this.fail('it broke off the cluster-secret handshake');
    if (!sameSecret(parsed.data.proof, this.proof('dialer')))
      return this.fail('its proof does not match our cluster secret (import the same cluster secret on all three)');
    return this.open();
  }

  private open(): ChannelEvent {
    this.state = 'open';
    this.sessionKey = createHmac('sha256', this.secretKey()).update(`session|${this.transcript()}`).digest();
    return { kind: 'established', rank: this.peerRank! };
  }

  private unseal(raw: unknown): ChannelEvent {
    const parsed = sealedSchema.safeParse(raw);
    if (!parsed.success) return this.fail('it sent a message without its seal');
    const { seq, body } = parsed.data;
    const from = this.options.role === 'dialer' ? 'listener' : 'dialer';
    if (seq !== this.receivedSeq + 1) return this.fail('a message arrived out of sequence (replayed or injected)');
    if (!sameSecret(parsed.data.mac, this.messageMac(from, seq, body))) return this.fail('a message seal does not match (forged or altered)');
    this.receivedSeq = seq;
    try {
      return { kind: 'message', message: JSON.parse(body) };
    } catch {
      return this.fail('a sealed message is not JSON');
    }
  }

  private fail(reason: string): ChannelEvent {
    this.state = 'failed';
    return { kind: 'refused', reason, rank: this.peerRank };
  }

  /** Both ranks and both nonces in a fixed order: dialer first. */
  private transcript(): string {
    const dialerSide = this.options.role === 'dialer';
    const [d, l] = dialerSide ? [this.options.self, this.peerRank] : [this.peerRank, this.options.self];
    const [nD, nL] = dialerSide ? [this.myNonce, this.theirNonce] : [this.theirNonce, this.myNonce];
    return `${d}|${l}|${nD}|${nL}`;
  }

  private proof(prover: 'dialer' | 'listener'): string {
    return createHmac('sha256', this.secretKey()).update(`triad peer v2|${prover}|${this.transcript()}`).digest('hex');
  }

  private messageMac(sender: 'dialer' | 'listener', seq: number, body: string): string {
    return createHmac('sha256', this.sessionKey!).update(`${sender}|${seq}|`).update(body).digest('hex');
  }

  private secretKey(): Buffer {
    return Buffer.from(this.options.secret, 'hex');
  }

  private nonce(): string {
    return this.options.randomNonce?.() ?? randomBytes(32).toString('hex');
  }
}

