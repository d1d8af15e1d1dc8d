import path from 'node:path';
import { readAdminToken } from '../../src/core/client/connectionAdmin';
import { spawnTriad, stopChild, type TriadChild } from './triadProcess';
import { TEST_HOSTID, writeSignedLicense, type TestLicense, type WrittenLicense } from './signedLicense';

/** A `triad serve` child on 127.0.0.1 with a signed license, a private data folder and a free port. */
export interface TestServer {
  triad: TriadChild;
  port: number;
  address: { host: string; port: number };
  /** `-c` value for client commands. */
  spec: string;
  dataDir: string;
  license: WrittenLicense;
  adminToken: string;
  stop(): Promise<number | string>;
}

export async function startTestServer(dir: string, license: Omit<TestLicense, 'servers'>, extraArgs: string[] = []): Promise<TestServer> {
  const written = writeSignedLicense(dir, { ...license, servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }] });
  const dataDir = path.join(dir, 'data');
  const triad = await spawnTriad([
    'serve',
    '-c', written.licensePath,
    '--data', dataDir,
    '--hostid', TEST_HOSTID,
    '--trust', written.publicKeyPath,
    '--port', '0',
    '-l', path.join(dir, 'debug.log'),
    ...extraArgs,
  ]);
  const ready = await triad.waitForLine(/ready on \d+@/);
  const port = Number(/ready on (\d+)@/.exec(ready)![1]);
  return {
    triad,
    port,
    address: { host: '127.0.0.1', port },
    spec: `${port}@127.0.0.1`,
    dataDir,
    license: written,
    adminToken: readAdminToken(dataDir) ?? '',
    stop: () => stopChild(triad),
  };
}
