import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, FrameTooLargeError, FRAME_HEADER_BYTES } from '../../../src/core/protocol';
import { FramedConnection, type FrameEvents, type FrameLimits } from '../../../src/core/transport/framedConnection';

/** What one FramedConnection reported, in order. */
interface Heard {
  events: string[];
  messages: unknown[];
  oversize: FrameTooLargeError[];
  closed: Promise<void>;
}

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback TCP pair: `far` is the raw other end, `framed` wraps the accepted socket. */
async function pair(limits: FrameLimits, overrides: Partial<FrameEvents> = {}): Promise<{ far: net.Socket; framed: FramedConnection; heard: Heard }> {
  const accepted = new Promise<net.Socket>((resolve) => {
    const server = net.createServer(resolve);
    servers.push(server);
    server.listen(0, '127.0.0.1');
  });
  await new Promise<void>((resolve) => servers.at(-1)!.once('listening', resolve));
  const far = net.connect((servers.at(-1)!.address() as net.AddressInfo).port, '127.0.0.1');
  far.on('error', () => {});
  sockets.push(far);
  const near = await accepted;
  sockets.push(near);
  let closed!: () => void;
  const heard: Heard = { events: [], messages: [], oversize: [], closed: new Promise((resolve) => (closed = resolve)) };
  const framed = new FramedConnection(near, limits, {
    message: (value) => {
      heard.events.push('message');
      heard.messages.push(value);
    },
    malformed: (reason) => heard.events.push(`malformed: ${reason}`),
    oversize: (error) => {
      heard.events.push('oversize');
      heard.oversize.push(error);
    },
    close: () => {
      heard.events.push('close');
      closed();
    },
    ...overrides,
  });
  return { far, framed, heard };
}

/** Collects what the far end receives until it closes. */
function received(far: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  far.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => far.once('close', () => resolve(Buffer.concat(chunks))));
}

const limits: FrameLimits = { maxInboundBytes: 64, maxOutboundBytes: 64 };

describe('FramedConnection', () => {
  it('reassembles a frame that arrives a byte at a time', async () => {
    const { framed, heard } = await pair(limits);
    const frame = encodeFrame({ type: 'hello', n: 1 });
    // chunk boundaries as the socket delivers them, one byte each
    for (const byte of frame) {
      expect(heard.messages).toEqual([]);
      framed.socket.emit('data', Buffer.from([byte]));
    }
    expect(heard.messages).toEqual([{ type: 'hello', n: 1 }]);
  });

  it('hands over every frame of one chunk, in order, and keeps a trailing partial frame for the next', async () => {
    const { framed, heard } = await pair(limits);
    const third = encodeFrame({ n: 3 });
    framed.socket.emit('data', Buffer.concat([encodeFrame({ n: 1 }), encodeFrame({ n: 2 }), third.subarray(0, 5)]));
    expect(heard.messages).toEqual([{ n: 1 }, { n: 2 }]);
    framed.socket.emit('data', third.subarray(5));
    expect(heard.messages).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('reads frames sent over a real socket, whatever TCP does with them', async () => {
    const { far, heard } = await pair(limits);
    far.write(Buffer.concat([encodeFrame({ n: 1 }), encodeFrame({ n: 2 })]));
    far.end();
    await heard.closed;
    expect(heard.messages).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('refuses a frame announced over the inbound limit with the decoder message, before buffering it, and reads nothing more', async () => {
    const { framed, heard } = await pair(limits);
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(65, 0);
    framed.socket.emit('data', encodeFrame({ n: 1 }));
    framed.socket.emit('data', header);
    framed.socket.emit('data', encodeFrame({ n: 2 }));
    expect(heard.events).toEqual(['message', 'oversize']);
    expect(heard.oversize[0]!.message).toBe('frame of 65 bytes exceeds the 64-byte limit');
  });

  it('takes larger frames once the limit is raised', async () => {
    const { framed, heard } = await pair(limits);
    framed.acceptFramesUpTo(1024);
    framed.socket.emit('data', encodeFrame({ text: 'x'.repeat(200) }));
    expect(heard.messages).toEqual([{ text: 'x'.repeat(200) }]);
  });

  it('reports a frame that is not UTF-8 JSON and goes on reading', async () => {
    const { framed, heard } = await pair(limits);
    const junk = Buffer.from([0, 0, 0, 2, 0xff, 0xfe]);
    framed.socket.emit('data', Buffer.concat([junk, encodeFrame({ n: 1 })]));
    expect(heard.events).toEqual(['malformed: frame is not UTF-8 JSON', 'message']);
  });

  it('does not read the frames behind one whose handler closed the connection', async () => {
    const { framed, heard } = await pair(limits, {
      message: (value) => {
        heard.messages.push(value);
        framed.destroy();
      },
    });
    framed.socket.emit('data', Buffer.concat([encodeFrame({ n: 1 }), encodeFrame({ n: 2 })]));
    expect(heard.messages).toEqual([{ n: 1 }]);
  });

  it('closes once, without a message, when the other end goes away mid-frame', async () => {
    const { far, heard } = await pair(limits);
    far.end(encodeFrame({ n: 1 }).subarray(0, 6));
    await heard.closed;
    expect(heard.events).toEqual(['close']);
  });

  it('sends frames byte-identical to encodeFrame and refuses one over the outbound limit without writing', async () => {
    const { far, framed } = await pair(limits);
    const bytes = received(far);
    framed.send({ n: 1 });
    expect(() => framed.send({ text: 'x'.repeat(100) })).toThrow(FrameTooLargeError);
    framed.closeWith({ type: 'error', code: 'BYE' });
    expect(framed.open).toBe(false);
    framed.send({ n: 2 }); // a no-op once closed
    expect(await bytes).toEqual(Buffer.concat([encodeFrame({ n: 1 }), encodeFrame({ type: 'error', code: 'BYE' })]));
  });

  it('gives up on a first frame that does not come in time, and not on one that did', async () => {
    const late = await pair({ ...limits, firstFrameTimeoutMs: 30 }, { firstFrameTimeout: () => late.heard.events.push('first frame timeout') });
    const prompt = await pair({ ...limits, firstFrameTimeoutMs: 30 }, { firstFrameTimeout: () => prompt.heard.events.push('first frame timeout') });
    prompt.far.write(encodeFrame({ n: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(late.heard.events).toEqual(['first frame timeout']);
    expect(prompt.heard.events).toEqual(['message']);
  });

  it('destroys a connection that stays idle when no idle handler is given', async () => {
    const { heard } = await pair({ ...limits, idleTimeoutMs: 30 });
    await heard.closed;
    expect(heard.events).toEqual(['close']);
  });

  it('cuts off a reader that leaves more than the pending-write limit unread', async () => {
    const slow: string[] = [];
    const { far, framed, heard } = await pair(
      { maxInboundBytes: 64, maxOutboundBytes: 64 * 1024, maxPendingWriteBytes: 1024 },
      { slowReader: (pending) => slow.push(`slow reader: ${pending > 1024}`) },
    );
    far.pause(); // the far end reads nothing
    const big = { text: 'x'.repeat(60 * 1024) };
    for (let i = 0; i < 200 && framed.open; i++) framed.send(big);
    await heard.closed;
    expect(slow).toEqual(['slow reader: true']);
  });
});
