import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { installLicenseSet, type LicenseSetFile } from './licenseFiles/licenseFolder';
import net from 'node:net';
import os from 'node:os';
import { parseVendorKeyFile, serverRanks, TrustStore } from './license';
import { loadOrCreateAdminToken, openStore, type DebugLogEntry, type Store } from './store';
import { DebugLog } from './server/logs/debugLog';
import { LicenseListener, defaultListenerLimits, type ListenerLimits } from './server/licensing/listener';
import { LicensingService, type ServingConfig } from './server/licensing/licensing';
import { BackendError, RestartRequired } from './server/backendError';
import { SERVER_VERSION } from './server/version';
import type { TriadContext, TriadParts } from './server/triadSeam';
import { createTriad } from './server/triad/createTriad';
import { loadLicenseSetup, serverTrustSeams, SetupError, type LicenseSetup } from './licenseFiles/licenseSetup';
import { singleServerGate } from './server/seams';
import { storeLeaseLog } from './server/storeLeaseLog';
import { BatchedWriter } from './server/batchedWriter';
import { LogSync } from './server/logSync';
import { AdminLockout, defaultAdminLockoutPolicy, type AdminLockoutPolicy } from './server/licensing/adminLockout';
import { collectServerMetrics, diskMetricFamilies, sampleProcess, ServerCounters, type MetricFamily } from './metrics';
import type { MasterLogPage, MasterLogQuery } from './server/triadSeam';
import { DEFAULT_PORTS, type AdminCommand } from './protocol';
import { timestampMessage } from '../shared/debugLogText';
import type { ServerStatus } from '../shared/status';
import { systemClock, type Clock } from './server/runtime';
import { serverSetChange, serverSetOf } from './server/triad/serverSet';
import { applyRetentionPatch, describeRetention, logTitles, type LogsOverview, type RetentionPatch, type RotationRecord } from '../shared/logRetention';
import { DiskMonitor, statfsProbe, type DiskProbe } from './server/logs/diskMonitor';
import { resolveArchiveFolder } from './server/logs/logArchive';
import { LogRetention, logTableState } from './server/logs/logRetention';

/**
 * The composition root every host uses (`triad serve`, the headless host, the Electron main
 * process): store, license files, trust, pools, the listener on the license port, the reclaim
 * timer and the debug log, wired together. Errors a person can fix surface as BackendError.
 */

/** How often clients heartbeat unless told otherwise; FlexLM clients do every 2 minutes, we go faster. */
export const DEFAULT_CLIENT_HEARTBEAT_MS = 30_000;
/** lmgrd's default `-s 360`: a TIMESTAMP line every six hours. */
export const DEFAULT_TIMESTAMP_INTERVAL_MS = 6 * 60 * 60_000;

/** Status events are coalesced to at most one per this interval. */
export const STATUS_EVENT_INTERVAL_MS = 200;
/**
 * A triad member's status also changes without an event here (peer round trips, a peer going
 * quiet, seats a standby receives from the master): listeners get a fresh snapshot this often.
 */
export const TRIAD_STATUS_REFRESH_MS = 1_000;

export { BackendError, RestartRequired, SERVER_VERSION };
export type { TriadContext, TriadParts, MasterLogPage, MasterLogQuery };
// What hosts use of server/ while no server runs (a stopped server's status, the triad membership
// kept in a data folder, the logs on disk, the admin sign-in lockout): hosts reach server/ only here.
export { stoppedStatus } from './server/licensing/stoppedStatus';
export { AdminLockout } from './server/licensing/adminLockout';
export {
  compareMembers,
  forgetReplacementWhenDone,
  membershipDiagnostic,
  membershipView,
  pendingReplacement,
  replacementRefusal,
  replaceServer,
  resetQuorum,
} from './server/triad/triadMembership';
export { resolveArchiveFolder } from './server/logs/logArchive';
export { logsOverview } from './server/logs/logRetention';

/** Who asked for an admin action, for the audit table. */
export interface AdminCaller {
  who: string;
  /** "local", or the address of a browser or script that used the headless host's API. */
  from: string;
}

