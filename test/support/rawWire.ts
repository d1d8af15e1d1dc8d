import net from 'node:net';
import { encodeFrame, FrameDecoder } from '../../src/core/protocol';

/** Raw sockets on the license port, for tests that send what no well-behaved client would. */

export const clientHello = encodeFrame({ type: 'hello', version: 1, role: 'client' });

export function frameHeader(length: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(length, 0);
  return b;
}

export interface RawExchangeOptions {
  /** Source address to connect from (a "remote" machine on loopback, e.g. 127.0.0.2). */
  localAddress?: string;
}

/** Opens a raw socket, writes `chunks`, and collects decoded frames until the server closes it. */
export function rawExchange(
  port: number,
  chunks: Buffer[],
  waitMs: number,
  options: RawExchangeOptions = {},
): Promise<{ frames: unknown[]; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, ...options });
    const decoder = new FrameDecoder();
    const frames: unknown[] = [];
    let closedByServer = false;
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (data) => {
      try {
        for (const payload of decoder.push(data)) frames.push(JSON.parse(payload.toString('utf8')));
      } catch {
        // a fuzz frame may be cut mid-way; only the server's frames matter here
      }
    });
    socket.on('end', () => (closedByServer = true));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ frames, closedByServer });
    });
  });
}
