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
 */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private failed = false;

  constructor(private maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Accepts larger frames from now on (a peer link, once its hello proved it is a member). */
  raiseLimit(maxFrameBytes: number): void {
    this.maxFrameBytes = Math.max(this.maxFrameBytes, maxFrameBytes);
  }

  /** Returns the complete payloads found so far; throws FrameTooLargeError (then stays failed). */
  push(chunk: Uint8Array): Buffer[] {
    if (this.failed) return [];
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const payloads: Buffer[] = [];
    let offset = 0;
    while (this.buffer.length - offset >= FRAME_HEADER_BYTES) {
      const length = this.buffer.readUInt32BE(offset);
      if (length > this.maxFrameBytes) {
        this.failed = true;
        this.buffer = Buffer.alloc(0);
        throw new FrameTooLargeError(length, this.maxFrameBytes);
      }
      const end = offset + FRAME_HEADER_BYTES + length;
      if (this.buffer.length < end) break;
      // copy so that a payload kept by the caller does not pin the whole receive buffer
      payloads.push(Buffer.from(this.buffer.subarray(offset + FRAME_HEADER_BYTES, end)));
      offset = end;
    }
    this.buffer = offset === 0 ? this.buffer : Buffer.from(this.buffer.subarray(offset));
    return payloads;
  }

  /** Bytes of an incomplete frame still waiting for the rest (a truncated frame at close). */
  get pendingBytes(): number {
    return this.buffer.length;
  }
}