/** The admin app on this machine (the desktop window, or the host's own process). */
export const thisMachineApp: AdminCaller = { who: 'admin app', from: 'local' };

export interface BackendOptions {
  licensePath: string;
  dataDir: string;
  /** An already open store of `dataDir` (the app keeps one for its whole life); left open on stop. */
  store?: Store;
  /** Which SERVER line is this machine (`--as`). */
  as?: string;
  /** Host id override (`--hostid`). */
  hostid?: string;
  /** Port override (`--port`); otherwise the SERVER line's, otherwise the first free of 27000-27009. */
  port?: number;
  /** Address to bind (`--bind`); defaults to the SERVER line's host when it is an IP address, else all. */
  bind?: string;
  /** Publisher public key files (`--trust`), added to the keys kept in the store. */
  trustFiles?: string[];
  /** `-l`: mirror the debug log to this text file. */
  logFile?: string | null;
  clientHeartbeatIntervalMs?: number;
  /**
   * TLS on the license port (PEM texts): clients, admin tools and peers then talk TLS. `ca`
   * verifies the other members' certificates when this member dials them.
   */
  tls?: ServerTls;
  /** How often the master writes lmgrd's `TIMESTAMP M/D/YYYY` line (lmgrd -s; default 6 h). */
  timestampIntervalMs?: number;
  /** Accept lmdown/lmreread/lmremove from other machines (with the token). Default off. */
  allowRemoteAdmin?: boolean;
  limits?: Partial<ListenerLimits>;
  /** Lockout after failed admin authentication (tests shorten it). */
  adminLockout?: Partial<AdminLockoutPolicy>;
  /** Wall clock for what people read and for dates, monotonic clock for every duration. */
  clock?: Clock;
  /** Log retention and disk settings given on the command line: stored (they stay until changed). */
  retention?: RetentionPatch;
  /** Measures the data folder's free space (default: fs.statfs); tests inject one. */
  diskProbe?: DiskProbe;
  /** How often free space is measured (default 10 s) and the log limits checked (default 2 s). */
  diskCheckIntervalMs?: number;
  retentionCheckIntervalMs?: number;
  /**
   * Things the administrator must act on at start (a triad member made its own cluster secret):
   * written to the debug log, and here too (`triad serve` prints them).
   */
  notice?: (text: string) => void;
  /**
   * How a three-SERVER-line file's member joins its triad: given the setup, the gate, the
   * replicated lease log and the peer hook. Every host gets the real one (`createTriad`); tests
   * put a scripted triad here.
   */
  triad?: (context: TriadContext) => TriadParts;
}

export interface ServerTls {
  cert: string;
  key: string;
  ca?: string;
}

export interface BackendEvents {
  /** Something status listeners show has changed; carries a fresh snapshot. */
  status: [ServerStatus];
  /** A debug-log line was appended. */
  log: [DebugLogEntry];
  /** The server stopped (lmdown, signal, stop()); the reason in words. */
  stopped: [string];
}

/** lmdown / lmreread / lmremove as the local app asks for them: no request id, no token. */
export type LocalAdminCommand = AdminCommand extends infer C ? (C extends unknown ? Omit<C, 'id' | 'token'> : never) : never;

