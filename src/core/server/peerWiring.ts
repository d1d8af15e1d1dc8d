import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { BackendError, type TriadContext, type TriadParts } from '../backend';
import type { Rank } from '../quorum';
import { randomBytes } from 'node:crypto';
import { databaseReplaced, recordDatabaseIdentity } from '../store';
import { readClusterSecret } from '../store/secrets';
import { parseLicenseText } from '../license';
import { licenseIdentity, triadSetup } from './peerConfig';
import { distributedLicenseSchema, type DistributedLicense } from './peerSchema';
import { mergeLicenseSet } from './licenseSet';
import { TriadDriver } from './peerTriad';
import { TcpPeerNetwork } from './tcpPeerNetwork';

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
    memberAddresses: resolveMemberHosts(addresses.map((a) => a.host)),
    debug: context.debug,
  });
  const driver = new TriadDriver({
    store: context.store,
    config,
    addresses,
    network,
    clock: context.clock,
    diskReplaced: databaseReplaced(context.store),
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
        result.ok ? `Installed ${what} distributed to all three redundant servers` : `Could not install ${what} distributed to all three redundant servers: ${result.message}`,
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
    decorateStatus: (status) => driver.decorateStatus(status),
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
      const payload: DistributedLicense = { fileName: label, text: first.text, files };
      await driver.distributeLicense(payload, licenseIdentity(mergeLicenseSet(setup.licensePath, parts).file));
    },
  };
}

/** How long a resolved member address is trusted before it is looked up again. */
const MEMBER_LOOKUP_TTL_MS = 60_000;

/**
 * Without a cluster secret, peers are trusted by address: SERVER-line host names are resolved at
 * start and again when an answer is older than a minute, or failed (DNS is often not up yet at
 * boot; a failure must not lock a member out until restart). Until a name resolves it trusts
 * nobody; an IP address needs no lookup.
 */
export function resolveMemberHosts(hosts: string[], resolve: (host: string) => Promise<string[]> = lookupAll, now: () => number = Date.now): (rank: Rank) => readonly string[] {
  const resolved = new Map<number, { addresses: string[]; at: number }>();
  const inFlight = new Set<number>();
  const refresh = (rank: number) => {
    if (inFlight.has(rank)) return;
    inFlight.add(rank);
    const settle = (addresses: string[]) => {
      resolved.set(rank, { addresses, at: now() });
      inFlight.delete(rank);
    };
    resolve(hosts[rank]!).then(settle, () => settle([]));
  };
  hosts.forEach((host, rank) => {
    if (!net.isIP(host)) refresh(rank);
  });
  return (rank) => {
    const entry = resolved.get(rank);
    if (entry && (entry.addresses.length === 0 || now() - entry.at >= MEMBER_LOOKUP_TTL_MS)) refresh(rank);
    return entry?.addresses ?? [];
  };
}

async function lookupAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((entry) => entry.address);
}
