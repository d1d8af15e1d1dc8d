import { createBackend, type Backend, type BackendOptions } from '../../src/core/backend';
import { TEST_HOSTID, type WrittenLicense } from './signedLicense';

/**
 * The real backend in this process serving a single-server `license` (signedLicense.ts) from
 * `dataDir`, on a port the system picks; `options` add to or replace these.
 */
export function startSingleServer(license: WrittenLicense, dataDir: string, options: Partial<BackendOptions> = {}): Promise<Backend> {
  return createBackend({
    licensePath: license.licensePath,
    trustFiles: [license.publicKeyPath],
    dataDir,
    hostid: TEST_HOSTID,
    port: 0,
    ...options,
  });
}
