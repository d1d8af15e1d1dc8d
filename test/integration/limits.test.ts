import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import path from 'node:path';
import type { Backend, BackendOptions } from '../../src/core/backend';
import { checkout } from '../../src/core/client/checkout';
import { ServerConnection } from '../../src/core/client/connection';
import { encodeFrame, MAX_FRAME_BYTES } from '../../src/core/protocol';
import { clientHello, frameHeader, rawExchange } from '../support/rawWire';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { startSingleServer } from '../support/singleServer';
import { makeTempDir } from '../support/tempDir';

/**
 * Each connection limit (issue 7): the breach is refused or cut off with the right error, it is
 * logged once per window however often it happens, and a well-formed client is served after it.
 */

const BREACHES = 12;

describe('connection limits', () => {
  const temp = makeTempDir();
  const license = writeSignedLicense(temp.dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Limited', count: 2 }] });
  const running: Backend[] = [];
  afterAll(async () => {
    await Promise.all(running.map((b) => b.stop('test finished')));
    temp.remove();
  });

  async function start(
    name: string,
    options: Partial<BackendOptions> = {},
  ): Promise<{ backend: Backend; logged: string[]; address: { host: string; port: number } }> {
    const backend = await startSingleServer(license, path.join(temp.dir, name), options);
    running.push(backend);
    const logged: string[] = [];
    backend.events.on('log', (entry) => logged.push(entry.message));
    return { backend, logged, address: { host: '127.0.0.1', port: backend.address.port } };
  }

  async function servesGoodClient(address: { host: string; port: number }): Promise<void> {
    const result = await checkout([address], { feature: 'Limited', version: '1.0', count: 1, user: 'good', host: 'ws', display: ':0' });
    expect(result.kind).toBe('granted');
    if (result.kind === 'granted') await result.license.checkin();
  }

  async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The debug log is written in batches: wait until it has caught up. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
  const linesWith = (logged: string[], text: string) => logged.filter((line) => line.includes(text));

  it('maximum connections: refused with TOO_MANY_CONNECTIONS, logged once, serves again once some close', async () => {
    const { backend, logged, address } = await start('max', { limits: { maxConnections: 3 } });
    const open = await Promise.all([0, 1, 2].map(() => ServerConnection.open(address)));
    const refused = await Promise.all(Array.from({ length: BREACHES }, () => rawExchange(address.port, [clientHello], 3_000)));
    for (const r of refused) expect(r.frames).toEqual([expect.objectContaining({ type: 'error', code: 'TOO_MANY_CONNECTIONS' })]);
    // refused sockets are not counted, so one that never closes its side is cut within a second,
    // not after the 5 s hello timeout: a flood of them cannot pile up file descriptors
    const stubborn = net.connect({ ...address, allowHalfOpen: true }); // never ends its side
    stubborn.resume();
    await new Promise((resolve) => stubborn.once('end', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // the server has cut it by now: writing to it fails (still open, the server would read and drop)
    const cut = await new Promise<boolean>((resolve) => {
      stubborn.once('error', () => resolve(true));
      stubborn.once('close', () => resolve(true));
      stubborn.write('still there?');
      setTimeout(() => stubborn.write('still there?'), 100);
      setTimeout(() => resolve(false), 1_000);
    });
    stubborn.destroy();
    expect(cut).toBe(true);
    for (const c of open) c.close();
    await settle();
    expect(linesWith(logged, 'connections already open')).toHaveLength(1);
    await servesGoodClient(address);
    // refused sockets must not linger half-closed: the port closes at once
    const stoppedInTime = await Promise.race([backend.stop('test finished').then(() => true), new Promise((resolve) => setTimeout(resolve, 1_000, false))]);
    expect(stoppedInTime).toBe(true);
  });

  it('hello timeout: silent connections are closed with HELLO_TIMEOUT, logged once', async () => {
    const { logged, address } = await start('hello', { limits: { helloTimeoutMs: 150 } });
    const silent = await Promise.all(Array.from({ length: BREACHES }, () => rawExchange(address.port, [], 3_000)));
    for (const s of silent) expect(s.frames).toEqual([expect.objectContaining({ type: 'error', code: 'HELLO_TIMEOUT' })]);
    await settle();
    expect(linesWith(logged, 'no hello within 150 ms')).toHaveLength(1);
    await servesGoodClient(address);
  });

  it('idle timeout: connections silent after their hello are closed with IDLE_TIMEOUT, logged once', async () => {
    const { logged, address } = await start('idle', { limits: { idleWithoutSeatMs: 200 } });
    const idle = await Promise.all(Array.from({ length: BREACHES }, () => rawExchange(address.port, [clientHello], 3_000)));
    for (const s of idle) expect(s.frames.at(-1)).toMatchObject({ type: 'error', code: 'IDLE_TIMEOUT' });
    await settle();
    expect(linesWith(logged, 'connection idle too long')).toHaveLength(1);
    await servesGoodClient(address);
  });

  it('frame size: an announced frame over 64 KiB closes the connection before it is buffered, logged once', async () => {
    const { logged, address } = await start('frame');
    const oversize = await Promise.all(
      Array.from({ length: BREACHES }, (_, i) =>
        rawExchange(address.port, [clientHello, frameHeader(MAX_FRAME_BYTES + 1 + i), Buffer.alloc(1024, 0x41)], 3_000),
      ),
    );
    for (const o of oversize) expect(o.frames.at(-1)).toMatchObject({ type: 'error', code: 'FRAME_TOO_LARGE' });
    await settle();
    expect(linesWith(logged, 'exceeds the 65536-byte limit')).toHaveLength(1);
    await servesGoodClient(address);
  });

  it('per-connection buffer: a client that never reads its replies is cut off, logged once', async () => {
    const { backend, logged, address } = await start('buffer', { limits: { maxPendingWriteBytes: 16 * 1024 } });
    // 40,000 status requests (~1.5 MB) whose replies (~30 MB) outgrow the socket buffers
    const flood = Buffer.concat([clientHello, ...Array.from({ length: 40_000 }, (_, i) => encodeFrame({ type: 'status', id: i + 1 }))]);
    const slowReaders = [0, 1].map(() => {
      const socket = net.connect(address);
      socket.pause(); // never reads, so it would not even notice the close: watch the server
      socket.on('connect', () => socket.write(flood));
      socket.on('error', () => {});
      return socket;
    });
    const slowReaderCount = () =>
      backend
        .metrics()
        .find((f) => f.name === 'triad_connection_problems')!
        .samples.find((s) => s.labels?.kind === 'slow_reader')?.value ?? 0;
    try {
      await eventually(() => slowReaderCount() === 2 && backend.metrics().find((f) => f.name === 'triad_connections')!.samples[0]!.value === 0, 20_000);
    } finally {
      for (const socket of slowReaders) socket.destroy();
    }
    await settle();
    expect(linesWith(logged, 'it does not read its replies')).toHaveLength(1);
    await servesGoodClient(address);
  });

  describe('failed admin authentication', () => {
    let server: Awaited<ReturnType<typeof start>>;
    beforeAll(async () => {
      server = await start('admin', { adminLockout: { maxFailures: 3, windowMs: 60_000, lockoutMs: 1_500 } });
    });

    async function lmreread(token: string): Promise<{ type: string; reason?: string; message?: string }> {
      const connection = await ServerConnection.open(server.address, { role: 'admin', agent: 'limits test' });
      try {
        return (await connection.request({ type: 'lmreread', token })) as { type: string; reason?: string };
      } finally {
        connection.close();
      }
    }

    it('locks the address out after N failures: later bad requests are refused unlogged, the right token still gets in; one log line, audited', async () => {
      const token = (await import('../../src/core/client/connectionAdmin')).readAdminToken(path.join(temp.dir, 'admin'))!;
      expect(token).toBeTruthy();
      for (let i = 0; i < 3; i++) expect((await lmreread('wrong')).reason).toMatch(/wrong admin token/);
      const locked = [];
      for (let i = 0; i < 4; i++) locked.push(await lmreread('wrong'));
      for (const reply of locked) {
        expect(reply).toMatchObject({
          type: 'refused',
          reason: expect.stringMatching(/too many failed admin authentications from 127\.0\.0\.1; try again in \d+ s/),
        });
      }
      // nobody can lock the administrator out: the token is 256 random bits, guessing is hopeless
      expect(await lmreread(token)).toMatchObject({ type: 'done' });
      await settle();
      expect(linesWith(server.logged, 'Admin lockout of 127.0.0.1')).toHaveLength(1);
      // only the three failures before the lockout are logged one by one
      expect(linesWith(server.logged, 'refused: wrong admin token')).toHaveLength(3);
      const audit = server.backend.store.audit.recent(20);
      expect(audit.filter((a) => a.action === 'admin lockout')).toEqual([
        expect.objectContaining({
          who: 'limits test',
          fromAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
          detail: expect.stringMatching(/^3 refused admin requests within 60 s/),
        }),
      ]);
      const metrics = server.backend.metrics();
      expect(metrics.find((f) => f.name === 'triad_admin_lockouts')!.samples[0]!.value).toBe(1);
      expect(metrics.find((f) => f.name === 'triad_admin_auth_failures')!.samples[0]!.value).toBe(3);

      await new Promise((resolve) => setTimeout(resolve, 1_600));
      expect((await lmreread('wrong')).reason).toMatch(/wrong admin token/);
      await servesGoodClient(server.address);
    });

    it('a flood of admin requests from another machine while remote admin is off writes a bounded number of rows', async () => {
      const adminHello = encodeFrame({ type: 'hello', version: 1, role: 'admin', agent: 'flooder' });
      const flood = Array.from({ length: 200 }, (_, i) =>
        encodeFrame({ type: 'lmremove', id: i + 1, feature: 'Limited', user: 'u', host: 'h', display: 'd', token: 'x' }),
      );
      const { frames } = await rawExchange(server.address.port, [adminHello, ...flood], 2_000, { localAddress: '127.0.0.2' });
      const refusals = frames.filter((f) => (f as { type: string }).type === 'refused');
      expect(refusals).toHaveLength(200);
      await settle();
      // three refusals are logged and audited one by one, then the lockout, then nothing
      expect(linesWith(server.logged, 'from 127.0.0.2').filter((line) => line.includes('remote administration is off'))).toHaveLength(3);
      expect(linesWith(server.logged, 'Admin lockout of 127.0.0.2')).toHaveLength(1);
      const rows = server.backend.store.audit.recent(1_000).filter((a) => a.fromAddress.startsWith('127.0.0.2:'));
      expect(rows.map((a) => a.action).sort()).toEqual(['admin lockout', 'lmremove refused', 'lmremove refused', 'lmremove refused']);
    });
  });
});
