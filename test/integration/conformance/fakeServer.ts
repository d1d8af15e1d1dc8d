import net from 'node:net';
import { encodeFrame, FrameDecoder, MAX_REPLY_FRAME_BYTES } from '../../../src/core/protocol';
import { fakeGrant } from '../../support/fakeGrant';

/**
 * A license port that misbehaves in one chosen way, so the suite can check that every client
 * reports a clear error (and keeps running) whatever a server sends. The well-formed parts
 * follow docs/PROTOCOL.md.
 */
export type FakeBehaviour =
  | 'http'
  | 'not-json'
  | 'bad-utf8'
  | 'refuses'
  | 'silent'
  | 'truncated'
  | 'wrong-field'
  | 'unknown-type'
  | 'deep'
  | 'missing-fields'
  | 'extra-fields'
  | 'garbage-after-grant'
  | 'stops-serving'
  | 'mute-after-grant';

const rawFrame = (payload: Buffer): Buffer => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
};

const frame = (message: unknown): Buffer => encodeFrame(message, MAX_REPLY_FRAME_BYTES);

const welcome = (extra: Record<string, unknown> = {}) => frame({ type: 'welcome', version: 1, server: 'fake', port: 1, serverVersion: '0.0.0-fake', ...extra });

function granted(id: number, resumed: boolean, extra: Record<string, unknown> = {}): Buffer {
  return frame(fakeGrant({ id, port: 1, resumed, ...extra }));
}

type Request = { type?: string; id?: number; resumeToken?: string };

/** What the fake sends in answer to one client frame (null: nothing). */
function answer(behaviour: FakeBehaviour, request: Request): Buffer | null {
  const id = typeof request.id === 'number' ? request.id : 0;
  if (request.type === 'hello') {
    switch (behaviour) {
      case 'not-json':
        return rawFrame(Buffer.from('this is not JSON'));
      case 'bad-utf8':
        return rawFrame(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
      case 'refuses':
        return frame({ type: 'error', code: 'UNSUPPORTED_VERSION', message: 'protocol version 1 is not supported (this server speaks 7); update the client' });
      case 'silent':
        return null;
      case 'extra-fields':
        return welcome({ capabilities: ['future'], motd: { text: 'hello' } });
      default:
        return welcome();
    }
  }
  if (request.type === 'checkout') {
    switch (behaviour) {
      case 'truncated':
        return Buffer.concat([Buffer.from([0, 0, 0, 100]), Buffer.from('{"type":"g')]);
      case 'wrong-field':
        return granted(id, false, { leaseId: 42 });
      case 'unknown-type':
        return frame({ type: 'surprise', id });
      case 'deep':
        return rawFrame(Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)));
      case 'missing-fields':
        return frame({ type: 'granted', id });
      case 'extra-fields':
        return granted(id, request.resumeToken !== undefined, { futureField: { nested: [1, 2, 3] }, priority: 'high' });
      case 'garbage-after-grant':
        // the first checkout is granted; a resume gets garbage, like every later frame
        return request.resumeToken === undefined ? granted(id, false) : rawFrame(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
      case 'stops-serving':
        // a resume finds the seat again
        return granted(id, request.resumeToken !== undefined);
      case 'mute-after-grant':
        // a long failover allowance, so the client still has time to resume after a silent heartbeat
        return granted(id, request.resumeToken !== undefined, { failoverMs: 10_000 });
      default:
        return frame({ type: 'denied', id, code: -5, reason: 'No such feature exists. (-5,222)' });
    }
  }
  if (behaviour === 'mute-after-grant') return null;
  if (behaviour === 'garbage-after-grant') return rawFrame(Buffer.from('{"type":"heartbeatAck","id":'));
  // a member that lost its quorum refuses heartbeats: the client must take the seat elsewhere
  if (behaviour === 'stops-serving' && request.type === 'heartbeat') {
    return frame({ type: 'refused', id, reason: 'this server is not serving now (no master); keep the seat and retry' });
  }
  if (request.type === 'heartbeat') return frame({ type: 'heartbeatAck', id, unknown: [], note: 'fields a newer server adds' });
  if (request.type === 'checkin') return frame({ type: 'checkedIn', id, leaseId: 'fake-lease', at: 12345 });
  return null;
}

export interface FakeServer {
  port: number;
  /** Requests received, in order (their `type`), for assertions about what clients sent. */
  received: string[];
  close(): Promise<void>;
}

export async function startFakeServer(behaviour: FakeBehaviour): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const received: string[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (behaviour === 'http') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const decoder = new FrameDecoder(MAX_REPLY_FRAME_BYTES);
    socket.on('data', (chunk) => {
      let payloads: Buffer[];
      try {
        payloads = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const payload of payloads) {
        let request: Request;
        try {
          request = JSON.parse(payload.toString('utf8')) as Request;
        } catch {
          socket.destroy();
          return;
        }
        received.push(String(request.type));
        const reply = answer(behaviour, request);
        if (reply === null) continue;
        if (behaviour === 'truncated' && request.type === 'checkout') socket.end(reply);
        else if (behaviour === 'refuses') socket.end(reply);
        else socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    received,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
