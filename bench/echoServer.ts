import net from 'node:net';
import { encodeFrame, FrameDecoder } from '../src/core/protocol';

/**
 * Worker role `echo-server`: the baseline. It answers each frame with a JSON frame of similar
 * size, like the server would, but does nothing else (no validation, pools, SQLite or logs).
 */
export function runEchoServer(): void {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const payload of decoder.push(chunk)) {
        const message = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        socket.write(encodeFrame({ ...message, leaseId: 'echo' }));
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`echo ready on ${(server.address() as net.AddressInfo).port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}
