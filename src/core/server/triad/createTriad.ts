import net from 'node:net';
import { BackendError } from '../backendError';
import type { TriadContext, TriadParts } from '../triadSeam';
import type { Rank } from '../../quorum';
import { randomBytes } from 'node:crypto';
import { databaseReplaced, recordDatabaseIdentity } from '../../store';
import path from 'node:path';
import { clusterSecretFile, ensureClusterSecret } from '../../store/secrets';
import { parseLicenseText } from '../../license';
import { licenseIdentity, triadSetup } from './peerConfig';
import { distributedLicenseSchema, type DistributedLicense } from './peerSchema';
import { mergeLicenseSet } from '../../licenseFiles/licenseSet';
import { TriadDriver } from './triadDriver';
import { TcpPeerNetwork } from './tcpPeerNetwork';
import { serverSetChange, serverSetOf } from './serverSet';
import { checkMembers, MIGRATION_HELP } from './triadMembership';

/**
 * Plugs the triad into the backend (BackendOptions.triad): the driver becomes the server's
 * LeaseLog and MasterGate, and the listener hands it peer connections.
 */
export function createTriad(context: TriadContext): TriadParts {
  const { setup } = context;
  const self = setup.self ? setup.file.servers.indexOf(setup.self) : -1;
  if (self < 0 || self > 2) throw new BackendError(`${setup.licensePath}: this machine is none of the three SERVER lines; start it with --as <host>.`);
  const refusal = checkMembers(context.store, setup.file, setup.licensePath);
  if (refusal) throw new BackendError(refusal);
  // a triad never runs on trust by address: a member without a secret makes one and says how to share it
  const { secret, created } = ensureClusterSecret(context.store.dataDir);
  const secretNotice = created ? newClusterSecretNotice(context.store.dataDir) : null;
  if (secretNotice) context.notice(secretNotice);
  const built = triadSetup(setup.file, {
    self: self as Rank,
    vendorDaemon: setup.file.vendors[0]?.name ?? 'lmgrd',
    // peer links authenticate themselves (peerAuth.ts); the machine's own proof field is unused
    auth: '',
    newTriadId: randomBytes(16).toString('hex'),
  });
  if (!built.ok) throw new BackendError(built.message);
  const selfHost = setup.file.servers[self].host;
  const { config, addresses } = built.value;
  const network = new TcpPeerNetwork({
    self: config.self,
    hosts: config.hosts,
    addresses,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    localAddress: net.isIP(selfHost) ? selfHost : undefined,
    secret,
    tls: context.peerTls,
    debug: context.debug,
  });
  const driver = new TriadDriver({
    store: context.store,
    config,
    addresses,
    network,
    clock: context.clock,
    diskReplaced: databaseReplaced(context.store),
    audit: (row) => context.audit({ timeMs: context.clock.wallMs(), ...row }),
    debug: context.debug,
    requestShutdown: context.requestShutdown,
    reread: () => {
      const result = context.reread();
      if (!result.ok) context.debug('lmgrd', `Reread asked by a redundant server failed: ${result.message}`);
    },
    installLicense: (payload) => {
      const parsed = distributedLicenseSchema.safeParse(payload);
      if (!parsed.success) return context.debug('lmgrd', 'A distributed license file arrived damaged; import the license file on this server by hand.');
      const { fileName, text, files } = parsed.data;
      const result = context.installLicense(files ?? [{ fileName, text }]);
      const what = files && files.length > 1 ? `license files ${files.map((f) => f.fileName).join(', ')} (${fileName})` : `license file ${fileName}`;
      context.debug(
        'lmgrd',
        result.ok
          ? `Installed ${what} distributed to all three redundant servers`
          : `Could not install ${what} distributed to all three redundant servers: ${result.message}`,
      );
    },
  });
  driver.start();
  // only now: a learner flag the replaced file called for is on disk
  recordDatabaseIdentity(context.store);
  return {
    gate: driver,
    log: driver,
    peerHook: network.peerHook,
    stop: async () => driver.stop(),
    decorateStatus: (status) => {
      const decorated = driver.decorateStatus(status);
      // the admin app shows the made secret's notice until another member has proven it shares it
      const joined = decorated.members.some((member) => !member.self && member.up);
      return secretNotice && !joined ? { ...decorated, warnings: [...decorated.warnings, secretNotice] } : decorated;
    },
    broadcastAdmin: (type) => (type === 'lmdown' ? driver.shutdownAll() : driver.rereadAll()),
    masterLog: (query) => driver.queryMasterLog(query),
    licenseLoaded: (file) => driver.useLicense(licenseIdentity(file)),
    distributeLicense: async (files, label) => {
      const parts = files.map(({ fileName, text }) => ({ path: fileName, file: parseLicenseText(text, fileName).file }));
      const lacking = parts.find((part) => part.file.servers.length !== 3);
      if (lacking) {
        throw new BackendError(`${lacking.path} has ${lacking.file.servers.length} SERVER line(s); the three redundant servers need a file with all three.`);
      }
      const [first] = files;
      if (!first) throw new BackendError('There is no license file to distribute.');
      const merged = mergeLicenseSet(setup.licensePath, parts).file;
      const change = serverSetChange(serverSetOf(setup.file, setup.self), serverSetOf(merged, merged.servers[self] ?? null));
      if (change) {
        throw new BackendError(`${change}: the members of a running triad are never moved, reordered or replaced by distributing a file. ${MIGRATION_HELP}`);
      }
      const payload: DistributedLicense = { fileName: label, text: first.text, files };
      await driver.distributeLicense(payload, licenseIdentity(merged));
    },
  };
}

/** What a member that had to make its own cluster secret tells the administrator (stdout of `triad serve`, and the debug log). */
export function newClusterSecretNotice(dataDir: string): string {
  const file = path.join(dataDir, clusterSecretFile);
  return (
    `This server had no cluster secret, so it made one: ${file}. The three redundant servers must share one secret: ` +
    `copy this file to the other two servers and run \`triad cluster-secret --import cluster.secret --data <their data folder>\` there, ` +
    `then restart them. If another server already has a secret, import that one here instead (same command) and restart this server.`
  );
}
