import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/core/backend';
import { verifyEntry } from '../../src/core/client/verifyEntry';
import { freePort } from '../support/freePort';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { startSingleServer } from '../support/singleServer';
import { makeTempDir } from '../support/tempDir';

/** Verify of a Client/Server Configuration entry against a real server and two dead addresses. */
describe('Verify', () => {
  const temp = makeTempDir('verify-entry-');
  let backend: Backend;
  let port: number;
  beforeAll(async () => {
    const license = writeSignedLicense(temp.dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'cad', count: 4 }] });
    backend = await startSingleServer(license, path.join(temp.dir, 'data'), { bind: '127.0.0.1' });
    port = backend.address.port;
  });
  afterAll(async () => {
    await backend?.stop('test finished');
    temp.remove();
  });

  it('a redundant entry shows each member: up or down, master, round trip', async () => {
    const dead = await freePort();
    const entry = {
      id: 7,
      name: 'triad',
      type: 'redundant' as const,
      hosts: [
        { host: '127.0.0.1', port },
        { host: '127.0.0.2', port: dead },
        { host: '127.0.0.3', port: dead },
      ],
    };
    const result = await verifyEntry(entry, 1_000);
    expect(result.reachable).toBe(true);
    expect(result.members!.map((m) => [m.host, m.up, m.master])).toEqual([
      ['127.0.0.1', true, true],
      ['127.0.0.2', false, false],
      ['127.0.0.3', false, false],
    ]);
    expect(result.members![0]!.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(result.members![1]!.roundTripMs).toBeNull();
    expect(result.members![1]!.problem).toMatch(/refused/i);
    expect(result.features).toEqual([{ name: 'cad', version: '1.0', issued: 4, inUse: 0 }]);
  });

  it('a single entry shows the one server that answered', async () => {
    const result = await verifyEntry({ id: 8, name: 'one', type: 'single', hosts: [{ host: '127.0.0.1', port }] }, 1_000);
    expect(result.members).toHaveLength(1);
    expect(result.members![0]).toMatchObject({ host: '127.0.0.1', port, up: true, master: true, problem: null });
  });
});
