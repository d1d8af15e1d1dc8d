import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkout } from '../../src/core/client/checkout';
import { ServerConnection } from '../../src/core/client/connection';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from '../../src/core/protocol';
import { makeTempDir } from '../support/tempDir';
import { startTestServer, type TestServer } from '../support/testServer';

/** Bad input never stops the server: garbage, oversize and truncated frames, silence, floods. */

const hello = encodeFrame({ type: 'hello', version: 1, role: 'client' });
const goodCheckout = { type: 'checkout', id: 1, feature: 'Fuzz', version: '1.0', count: 1, user: 'u', host: 'h', display: ':0' };

/** Opens a raw socket, writes `chunks`, and collects decoded frames until the server closes it. */
function rawExchange(port: number, chunks: Buffer[], waitMs: number): Promise<{ frames: unknown[]; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
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

function header(length: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(length, 0);
  return b;
}

/** One fuzz frame: raw garbage, framed garbage, random JSON, or a mutated well-formed request. */
const fuzzFrame: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([header(b.length), Buffer.from(b)])),
  fc.jsonValue({ maxDepth: 2 }).map((v) => encodeFrame(v)),
  fc.record({ key: fc.constantFrom(...Object.keys(goodCheckout)), value: fc.jsonValue({ maxDepth: 1 }) }).map(({ key, value }) =>
    encodeFrame({ ...goodCheckout, [key]: value }),
  ),
  fc.constantFrom('lmdown', 'lmreread', 'launch', 'hello', 'peer').map((type) => encodeFrame({ type, id: 2, token: 'x' })),
  fc.integer({ min: MAX_FRAME_BYTES + 1, max: 0xffffffff }).map((n) => header(n)),
  fc.nat({ max: 40 }).map((cut) => encodeFrame(goodCheckout).subarray(0, 4 + (cut % 40))),
  fc.constant(encodeFrame(goodCheckout)),
);

describe('server robustness', () => {
  const temp = makeTempDir();
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(
      temp.dir,
      { features: [{ name: 'Fuzz', count: 5 }, { name: 'Probe', count: 1 }] },
      ['--client-heartbeat', '5000', '--hello-timeout', '400', '--max-connections', '60'],
    );
  });

  afterAll(async () => {
    await server.stop();
    temp.remove();
  });

  it('survives 10,000 random and mutated frames and then serves a well-formed client', async () => {
    const frames = fc.sample(fuzzFrame, { numRuns: 10_000, seed: 20261128 });
    const perConnection = 10;
    const batches: Buffer[][] = [];
    for (let i = 0; i < frames.length; i += perConnection) {
      // most connections say hello first, so the frames reach the request decoder
      batches.push([...(i % 3 === 0 ? [] : [hello]), ...frames.slice(i, i + perConnection)]);
    }
    let sent = 0;
    const started = Date.now();
    const workers = Array.from({ length: 20 }, async () => {
      while (batches.length > 0) {
        const batch = batches.shift()!;
        await rawExchange(server.port, batch, 600);
        sent += batch.length;
      }
    });
    await Promise.all(workers);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(server.triad.child.exitCode).toBeNull();
    // the flood is summarised in the debug log, not copied into it line by line
    const logged = readFileSync(path.join(temp.dir, 'debug.log'), 'utf8').split('\n').filter((l) => l.includes('closed connection from'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThanOrEqual(20 * (Math.ceil((Date.now() - started) / 10_000) + 1));
    const probe = await checkout([server.address], { feature: 'Probe', version: '1.0', count: 1, user: 'probe', host: 'h', display: ':0' });
    expect(probe.kind).toBe('granted');
    if (probe.kind === 'granted') await probe.license.checkin();
  });

  it('closes a connection that never says hello, with an error frame', async () => {
    const started = Date.now();
    const { frames, closedByServer } = await rawExchange(server.port, [], 5_000);
    expect(closedByServer).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(frames).toEqual([expect.objectContaining({ type: 'error', code: 'HELLO_TIMEOUT' })]);
  });

  it('answers oversize frames, unknown types and malformed fields with an error frame and a close', async () => {
    const oversize = await rawExchange(server.port, [hello, header(MAX_FRAME_BYTES + 1)], 3_000);
    expect(oversize.frames.at(-1)).toMatchObject({ type: 'error', code: 'FRAME_TOO_LARGE' });
    const unknown = await rawExchange(server.port, [hello, encodeFrame({ type: 'launch', id: 1 })], 3_000);
    expect(unknown.frames.at(-1)).toMatchObject({ type: 'error', code: 'BAD_MESSAGE' });
    const malformed = await rawExchange(server.port, [hello, encodeFrame({ ...goodCheckout, count: 'many' })], 3_000);
    expect(malformed.frames.at(-1)).toMatchObject({ type: 'error', code: 'BAD_MESSAGE' });
    expect(malformed.closedByServer).toBe(true);
  });

  it('refuses connections over the limit with a clear error, and serves again once they close', async () => {
    const open: ServerConnection[] = [];
    try {
      for (let i = 0; i < 60; i++) open.push(await ServerConnection.open(server.address));
      const refused = await rawExchange(server.port, [hello], 3_000);
      expect(refused.frames).toEqual([expect.objectContaining({ type: 'error', code: 'TOO_MANY_CONNECTIONS' })]);
    } finally {
      for (const c of open) c.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await ServerConnection.open(server.address);
    expect(again.welcome.type).toBe('welcome');
    again.close();
  });
});