export interface Backend {
  readonly events: EventEmitter<BackendEvents>;
  readonly store: Store;
  readonly dataDir: string;
  /** Host (SERVER line) and port the server listens on. */
  readonly address: { host: string; port: number };
  readonly vendors: string[];
  status(): ServerStatus;
  /** What /metrics shows about this server now (OpenMetrics families). */
  metrics(): MetricFamily[];
  /** Admin commands from the admin app (already trusted: no token), audited as coming from `caller`. */
  admin(command: LocalAdminCommand, caller?: AdminCaller): Promise<{ ok: boolean; message: string }>;
  /**
   * Triad master only: distributes license files to all three members over the peer links; each
   * serves exactly these from its license path, rereading as the switch commits. Rejects with a
   * BackendError a person can act on (not a triad, not the master, no quorum).
   */
  distributeLicense(files: LicenseSetFile[], label: string): Promise<void>;
  /** Triad standby: a page of the master's debug log (only the master writes one). */
  masterLog(query: MasterLogQuery): Promise<MasterLogPage>;
  /**
   * What a reread of the license file would change about the servers (see RestartRequired), in
   * words; null when a reread serves it in place. Throws a BackendError when the file cannot be read.
   */
  serverChangeOnDisk(): string | null;
  /** The logs, their archives, the retention settings and the disk, for the Settings screen. */
  logs(): Promise<LogsOverview>;
  /** The stored retention settings changed (admin app, `triad log`): apply them now. */
  retentionChanged(): void;
  /** Stops serving: clients told, leases kept in the store, port closed, store closed. */
  stop(reason: string): Promise<void>;
  /** Resolves with the reason once the server has stopped for any reason. */
  readonly stopped: Promise<string>;
}

function loadTrust(store: Store, files: string[], now: () => number): TrustStore {
  const trust = new TrustStore(serverTrustSeams(store, now));
  for (const key of store.trustedKeys.list()) trust.add(key.vendor, key.publicKey);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new BackendError(`--trust ${file}: cannot read the key file (${error instanceof Error ? error.message : String(error)})`);
    }
    const parsed = parseVendorKeyFile(text);
    if (!parsed.ok) throw new BackendError(`--trust ${file}: ${parsed.message}; ${parsed.hint}`);
    if (parsed.kind !== 'public') throw new BackendError(`--trust ${file}: this is a private key; pass the vendor's .pub file instead`);
    trust.add(parsed.vendor, parsed.pem);
  }
  return trust;
}

function servingConfig(setup: LicenseSetup): ServingConfig {
  const ranks = serverRanks(setup.file);
  return {
    poolLines: setup.poolLines,
    options: setup.options,
    vendors: setup.file.vendors.map((v) => v.name),
    licenseFiles: setup.files,
    members: ranks.map(({ server, rank }) => ({
      host: server.host,
      hostid: server.hostid,
      port: server.port,
      rank,
      up: server === setup.self,
      master: false,
      self: server === setup.self,
      problem: null,
    })),
    mode: ranks.length === 3 ? 'triad' : ranks.length === 0 ? 'uncounted' : 'single',
    notes: setup.notes,
    optionsProblems: setup.optionsProblems,
  };
}

async function listenOnFirstFree(listener: LicenseListener, ports: readonly number[], bind: string | undefined): Promise<number> {
  const tried: string[] = [];
  for (const port of ports) {
    try {
      return await listener.listen(port, bind);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      tried.push(`${port} (${code})`);
      if (code !== 'EADDRINUSE' && code !== 'EACCES') break;
    }
  }
  throw new BackendError(`cannot listen on ${bind ?? 'all addresses'} port ${tried.join(', ')}; stop what uses the port or pass --port N`);
}

export async function createBackend(options: BackendOptions): Promise<Backend> {
  const clock = options.clock ?? systemClock;
  const heartbeatMs = options.clientHeartbeatIntervalMs ?? DEFAULT_CLIENT_HEARTBEAT_MS;
  const ownsStore = options.store === undefined;
  const store = options.store ?? openStore(options.dataDir);
  try {
    return await assemble(options, store, ownsStore, clock, heartbeatMs);
  } catch (error) {
    if (ownsStore) store.close();
    if (error instanceof SetupError) throw new BackendError(error.message);
    throw error;
  }
}

