import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, FrameTooLargeError, MAX_FRAME_BYTES, MAX_REPLY_FRAME_BYTES } from '../../../src/core/protocol/frame';
import { fuzzSettings } from '../../support/fuzzSettings';

/** Cuts `bytes` at the given (sorted, deduplicated) positions. */
function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    pieces.push(bytes.subarray(start, p));
    start = p;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe('FrameDecoder', () => {
  it('yields exactly the encoded payloads whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(jsonValue, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (values, cuts) => {
        const stream = Buffer.concat(values.map((v) => encodeFrame(v)));
        const decoder = new FrameDecoder();
        const payloads = splitAt(stream, cuts).flatMap((piece) => decoder.push(piece));
        expect(payloads.map((p) => JSON.parse(p.toString('utf8')))).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
        expect(decoder.pendingBytes).toBe(0);
      }),
      fuzzSettings({ seed: 3101, numRuns: 300 }),
    );
  });

  it('keeps a truncated frame pending instead of yielding it', () => {
    fc.assert(
      fc.property(jsonValue, fc.nat(), (value, cut) => {
        const frame = encodeFrame(value);
        const keep = cut % frame.length; // strictly shorter than the frame
        const decoder = new FrameDecoder();
        expect(decoder.push(frame.subarray(0, keep))).toEqual([]);
        expect(decoder.pendingBytes).toBe(keep);
      }),
      fuzzSettings({ seed: 3102, numRuns: 300 }),
    );
  });

  it('fuzz: any byte stream in any chunks yields whole payloads or FrameTooLargeError, and the buffer stays bounded', () => {
    // a stream mixes well-formed frames, garbage with a plausible length, and raw noise
    const piece = fc.oneof(
      jsonValue.map((v) => encodeFrame(v)),
      fc.uint8Array({ maxLength: 300 }).map((b) => {
        const header = Buffer.alloc(FRAME_HEADER_BYTES);
        header.writeUInt32BE(b.length, 0);
        return Buffer.concat([header, b]);
      }),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (pieces, cuts) => {
        const stream = Buffer.concat(pieces);
        const decoder = new FrameDecoder(1024);
        let yielded = 0;
        let failed = false;
        for (const chunk of splitAt(stream, cuts)) {
          try {
            const payloads = decoder.push(chunk);
            for (const p of payloads) expect(p.length).toBeLessThanOrEqual(1024);
            yielded += payloads.reduce((sum, p) => sum + FRAME_HEADER_BYTES + p.length, 0);
          } catch (error) {
            expect(error).toBeInstanceOf(FrameTooLargeError);
            failed = true;
          }
          // at most one incomplete frame (header + limit) plus the chunk just pushed
          expect(decoder.pendingBytes).toBeLessThanOrEqual(FRAME_HEADER_BYTES + 1024 + chunk.length);
        }
        // without a failure every byte is either yielded or still pending, in order
        if (!failed) expect(yielded + decoder.pendingBytes).toBe(stream.length);
      }),
      fuzzSettings({ seed: 3103, numRuns: 1000 }),
    );
  });

  it('rejects an oversize announcement before buffering the payload, and stays failed', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    const decoder = new FrameDecoder();
    expect(() => decoder.push(header)).toThrow(FrameTooLargeError);
    expect(decoder.pendingBytes).toBe(0);
    expect(decoder.push(encodeFrame({ a: 1 }))).toEqual([]);
  });

  it('accepts a payload of exactly the limit', () => {
    const payload = 'x'.repeat(MAX_FRAME_BYTES - 2); // JSON string quotes make it exactly the limit
    const frame = encodeFrame(payload);
    expect(frame.length).toBe(MAX_FRAME_BYTES + 4);
    expect(new FrameDecoder().push(frame).map((p) => JSON.parse(p.toString()))).toEqual([payload]);
  });

  it('takes a larger limit where the sender is trusted (server replies to a client)', () => {
    const payload = 'y'.repeat(MAX_FRAME_BYTES * 2);
    expect(() => new FrameDecoder().push(encodeFrame(payload, MAX_REPLY_FRAME_BYTES))).toThrow(FrameTooLargeError);
    const decoded = new FrameDecoder(MAX_REPLY_FRAME_BYTES).push(encodeFrame(payload, MAX_REPLY_FRAME_BYTES));
    expect(decoded.map((p) => JSON.parse(p.toString()))).toEqual([payload]);
  });

  it('decodes a large frame trickled in small chunks without re-copying what it holds', () => {
    // 4 MiB in 64-byte pieces: joining the buffer at every piece would copy ~137 GB and never end
    const payload = 'z'.repeat(4 * 1024 * 1024);
    const frame = encodeFrame(payload, MAX_REPLY_FRAME_BYTES);
    const decoder = new FrameDecoder(MAX_REPLY_FRAME_BYTES);
    const out: Buffer[] = [];
    for (let at = 0; at < frame.length; at += 64) out.push(...decoder.push(frame.subarray(at, at + 64)));
    expect(out).toHaveLength(1);
    expect(out[0]!.length).toBe(payload.length + 2);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('finds a header split over several chunks, and keeps the rest of a chunk for the next frame', () => {
    const two = Buffer.concat([encodeFrame({ n: 1 }), encodeFrame({ n: 2 })]);
    const decoder = new FrameDecoder();
    const out = [two.subarray(0, 1), two.subarray(1, 3), two.subarray(3, 12), two.subarray(12)].flatMap((piece) => decoder.push(piece));
    expect(out.map((p) => JSON.parse(p.toString()))).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('refuses to encode an oversize payload', () => {
    expect(() => encodeFrame('x'.repeat(MAX_FRAME_BYTES))).toThrow(FrameTooLargeError);
  });
});
