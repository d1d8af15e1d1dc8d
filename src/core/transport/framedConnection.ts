import type net from 'node:net';
import { encodeFrame, FrameDecoder, FrameTooLargeError, parsePayload } from '../protocol';

/**
 * One socket that carries frames (DESIGN.md section 4): the read loop that feeds the frame
 * decoder and parses each payload once, the write path, and the per-connection limits (frame
 * sizes, unread replies, first-frame and idle timeouts). The license port's connections
 * (server/licensing/listener.ts), the client's (client/connection.ts) and the links a triad member dials
 * (server/triad/tcpPeerNetwork.ts) are each one of these; what a message means is their owner's
 * business. The socket may be plain or TLS, accepted or dialled, and still connecting.
 */

export interface FrameLimits {
  /** Largest payload taken from the other end; an announcement over it fails before buffering. */
  maxInboundBytes: number;
  /** Largest payload sent: send() throws FrameTooLargeError above it. */
  maxOutboundBytes: number;
  /** Bytes waiting unread beyond which the other end is taken for a reader that stopped: it is cut off. */
  maxPendingWriteBytes?: number;
  /** No whole frame within this since the socket was handed over: `firstFrameTimeout` (hello, connect). */
  firstFrameTimeoutMs?: number;
  /** Nothing read or written for this long: `idleTimeout` (half-open sockets). */
  idleTimeoutMs?: number;
}

export interface FrameEvents {
  /** A frame's payload as a JSON value, not yet validated. */
  message(value: unknown): void;
  /** A frame that is not UTF-8 JSON; the connection stays open for its owner to close. */
  malformed(reason: string): void;
  /** The other end announced a frame over `maxInboundBytes`; nothing more is read. */
  oversize(error: FrameTooLargeError): void;
  /** Without it, the connection is destroyed. */
  firstFrameTimeout?(): void;
  /** Without it, the connection is destroyed. */
  idleTimeout?(): void;
  /** A send found more than `maxPendingWriteBytes` unread; the connection is destroyed right after. */
  slowReader?(pendingBytes: number): void;
  /** A socket error (refused, reset, TLS); `close` follows. */
  error?(error: NodeJS.ErrnoException): void;
  /** Once, however the connection ended. */
  close(): void;
}

export class FramedConnection {
  private readonly decoder: FrameDecoder;
  private firstFrameTimer: NodeJS.Timeout | null = null;

  constructor(
    /** The socket, for what is not framing: addresses, TLS details, keep-alive. */
    readonly socket: net.Socket,
    private readonly limits: FrameLimits,
    private readonly events: FrameEvents,
  ) {
    this.decoder = new FrameDecoder(limits.maxInboundBytes);
    socket.setNoDelay(true);
    if (limits.firstFrameTimeoutMs !== undefined) {
      this.firstFrameTimer = setTimeout(() => (events.firstFrameTimeout ? events.firstFrameTimeout() : this.destroy()), limits.firstFrameTimeoutMs);
    }
    if (limits.idleTimeoutMs !== undefined) socket.setTimeout(limits.idleTimeoutMs);
    socket.on('timeout', () => (events.idleTimeout ? events.idleTimeout() : this.destroy()));
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => events.error?.(error));
    socket.on('close', () => {
      this.stopFirstFrameTimer();
      events.close();
    });
  }

  /** Whether frames can still be sent (not destroyed, not ended). */
  get open(): boolean {
    return !this.socket.destroyed && !this.socket.writableEnded;
  }

  /**
   * Encodes and writes one message; a no-op once the connection is closed or ending. Throws
   * FrameTooLargeError for a message over `maxOutboundBytes` (nothing is written).
   */
  send(message: unknown): void {
    if (!this.open) return;
    const max = this.limits.maxPendingWriteBytes;
    if (max !== undefined && this.socket.writableLength > max) {
      this.events.slowReader?.(this.socket.writableLength);
      this.destroy();
      return;
    }
    this.socket.write(encodeFrame(message, this.limits.maxOutboundBytes));
  }

  /** Sends a last frame (an error saying why) and closes at once. */
  closeWith(message: unknown): void {
    if (this.open) this.socket.end(encodeFrame(message, this.limits.maxOutboundBytes));
    this.destroy();
  }

  /** Ends gracefully; an other end that does not close its side is cut after `lingerMs`. */
  end(lingerMs: number): void {
    this.socket.end();
    setTimeout(() => this.destroy(), lingerMs).unref();
  }

  destroy(): void {
    this.stopFirstFrameTimer();
    this.socket.destroy();
  }

  /** Accepts larger frames from now on (a peer link, once the other end proved it is a member). */
  acceptFramesUpTo(maxInboundBytes: number): void {
    this.decoder.raiseLimit(maxInboundBytes);
  }

  /** Changes the idle timeout (a connection that came to hold a seat may stay quiet longer). */
  setIdleTimeout(ms: number): void {
    this.socket.setTimeout(ms);
  }

  private read(chunk: Buffer): void {
    let payloads: Buffer[];
    try {
      payloads = this.decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      this.events.oversize(error);
      return;
    }
    for (const payload of payloads) {
      // a frame before this one may have closed the connection: what follows it is not read
      if (this.socket.destroyed) return;
      this.stopFirstFrameTimer();
      const parsed = parsePayload(payload);
      if (parsed.ok) this.events.message(parsed.value);
      else this.events.malformed(parsed.message);
    }
  }

  private stopFirstFrameTimer(): void {
    if (this.firstFrameTimer) clearTimeout(this.firstFrameTimer);
    this.firstFrameTimer = null;
  }
}
