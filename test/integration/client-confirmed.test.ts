import { afterAll, describe, expect, it } from 'vitest';
import { checkout } from '../../src/core/client/checkout';
import type { ServerAddress } from '../../src/core/client/connection';
import { startTestServer, type TestServer } from '../support/testServer';
import { makeTempDir } from '../support/tempDir';

// A held seat says which server answered each heartbeat (the chaos checker counts a seat as held
// for as long as any member answers heartbeats for it).

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