async function assemble(options: BackendOptions, store: Store, ownsStore: boolean, clock: Clock, heartbeatMs: number): Promise<Backend> {
  const now = () => clock.wallMs();
  const events = new EventEmitter<BackendEvents>();
  const trust = loadTrust(store, options.trustFiles ?? [], now);
  const identity = { as: options.as, hostid: options.hostid };
  const setup = loadLicenseSetup(options.licensePath, identity, trust, now());
  const adminToken = loadOrCreateAdminToken(options.dataDir);
  const host = setup.self?.host ?? os.hostname();
  /** The servers this process serves as: a reread that changes them is refused (RestartRequired). */
  const servers = serverSetOf(setup.file, setup.self);
  if (options.retention) storeRetention(store, options.retention);
  // a failed fsync is final (LogSync): stop serving rather than promise seats the disk may not keep
  let stopForDisk: (reason: string) => void = () => {};
  // a write that failed for want of space makes the disk monitor refuse new grants until there is room
  const writer = new BatchedWriter(
    store,
    new LogSync(store, (error) => stopForDisk(`fsync of the database failed: ${error.message}`)),
    (error) => disk.writeFailed(error),
  );
  const debugLog = new DebugLog(
    (line) =>
      writer.write(() => {
        const id = store.debugLog.append(line);
        // after the transaction: a listener's exception must not roll back the batch
        queueMicrotask(() => events.emit('log', { id, ...line }));
      }),
    options.logFile ?? null,
    now,
  );
  const debug = (daemon: string, message: string) => debugLog.write(daemon, message);
  let statusChanged = () => {};
  const disk = new DiskMonitor({
    folder: options.dataDir,
    probe: options.diskProbe ?? statfsProbe,
    settings: () => store.retention.settings().disk,
    reusableBytes: () => store.reusableBytes(),
    now,
    debug: (message) => debug('lmgrd', message),
    changed: () => statusChanged(),
    intervalMs: options.diskCheckIntervalMs,
  });

  const bind = options.bind ?? (setup.self && net.isIP(setup.self.host) ? setup.self.host : undefined);
  const ports = options.port !== undefined ? [options.port] : setup.self?.port != null ? [setup.self.port] : DEFAULT_PORTS;
  // peers and clients find a triad member at its SERVER line's port
  const triadPort = setup.file.servers.length === 3 ? (setup.self?.port ?? null) : null;
  // The triad engine runs only for a three-server file; one SERVER line is a single server.
  const triadFactory = setup.file.servers.length === 3 ? (options.triad ?? createTriad) : undefined;

  let service: LicensingService | null = null;
  let stopping: Promise<void> | null = null;
  let resolveStopped!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (resolveStopped = resolve));
  const limits = { ...defaultListenerLimits, ...options.limits };
  const listener = new LicenseListener(
    {
      // connections may arrive in the moment between binding the port and building the service
      handle: (request, session) => (service ? service.handle(request, session) : Promise.reject(new Error('the server is still starting'))),
      describe: () => service?.describe() ?? { server: host, port: 0, serverVersion: SERVER_VERSION },
      holdsSeat: (session) => service?.holdsSeat(session) ?? false,
    },
    limits,
    { problem: (message) => debug('lmgrd', message) },
    options.tls ? { cert: options.tls.cert, key: options.tls.key } : null,
  );
  const port = await listenOnFirstFree(listener, ports, bind);
  debug('lmgrd', `lmgrd tcp-port ${port}`);
  if (triadPort !== null && port !== triadPort)
    debug('lmgrd', `Listening on port ${port}, not on its SERVER line's port ${triadPort}: the other two redundant servers and the clients look for it there`);
  if (options.port === undefined && setup.self?.port == null) debug('lmgrd', `No port on the SERVER line: using the first free default port, ${port}`);

  try {
    return build(port);
  } catch (error) {
    await listener.close(null);
    throw error;
  }

  function build(port: number): Backend {
    const triad =
      triadFactory?.({
        setup,
        store,
        writer,
        port,
        debug,
        clock,
        requestShutdown: (reason) => void stop(reason),
        reread: () => service?.rereadForPeer() ?? { ok: false, message: 'the server is still starting' },
        peerTls: options.tls ? { ca: options.tls.ca } : null,
        installLicense: (files) => {
          try {
            installLicenseSet(store, options.licensePath, files, now());
          } catch (error) {
            return { ok: false, message: `cannot write ${options.licensePath}: ${error instanceof Error ? error.message : String(error)}` };
          }
          return service?.rereadForPeer() ?? { ok: false, message: 'the server is still starting' };
        },
        notice: (text) => {
          debug('lmgrd', text);
          options.notice?.(text);
        },
        audit: (row) => writer.write(() => store.audit.append(row)),
      }) ?? null;
    if (triad) listener.setPeerHook(triad.peerHook);
    const gate = triad?.gate ?? singleServerGate();
    // coalesced: under load every checkout changes the status, and a snapshot costs O(leases)
    let statusPending: NodeJS.Timeout | null = null;
    const emitStatus = () => {
      if (statusPending || events.listenerCount('status') === 0) return;
      statusPending = setTimeout(() => {
        statusPending = null;
        if (service && !stopping) events.emit('status', service.status());
      }, STATUS_EVENT_INTERVAL_MS);
    };
    gate.onChange(emitStatus);
    statusChanged = emitStatus;
    const counters = new ServerCounters();
    const adminLockout = new AdminLockout({ ...defaultAdminLockoutPolicy, ...options.adminLockout });
    const masterHost = () => (gate.role() === 'master' ? host : (gate.master()?.host ?? null));
    counters.observeMaster(masterHost());
    gate.onChange(() => counters.observeMaster(masterHost()));

    stopForDisk = (reason) => {
      debug('lmgrd', `Cannot make license grants durable: ${reason}. Stopping; check the disk of ${store.dataDir}, then restart.`);
      // after this turn: the requests the failed fsync covered get their refusals first
      setImmediate(() => void stop(reason));
    };
    const retention = new LogRetention({
      store,
      writer,
      dataDir: options.dataDir,
      now,
      debug: (message) => debug('lmgrd', message),
      checkIntervalMs: options.retentionCheckIntervalMs,
      freed: () => disk.spaceFreed(),
    });
    const stop = (reason: string): Promise<void> => {
      stopping ??= (async () => {
        disk.stop();
        await retention.stop();
        clearInterval(sweeper);
        clearInterval(stamper);
        if (refresher) clearInterval(refresher);
        if (statusPending) clearTimeout(statusPending);
        for (const vendor of service!.vendors) debug(vendor, `Shutting down ${vendor}`);
        await listener.close({ type: 'shutdown', reason });
        await triad?.stop();
        debug('lmgrd', `EXITING: ${reason}`);
        writer.flush();
        if (ownsStore) store.close();
        resolveStopped(reason);
        events.emit('stopped', reason);
      })();
      return stopping;
    };

    service = new LicensingService(
      servingConfig(setup),
      { host, port, version: SERVER_VERSION, clientHeartbeatIntervalMs: heartbeatMs, allowRemoteAdmin: options.allowRemoteAdmin ?? false },
      {
        clock,
        log: triad?.log ?? storeLeaseLog(store, writer, host),
        gate,
        debug,
        // a denial's row: nobody waits for it (a failed write is reported by the writer)
        report: (row) => {
          counters.observeReport(row);
          writer.write(() => store.reportLog.append(row));
        },
        served: (event) => counters.observeReport(event),
        audit: (row) => writer.write(() => store.audit.append(row)),
        adminToken,
        adminLockout,
        requestShutdown: (reason) => void stop(reason),
        reread: () => {
          const next = loadLicenseSetup(options.licensePath, identity, loadTrust(store, options.trustFiles ?? [], now), now());
          const change = serverSetChange(servers, serverSetOf(next.file, next.self));
          if (change)
            throw new RestartRequired(
              `${change}: restart the server to serve it${setup.file.servers.length === 3 ? ' (see "Replace a server" in the README)' : ''}.`,
            );
          const config = servingConfig(next);
          triad?.licenseLoaded?.(next.file);
          return config;
        },
        changed: emitStatus,
        // called through `triad` so that class methods keep their `this`
        decorateStatus: (status) => withDisk(triad?.decorateStatus ? triad.decorateStatus(status) : status),
        broadcastAdmin: triad?.broadcastAdmin ? (type) => triad.broadcastAdmin!(type) : undefined,
        refuseNewGrant: (feature) => {
          const refusal = disk.refusal();
          if (refusal) counters.observeReport({ event: 'DENIED', feature, reason: refusal.reason });
          return refusal;
        },
        rotateLog: async (log) => describeRotation(await retention.rotateNow(log)),
      },
    );
    const withDisk = (status: ServerStatus): ServerStatus => {
      const measured = disk.status();
      return measured ? { ...status, disk: measured } : status;
    };

    debug('lmgrd', 'Starting vendor daemons ...');
    service.announce();
    debug('lmgrd', `Log retention: ${describeRetention(store.retention.settings(), resolveArchiveFolder(options.dataDir, store.retention.settings()))}`);
    disk.start();
    retention.start();

    const sweeper = setInterval(() => void service!.sweep(), service.sweepEveryMs);
    // only the master writes the debug log (a standby's would be empty but for the dates)
    const stamper = setInterval(() => {
      if (gate.role() === 'master') debug('lmgrd', timestampMessage(now()));
    }, options.timestampIntervalMs ?? DEFAULT_TIMESTAMP_INTERVAL_MS);
    const refresher = triad ? setInterval(emitStatus, TRIAD_STATUS_REFRESH_MS) : null;

    return {
      events,
      store,
      dataDir: options.dataDir,
      address: { host, port },
      vendors: service.vendors,
      status: () => service!.status(),
      metrics: () => [
        ...collectServerMetrics({
          status: service!.status(),
          counters,
          connections: listener.connectionCount,
          connectionProblems: listener.problemCounts,
          adminAuth: { failures: adminLockout.failures, lockouts: adminLockout.lockouts },
          process: sampleProcess(),
        }),
        ...diskMetricFamilies({
          disk: disk.status(),
          logs: { debug: logTableState(store, 'debug'), report: logTableState(store, 'report') },
          rotatedRows: retention.rotatedRows,
          longestStepMs: retention.longestStep,
        }),
      ],
      admin: async (command, caller = thisMachineApp) => {
        const reply = await service!.performAdmin({ ...command, id: 0 } as AdminCommand, caller.who, caller.from);
        return reply.type === 'done' ? { ok: true, message: reply.message } : { ok: false, message: reply.reason };
      },
      distributeLicense: async (files, label) => {
        if (!triad?.distributeLicense) throw new BackendError('This server is not one of three redundant servers: import the license file here only.');
        try {
          await triad.distributeLicense(files, label);
        } catch (error) {
          throw new BackendError(`The license file was not distributed: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
      serverChangeOnDisk: () => {
        try {
          const next = loadLicenseSetup(options.licensePath, identity, loadTrust(store, options.trustFiles ?? [], now), now());
          return serverSetChange(servers, serverSetOf(next.file, next.self));
        } catch (error) {
          throw new BackendError(error instanceof Error ? error.message : String(error));
        }
      },
      masterLog: async (query) => {
        if (!triad?.masterLog) throw new BackendError('This server is not one of three redundant servers: its own debug log is the whole log.');
        try {
          return await triad.masterLog(query);
        } catch (error) {
          throw new BackendError(`The master's debug log cannot be read: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
      logs: () => retention.overview(disk.status()),
      retentionChanged: () => {
        void disk.check();
        retention.checkSoon();
      },
      stop,
      stopped,
    };
  }
}

/** Settings from the command line, merged into the stored ones; a wrong value stops the start. */
function storeRetention(store: Store, patch: RetentionPatch): void {
  const merged = applyRetentionPatch(store.retention.settings(), patch);
  if (!merged.ok) {
    throw new BackendError(`log retention: ${merged.error}. Change the flags, or see the stored settings with \`triad log --data ${store.dataDir}\`.`);
  }
  store.retention.saveSettings(merged.value);
}

function describeRotation(rotation: RotationRecord): string {
  const range = `${new Date(rotation.fromMs).toISOString()} to ${new Date(rotation.toMs).toISOString()}`;
  return `${logTitles[rotation.log]} switched: ${rotation.rows} rows (${range}) written to ${rotation.file}`;
}
