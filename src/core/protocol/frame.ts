/**
 * Wire framing (DESIGN.md section 4): every frame is a 4-byte big-endian payload length followed
 * by that many bytes of UTF-8 JSON. Socket-free: the decoder is fed whatever chunks the socket
 * delivers (split anywhere, several frames per chunk) and hands back whole payloads, in the style
 * of node-postgres' pg-protocol parser.
 */

export const FRAME_HEADER_BYTES = 4;
/**
 * Largest payload a server accepts from a connection. A sender that announces more is cut off
 * before anything is buffered.
 */
export const MAX_FRAME_BYTES = 64 * 1024;
/**
 * Largest payload a client accepts from a server: a status snapshot of a big license file with
 * many users outgrows 64 KiB, and the server is the party the client already trusts.
 */
export const MAX_REPLY_FRAME_BYTES = 16 * 1024 * 1024;

export class FrameTooLargeError extends Error {
  constructor(
    readonly announcedBytes: number,
    readonly limitBytes: number,
  ) {
    super(`frame of ${announcedBytes} bytes exceeds the ${limitBytes}-byte limit`);
  }
}

export function encodeFrame(payload: unknown, maxBytes = MAX_FRAME_BYTES): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  if (body.length > maxBytes) throw new FrameTooLargeError(body.length, maxBytes);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Incremental frame decoder. Holds at most one header plus one payload (plus one read chunk),
 * which is the per-connection buffer cap: an oversize announcement fails before it is buffered.
 * Chunks are kept as they came and joined once per frame, so a frame trickled in byte by byte
 * costs linear time, not a copy of everything buffered at every byte.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(private maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Accepts larger frames from now on (a peer link, once its hello proved it is a member). */
  raiseLimit(maxFrameBytes: number): void {
    this.maxFrameBytes = Math.max(this.maxFrameBytes, maxFrameBytes);
  }

  /** Returns the complete payloads found so far; throws FrameTooLargeError (then stays failed). */
  push(chunk: Uint8Array): Buffer[] {
    if (this.failed) return [];
    if (chunk.length === 0) return [];
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.buffered += chunk.length;
    const payloads: Buffer[] = [];
    while (this.buffered >= FRAME_HEADER_BYTES) {
      const length = this.announcedLength();
      if (length > this.maxFrameBytes) {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        throw new FrameTooLargeError(length, this.maxFrameBytes);
      }
      if (this.buffered < FRAME_HEADER_BYTES + length) break;
      payloads.push(this.take(FRAME_HEADER_BYTES + length).subarray(FRAME_HEADER_BYTES));
    }
    return payloads;
  }

  /** Bytes of an incomplete frame still waiting for the rest (a truncated frame at close). */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** The length in the next header, which may be split over chunks. */
  private announcedLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= FRAME_HEADER_BYTES) return first.readUInt32BE(0);
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    let filled = 0;
    for (const chunk of this.chunks) {
      filled += chunk.copy(header, filled, 0, Math.min(chunk.length, FRAME_HEADER_BYTES - filled));
      if (filled === FRAME_HEADER_BYTES) break;
    }
    return header.readUInt32BE(0);
  }

  /** Removes the next `size` bytes as a buffer of their own (never a view that pins a read chunk). */
  private take(size: number): Buffer {
    const out = Buffer.allocUnsafe(size);
    let filled = 0;
    let used = 0; // whole chunks consumed, dropped in one splice (shift() per chunk is quadratic)
    while (filled < size) {
      const chunk = this.chunks[used]!;
      const copied = chunk.copy(out, filled, 0, Math.min(chunk.length, size - filled));
      filled += copied;
      if (copied === chunk.length) used++;
      else this.chunks[used] = chunk.subarray(copied);
    }
    this.chunks.splice(0, used);
    this.buffered -= size;
    return out;
  }
}
