import { afterAll, describe, expect, it } from 'vitest';
import { checkout } from '../../src/core/client/checkout';
import type { ServerAddress } from '../../src/core/client/connection';
import { startTestServer, type TestServer } from '../support/testServer';
import { makeTempDir } from '../support/tempDir';
import { FaultProxy, faults } from '../support/faultProxy';

// A held seat says which server answered each heartbeat (the chaos checker counts a seat as held
// for as long as any member answers heartbeats for it), and notices a server that fell silent in
// time to move the seat (the silent-cut failover bench found clients waiting 30 s).

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
