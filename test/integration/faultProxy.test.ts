import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy, faults } from '../support/faultProxy';

// An echo target behind the proxy; dialers pick their source IP so the proxy can tell them apart.
// Every port is the system's pick (0), so nothing else on the machine can collide with them.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echoTarget(): Promise<{ port: number; accepted: () => number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (bytes) => socket.write(bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  return { port, accepted: () => sockets.length, sockets };
}

async function proxyTo(targetPort: number): Promise<FaultProxy> {
  const proxy = new FaultProxy({
    listen: { host: '127.0.0.1', port: 0 },
    target: { host: '127.0.0.1', port: targetPort },
    classify: (ip) => (ip === '127.0.0.5' ? 'peer' : 'client'),
    random: () => 0,
  });
  await proxy.start();
  cleanups.push(() => proxy.stop());
  return proxy;
}

/** A dialer that collects what it receives and notes when its socket closes. */
async function dial(proxy: FaultProxy, localAddress = '127.0.0.6') {
  const socket = net.connect({ ...proxy.address, localAddress });
  socket.on('error', () => {});
  const received: Buffer[] = [];
  let closedAt: number | null = null;
  socket.on('data', (b) => received.push(b));
  socket.on('close', () => (closedAt = Date.now()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  cleanups.push(() => void socket.destroy());
  return { socket, text: () => Buffer.concat(received).toString(), closedAt: () => closedAt };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(5);
  }
  return Date.now() - start;
}

describe('FaultProxy', () => {
  it('passes bytes both ways by default', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    const client = await dial(proxy);
    client.socket.write('hello');
    await until(() => client.text() === 'hello');
    expect(proxy.stats.bytesForward).toBe(5);
    expect(proxy.stats.bytesBackward).toBe(5);
  });

  it('drop holds bytes silently (no close, no reset) and delivers them when the link heals', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    const client = await dial(proxy);
    client.socket.write('a');
    await until(() => client.text() === 'a');
    proxy.setFault('client', faults.drop());
    client.socket.write('b');
    await sleep(300);
    expect(client.text()).toBe('a');
    expect(client.closedAt()).toBeNull();
    proxy.setFault('client', faults.pass());
    await until(() => client.text() === 'ab');
  });

  it('a connection made during a drop reaches the target only after the heal', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    proxy.setFault('client', faults.drop());
    const client = await dial(proxy);
    client.socket.write('x');
    await sleep(200);
    expect(target.accepted()).toBe(0);
    proxy.healAll();
    await until(() => client.text() === 'x');
    expect(target.accepted()).toBe(1);
  });

  it('one way: the dialer’s bytes arrive, the replies are held until the heal', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    const client = await dial(proxy);
    client.socket.write('1');
    await until(() => client.text() === '1');
    let reachedTarget = '';
    target.sockets[0].on('data', (b) => (reachedTarget += b.toString()));
    proxy.setFault('client', faults.oneWay('forward'));
    client.socket.write('2');
    await until(() => reachedTarget === '2');
    await sleep(200);
    expect(client.text()).toBe('1');
    proxy.setFault('client', faults.pass());
    await until(() => client.text() === '12');
  });

  it('faults apply per link label: the peer is cut, the client still passes', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    proxy.setFault('peer', faults.drop());
    const peer = await dial(proxy, '127.0.0.5');
    const client = await dial(proxy, '127.0.0.6');
    peer.socket.write('p');
    client.socket.write('c');
    await until(() => client.text() === 'c');
    await sleep(200);
    expect(peer.text()).toBe('');
  });

  it('delay adds latency each way, keeping order', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    proxy.setFault('client', faults.delay(150));
    const client = await dial(proxy);
    const start = Date.now();
    client.socket.write('a');
    client.socket.write('b');
    await until(() => client.text() === 'ab');
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
  });

  it('bandwidth paces the stream', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    proxy.setFault('client', faults.slow(20_000));
    const client = await dial(proxy);
    const start = Date.now();
    client.socket.write(Buffer.alloc(4_000, 65));
    await until(() => client.text().length === 4_000);
    // 4 kB at 20 kB/s = 200 ms one way, paced again on the way back
    expect(Date.now() - start).toBeGreaterThanOrEqual(350);
  });

  it('loss stalls segments like a retransmission; a reset cuts the connection with RST', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    proxy.setFault('client', faults.lossy(1, 0));
    const client = await dial(proxy);
    const start = Date.now();
    client.socket.write('s');
    await until(() => client.text() === 's');
    expect(Date.now() - start).toBeGreaterThanOrEqual(380); // one stall each way, at least 200 ms
    expect(proxy.stats.stalls).toBe(2);

    proxy.setFault('client', faults.lossy(0, 1));
    const errors: string[] = [];
    client.socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? ''));
    client.socket.write('r');
    await until(() => client.closedAt() !== null);
    expect(errors).toContain('ECONNRESET');
    expect(proxy.stats.resets).toBe(1);
  });

  it('the target closing reaches the dialer when passing, and only after the heal when dropped', async () => {
    const target = await echoTarget();
    const proxy = await proxyTo(target.port);
    const first = await dial(proxy);
    first.socket.write('1');
    await until(() => first.text() === '1');
    target.sockets[0].destroy();
    await until(() => first.closedAt() !== null);

    const second = await dial(proxy);
    second.socket.write('2');
    await until(() => second.text() === '2');
    proxy.setFault('client', faults.drop());
    target.sockets[1].destroy();
    await sleep(300);
    expect(second.closedAt()).toBeNull();
    proxy.healAll();
    await until(() => second.closedAt() !== null);
  });
});
