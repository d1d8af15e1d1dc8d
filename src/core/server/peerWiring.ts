import { createHmac } from 'node:crypto';
import net from 'node:net';
import { BackendError, type TriadContext, type TriadParts } from '../backend';
import type { Rank } from '../quorum';
import { readClusterSecret } from '../store/secrets';
import { triadSetup } from './peerConfig';
import { TriadDriver } from './peerTriad';

/**
 * Plugs the triad into the backend (BackendOptions.triad): the driver becomes the server's
 * LeaseLog and MasterGate, and the listener hands it peer connections.
 */
export function createTriad(context: TriadContext): TriadParts {
  const { setup } = context;
  const self = setup.self ? setup.file.servers.indexOf(setup.self) : -1;
  if (self < 0 || self > 2) throw new BackendError(`${setup.licensePath}: this machine is none of the three SERVER lines; start it with --as <host>.`);
  const secret = readClusterSecret(context.store.dataDir);
  const built = triadSetup(setup.file, {
    self: self as Rank,
    vendorDaemon: setup.file.vendors[0]?.name ?? 'lmgrd',
    // a proof derived from the cluster secret; empty (peers trusted by address) without one
    auth: secret === null ? '' : createHmac('sha256', secret).update('triad peer v1').digest('hex'),
  });
  if (!built.ok) throw new BackendError(built.message);
  const selfHost = setup.file.servers[self].host;
  const driver = new TriadDriver({
    store: context.store,
    config: built.value.config,
    addresses: built.value.addresses,
    now: context.now,
    debug: context.debug,
    requestShutdown: context.requestShutdown,
    reread: () => {
      const result = context.reread();
      if (!result.ok) context.debug('lmgrd', `Reread asked by a redundant server failed: ${result.message}`);
    },
    installLicense: () => context.debug('lmgrd', 'A license file was distributed by the master; import it here too (installing it automatically is not wired yet).'),
    localAddress: net.isIP(selfHost) ? selfHost : undefined,
  });
  driver.start();
  return {
    gate: driver,
    log: driver,
    peerHook: driver.peerHook,
    stop: async () => driver.stop(),
    decorateStatus: (status) => driver.decorateStatus(status),
    broadcastAdmin: (type) => (type === 'lmdown' ? driver.shutdownAll() : driver.rereadAll()),
  };
}
