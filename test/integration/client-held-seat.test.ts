import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { checkout } from '../../src/core/client/checkout';
import { encodeFrame, FrameDecoder } from '../../src/core/protocol';
import type { ServerAddress } from '../../src/core/client/connection';
import { startTestServer, type TestServer } from '../support/testServer';
import { makeTempDir } from '../support/tempDir';
import { FaultProxy, faults } from '../support/faultProxy';
import { fakeGrant } from '../support/fakeGrant';

// A held seat says which server answered each heartbeat (the chaos checker counts a seat as held
// for as long as any member answers heartbeats for it), and notices a server that fell silent in
// time to move the seat (the silent-cut failover bench found clients waiting 30 s), and finds it
// at the new master when its own member stops serving (the clock-step drill found clients staying).

describe('held license', () => {
  const temp = makeTempDir();
  let server: TestServer | null = null;
  afterAll(async () => {
    await server?.stop();
    temp.remove();
  });

  it("emits 'confirmed' with the server's address for every answered heartbeat", async () => {
    server = await startTestServer(temp.dir, { features: [{ name: 'cad', count: 1 }] }, ['--client-heartbeat', '100']);
    const held = await checkout([server.address], { feature: 'cad', version: '1.0', count: 1, user: 'ann', host: 'box', display: ':0' });
    if (held.kind !== 'granted') throw new Error(`expected a grant: ${JSON.stringify(held)}`);
    const answeredBy: ServerAddress[] = [];
    held.license.on('confirmed', (address) => answeredBy.push(address));
    await new Promise((resolve) => setTimeout(resolve, 450));
    await held.license.checkin();
    expect(answeredBy.length).toBeGreaterThanOrEqual(2);
    expect(new Set(answeredBy.map((a) => `${a.port}@${a.host}`))).toEqual(new Set([server.spec]));
  });
});

describe('held license behind a link that falls silent', () => {
  const temp = makeTempDir();
  let server: TestServer | null = null;
  let proxy: FaultProxy | null = null;
  afterAll(async () => {
    await proxy?.stop();
    await server?.stop();
    temp.remove();
  });

  it('notices within the seat timeout, not after the 30-second request timeout', async () => {
    // a pulled cable: no reset, no close; only the missing heartbeat answer tells
    server = await startTestServer(temp.dir, { features: [{ name: 'cad', count: 1 }] }, ['--client-heartbeat', '200']);
    proxy = new FaultProxy({ listen: { host: '127.0.0.1', port: 0 }, target: server.address });
    await proxy.start();
    const held = await checkout([proxy.address], { feature: 'cad', version: '1.0', count: 1, user: 'ann', host: 'box', display: ':0' });
    if (held.kind !== 'granted') throw new Error(`expected a grant: ${JSON.stringify(held)}`);
    // the seat moves (the grant names the server's own address, past the proxy) or is given up
    const noticed = new Promise<number>((resolve) => {
      held.license.on('resumed', () => resolve(performance.now()));
      held.license.on('lost', () => resolve(performance.now()));
    });
    proxy.setFault('client', faults.drop());
    const cutAt = performance.now();
    const noticedAfter = await Promise.race([noticed.then((at) => at - cutAt), new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 10_000))]);
    await held.license.checkin();
    // three missed heartbeats (600 ms) plus the reconnect attempts' connect timeout
    expect(noticedAfter).toBeLessThan(6_000);
  });
});

/**
 * A stand-in triad member on the wire: answers the hello, grants (or resumes) a checkout and
 * answers heartbeats as told, takes checkins. Enough to show what a client does with each answer.
 */
async function fakeMember(
  answer: { heartbeat: () => 'ack' | 'refused'; checkout: () => 'grant' | 'refused' },
  members: () => ServerAddress[],
): Promise<{ address: ServerAddress; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const decoder = new FrameDecoder();
    const reply = (message: unknown) => socket.write(encodeFrame(message));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const payload of decoder.push(chunk)) {
        const message = JSON.parse(payload.toString('utf8')) as { type: string; id: number; resumeToken?: string };
        const { port } = server.address() as net.AddressInfo;
        if (message.type === 'hello') reply({ type: 'welcome', version: 1, server: '127.0.0.1', port, serverVersion: 'fake' });
        else if (message.type === 'checkout' && answer.checkout() === 'refused')
          reply({ type: 'refused', id: message.id, reason: 'this server is not serving now (no master); keep the seat and retry' });
        else if (message.type === 'checkout') {
          reply(fakeGrant({ id: message.id, port, resumed: message.resumeToken !== undefined, members: members(), failoverMs: 3_000 }));
        } else if (message.type === 'heartbeat' && answer.heartbeat() === 'ack') reply({ type: 'heartbeatAck', id: message.id, unknown: [] });
        else if (message.type === 'heartbeat')
          reply({ type: 'refused', id: message.id, reason: 'this server is not serving now (no master); keep the seat and retry' });
        else if (message.type === 'checkin') reply({ type: 'checkedIn', id: message.id, leaseId: 'fake-lease' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('held license on a member that stops serving while its clients still reach it', () => {
  it('finds the seat at the member that became master (resume token), keeping it until then', async () => {
    // the master is cut from its peers, not from its clients: it answers "not serving", and a
    // client that waits there loses its seat when the new master's timeout for it runs out
    let oldServes = true;
    let newServes = false;
    const addresses: ServerAddress[] = [];
    const old = await fakeMember({ heartbeat: () => (oldServes ? 'ack' : 'refused'), checkout: () => (oldServes ? 'grant' : 'refused') }, () => addresses);
    const successor = await fakeMember({ heartbeat: () => 'ack', checkout: () => (newServes ? 'grant' : 'refused') }, () => addresses);
    addresses.push(old.address, successor.address);
    try {
      const held = await checkout([old.address], { feature: 'cad', version: '1.0', count: 1, user: 'ann', host: 'box', display: ':0' });
      if (held.kind !== 'granted') throw new Error(`expected a grant: ${JSON.stringify(held)}`);
      const events: string[] = [];
      held.license.on('resumed', (address) => events.push(`resumed ${address.port === successor.address.port ? 'successor' : 'old'}`));
      held.license.on('lost', (why) => events.push(`lost ${why}`));
      // no master anywhere for a while: the seat is kept, as the member asks
      oldServes = false;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(events).toEqual([]);
      newServes = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(events).toEqual(['resumed successor']);
      await held.license.checkin();
    } finally {
      old.close();
      successor.close();
    }
  });
});
