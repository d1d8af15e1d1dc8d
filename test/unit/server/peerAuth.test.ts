import { describe, expect, it } from 'vitest';
import { PeerChannel, type ChannelEvent } from '../../../src/core/server/triad/peerAuth';

const SECRET = '5e'.repeat(32);
const OTHER = '7a'.repeat(32);

/** A dialer (member 0) and a listener (member 2) wired back to back; returns both and the frames each sent. */
function pair(dialerSecret: string, listenerSecret: string) {
  const toListener: unknown[] = [];
  const toDialer: unknown[] = [];
  const dialer = new PeerChannel({ secret: dialerSecret, role: 'dialer', self: 0, peer: 2, send: (f) => toListener.push(f) });
  const listener = new PeerChannel({ secret: listenerSecret, role: 'listener', self: 2, send: (f) => toDialer.push(f) });
  listener.start();
  const events: { dialer: ChannelEvent[]; listener: ChannelEvent[] } = { dialer: [dialer.start()], listener: [] };
  // run the handshake to quiescence
  for (let round = 0; round < 4; round += 1) {
    while (toListener.length) events.listener.push(listener.receive(toListener.shift()));
    while (toDialer.length) events.dialer.push(dialer.receive(toDialer.shift()));
  }
  return { dialer, listener, events };
}

describe('peer channel authentication', () => {
  it('with the same secret both sides establish, knowing who the other is, and messages cross sealed', () => {
    const { dialer, listener, events } = pair(SECRET, SECRET);
    expect(events.dialer).toContainEqual({ kind: 'established', rank: 2 });
    expect(events.listener).toContainEqual({ kind: 'established', rank: 0 });
    const frame = dialer.seal({ type: 'heartbeat', epoch: 3 }) as { body: string };
    expect(frame).toMatchObject({ type: 'sealed', seq: 1 });
    expect(listener.receive(frame)).toEqual({ kind: 'message', message: { type: 'heartbeat', epoch: 3 } });
    expect(dialer.receive(listener.seal({ type: 'heartbeatAck' }))).toEqual({ kind: 'message', message: { type: 'heartbeatAck' } });
  });

  it('different secrets: both sides refuse, and say to import the same secret', () => {
    const { events } = pair(SECRET, OTHER);
    expect(events.dialer.find((e) => e.kind === 'refused')).toMatchObject({ reason: expect.stringMatching(/import the same cluster secret/) });
    expect(events.listener.find((e) => e.kind === 'refused')).toMatchObject({ reason: expect.stringMatching(/different cluster secrets/) });
    expect(events.listener.some((e) => e.kind === 'established')).toBe(false);
  });

  it('refuses a forged, altered, replayed or reordered message after the handshake', () => {
    const { dialer, listener } = pair(SECRET, SECRET);
    const first = dialer.seal({ n: 1 }) as { type: string; seq: number; body: string; mac: string };
    // altered body with the old seal
    expect(listener.receive({ ...first, body: JSON.stringify({ n: 666 }) })).toMatchObject({ kind: 'refused' });
    const fresh = pair(SECRET, SECRET);
    const a = fresh.dialer.seal({ n: 1 });
    const b = fresh.dialer.seal({ n: 2 });
    expect(fresh.listener.receive(b)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/out of sequence/) });
    const again = pair(SECRET, SECRET);
    expect(again.listener.receive(again.dialer.seal({ n: 1 }))).toMatchObject({ kind: 'message' });
    // a frame sealed on another connection (another session key) does not verify here
    expect(again.listener.receive({ ...(a as object), seq: 2 })).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/seal does not match/) });
    // plain, unsealed messages are refused once authenticated
    expect(pair(SECRET, SECRET).listener.receive({ type: 'heartbeat' })).toMatchObject({ kind: 'refused' });
  });

  it('a listener refuses a dialer that skips the handshake or claims a rank that never dials it', () => {
    const listener = new PeerChannel({ secret: SECRET, role: 'listener', self: 1, send: () => {} });
    listener.start();
    expect(listener.receive({ type: 'hello', rank: 0 })).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/handshake/) });
    const tertiaryListener = new PeerChannel({ secret: SECRET, role: 'listener', self: 1, send: () => {} });
    tertiaryListener.start();
    expect(tertiaryListener.receive({ type: 'peerAuth', step: 'challenge', rank: 2, nonce: 'ab'.repeat(32) })).toMatchObject({ kind: 'refused' });
  });

  it('is open only between a completed handshake and the first failure, and says which member failed', () => {
    const { dialer, listener } = pair(SECRET, SECRET);
    expect(dialer.isOpen && listener.isOpen).toBe(true);
    const sealed = dialer.seal({ n: 1 }) as { mac: string };
    expect(listener.receive({ ...sealed, mac: '0'.repeat(64) })).toMatchObject({ kind: 'refused', rank: 0 });
    // the driver checks isOpen and sends nothing more on a failed channel
    expect(listener.isOpen).toBe(false);
    expect(pair(SECRET, OTHER).dialer.isOpen).toBe(false);
  });
});
