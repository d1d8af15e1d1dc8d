import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Lease } from '../../../src/core/pool';
import { encodeFrame, MAX_REPLY_FRAME_BYTES } from '../../../src/core/protocol';
import { DEFAULT_SNAPSHOT_SETTINGS, snapshotChunks, type LogEntry, type PeerMessage } from '../../../src/core/quorum';
import { PeerChannel } from '../../../src/core/server/triad/peerAuth';
import { peerMessageSchema } from '../../../src/core/server/triad/peerSchema';

/**
 * An InstallSnapshot of a large lease table, cut as the quorum engine cuts it, sealed as a peer
 * link with a cluster secret seals it and framed as the link frames it: every frame fits the
 * 16 MiB a greeted peer link accepts, and passes the peer message schema.
 */

const SECRET = 'c3'.repeat(32);

/** An open sealed channel, as after a completed cluster-secret handshake. */
function sealingChannel(): PeerChannel {
  const toListener: unknown[] = [];
  const toDialer: unknown[] = [];
  const dialer = new PeerChannel({ secret: SECRET, role: 'dialer', self: 0, peer: 2, send: (frame) => toListener.push(frame) });
  const listener = new PeerChannel({ secret: SECRET, role: 'listener', self: 2, send: (frame) => toDialer.push(frame) });
  listener.start();
  dialer.start();
  listener.receive(toListener.shift());
  dialer.receive(toDialer.shift());
  listener.receive(toListener.shift());
  expect(dialer.isOpen && listener.isOpen).toBe(true);
  return dialer;
}

const seat = (i: number, wide: boolean): Lease => {
  const pad = (text: string) => (wide ? text.padEnd(256, 'x') : text);
  return {
    leaseId: randomUUID(),
    poolKey: JSON.stringify(['ibmratl', pad('DOORS'), '9.7', wide ? 'V'.repeat(2000) : null, null, null, false, [null, null, null, null, null, null]]),
    feature: pad('DOORS'),
    vendor: 'ibmratl',
    version: '9.7',
    user: pad(`user${i}`),
    host: pad(`ws-${i}.example.com`),
    display: pad(`ws-${i}:0`),
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    project: wide ? pad('project') : null,
    count: 1,
    grantedAt: 1_780_000_000_000 + i,
    resumeToken: randomUUID().replaceAll('-', ''),
    clientId: randomUUID(),
    server: 'license1.example.com',
    handle: i,
    lingerSeconds: 0,
    lingerUntilMs: null,
  };
};

const licenseSwitch: LogEntry = {
  epoch: 3,
  index: 900,
  op: {
    kind: 'licenseSwitch',
    // a large license file (one megabyte of FEATURE lines)
    payload: { fileName: 'big.lic', text: 'FEATURE DOORS ibmratl 9.7 permanent 10 SIGN="0123456789ABCDEF"\n'.repeat(16_000) },
    identity: { licenseHash: 'b'.repeat(64), serverOrder: ['a', 'b', 'c'] },
    previous: { licenseHash: 'a'.repeat(64), serverOrder: ['a', 'b', 'c'] },
  },
};

describe('InstallSnapshot frames', () => {
  // typical seats are ~520 bytes of JSON: 50,000 of them (26 MB) need seven frames
  it.each([
    ['50,000 typical seats', 50_000, false],
    ['5,000 seats with long text fields', 5_000, true],
  ])('carry %s in sealed frames within the peer link limit', (_name, count, wide) => {
    const leases = Array.from({ length: count }, (_, i) => seat(i, wide));
    const chunks = snapshotChunks(leases, licenseSwitch, DEFAULT_SNAPSHOT_SETTINGS.chunkBytes);
    const channel = sealingChannel();
    let largest = 0;
    chunks.forEach((chunk, i) => {
      const message: PeerMessage = {
        type: 'installSnapshot',
        epoch: 3,
        triadId: 'f'.repeat(32),
        master: true,
        index: 1_000_000,
        entryEpoch: 3,
        lastSwitch: i === 0 ? licenseSwitch : null,
        chunk: i,
        last: i === chunks.length - 1,
        leases: chunk,
      };
      expect(peerMessageSchema.safeParse(message).success).toBe(true);
      largest = Math.max(largest, encodeFrame(channel.seal(message), MAX_REPLY_FRAME_BYTES).length);
    });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toHaveLength(count);
    expect(largest).toBeLessThan(MAX_REPLY_FRAME_BYTES / 2);
  });
});
