import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, BackendOptions } from '../../src/core/backend';
import { checkout } from '../../src/core/client/checkout';
import { ServerConnection } from '../../src/core/client/connection';
import { clientHello, rawExchange } from '../support/rawWire';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { startSingleServer } from '../support/singleServer';
import { makeTempDir } from '../support/tempDir';

/**
 * Issue 20: 100 idle connections from one address used to exhaust --max-connections for
 * everyone. Each source address gets a share of the connections, and a connection that holds no
 * seat is closed after a short idle time (one that holds a seat keeps the long one).
 */

describe('connections per address and idle connections without a seat', () => {
  const temp = makeTempDir('triad-caps-');
  const license = writeSignedLicense(temp.dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Capped', count: 2 }] });
  const running: Backend[] = [];
  const open: ServerConnection[] = [];
  afterAll(async () => {
    for (const connection of open) connection.close();
    await Promise.all(running.map((b) => b.stop('test finished')));
    temp.remove();
  });

  async function start(name: string, options: Partial<BackendOptions>): Promise<{ host: string; port: number }> {
    const backend = await startSingleServer(license, path.join(temp.dir, name), options);
    running.push(backend);
    return { host: '127.0.0.1', port: backend.address.port };
  }

  it('one address cannot take every connection: its own are refused over its share, others are still served', async () => {
    const address = await start('per-address', { limits: { maxConnections: 20, maxConnectionsPerAddress: 4 } });
    for (let i = 0; i < 4; i++) open.push(await ServerConnection.open(address, { localAddress: '127.0.0.2' }));
    const refused = await rawExchange(address.port, [clientHello], 2_000, { localAddress: '127.0.0.2' });
    expect(refused.frames).toEqual([expect.objectContaining({ type: 'error', code: 'TOO_MANY_CONNECTIONS', message: expect.stringMatching(/from 127\.0\.0\.2/) })]);
    const other = await checkout(
      [address],
      { feature: 'Capped', version: '1.0', count: 1, user: 'carol', host: 'ws3', display: ':0' },
      { localAddress: '127.0.0.3' },
    );
    expect(other.kind).toBe('granted');
    if (other.kind === 'granted') await other.license.checkin();
  });

  it('a connection without a seat is closed after the short idle time; one holding a seat stays', async () => {
    const address = await start('idle', { clientHeartbeatIntervalMs: 5_000, limits: { idleWithoutSeatMs: 300 } });
    const idle = await ServerConnection.open(address);
    const closed = new Promise<string>((resolve) => idle.onClose(resolve));
    const held = await checkout([address], { feature: 'Capped', version: '1.0', count: 1, user: 'dave', host: 'ws4', display: ':0' });
    if (held.kind !== 'granted') throw new Error('expected a grant');
    let lost: string | null = null;
    held.license.on('lost', (reason) => (lost = reason));
    const started = Date.now();
    expect(await closed).toBeTruthy();
    expect(Date.now() - started).toBeLessThan(2_000);
    // the holder is silent for longer than that (it heartbeats every 5 s) and keeps its connection
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(lost).toBeNull();
    expect((await held.license.checkin()).confirmed).toBe(true);
  });
});
