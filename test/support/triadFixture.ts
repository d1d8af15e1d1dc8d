import path from 'node:path';
import { createBackend, type Backend, type BackendOptions } from '../../src/core/backend';
import { createTriad } from '../../src/core/server/triad/createTriad';
import { shareClusterSecret } from './clusterSecret';
import { TEST_HOSTID, writeSignedLicense, type WrittenLicense } from './signedLicense';

/** The three SERVER-line addresses of an in-process triad: each member binds its own loopback address. */
export const TRIAD_HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'] as const;

export interface TriadFixture {
  license: WrittenLicense;
  dataDir(rank: number): string;
  /** Member `rank` as a whole server (the real backend with the triad driver); `options` add to the defaults. */
  start(rank: number, options?: Partial<BackendOptions>): Promise<Backend>;
}

/**
 * A signed triad license for `features` on one port, and three data folders sharing one cluster
 * secret (a triad never runs without it), in `dir`.
 */
export function triadFixture(dir: string, port: number, features: { name: string; count: number }[]): TriadFixture {
  const license = writeSignedLicense(dir, { servers: TRIAD_HOSTS.map((host) => ({ host, hostid: TEST_HOSTID, port })), features }, 'triad.lic');
  const dataDir = (rank: number) => path.join(dir, `member${rank}`);
  shareClusterSecret([0, 1, 2].map(dataDir));
  return {
    license,
    dataDir,
    start: (rank, options = {}) =>
      createBackend({
        licensePath: license.licensePath,
        trustFiles: [license.publicKeyPath],
        dataDir: dataDir(rank),
        hostid: TEST_HOSTID,
        as: TRIAD_HOSTS[rank],
        triad: createTriad,
        ...options,
      }),
  };
}
