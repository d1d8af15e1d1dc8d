import { writeFileSync } from 'node:fs';
import { createAdminApi, licenseFileIn, type AdminApi } from '../core/adminApi';
import { ensureDemoLicense, type DemoOutcome } from '../core/licenseFiles/demoLicense';
import { licenseFolderIn, moveLicenseIntoFolder, readLicenseSet } from '../core/licenseFiles/licenseFolder';
import { join } from 'node:path';
import { adminTokenFile, loadOrCreateAdminToken, openStore, type Store } from '../core/store';
import type { ServerStatus } from '../shared/status';
import type { MetricFamily } from '../core/metrics';
import { createLocalServer } from './localServer';
import { adoptRegistrySearchPath, regExeRegistry, registryMirror, type RegistryValues } from '../core/client/flexlmRegistry';

/**
 * What every admin host runs (the headless host and Electron's main process): the store, the
 * demo license on first start, the local license server, and the admin API over them.
 */
export interface AdminAppOptions {
  dataDir: string;
  /** Backend identity overrides (tests run on one machine): see `triad serve`. */
  as?: string;
  hostid?: string;
  port?: number;
  bind?: string;
  clientHeartbeatIntervalMs?: number;
  /** SERVER-line host written into a first-run demo license (default: this host name). */
  demoServerHost?: string;
  /** Where FlexLM tools keep client settings (default: the Windows registry on Windows, none elsewhere). */
  registry?: RegistryValues | null;
}

export interface AdminApp {
  api: AdminApi;
  store: Store;
  demo: DemoOutcome;
  status(): ServerStatus;
  /** The OpenMetrics exposition of the local server (GET /metrics). */
  metrics(): MetricFamily[];
  /** The admin token (the HTTP host's API needs it) and the file that holds it. */
  adminToken: string;
  adminTokenFile: string;
  close(): Promise<void>;
}

export async function openAdminApp(options: AdminAppOptions): Promise<AdminApp> {
  const store = openStore(options.dataDir);
  moveLicenseIntoFolder(options.dataDir);
  // the server serves every *.lic of the folder; a first-run demo and an import in place of all others write license.lic
  const licenseFolder = licenseFolderIn(options.dataDir);
  const licensePath = licenseFileIn(options.dataDir);
  const demo = await ensureDemoLicense({
    store,
    licensePath,
    serverHost: options.demoServerHost,
    hostid: options.hostid,
    port: options.port,
    bindAddress: options.bind,
  });
  const current = store.licenseFiles.current();
  // The database is the record; license files deleted behind our back: the last import is written again.
  if (current && readLicenseSet(licenseFolder).length === 0) writeFileSync(licensePath, current.text);

  const identity = { as: options.as, hostid: options.hostid };
  const server = createLocalServer({
    licensePath: licenseFolder,
    dataDir: options.dataDir,
    as: options.as,
    hostid: options.hostid,
    port: options.port,
    bind: options.bind,
    clientHeartbeatIntervalMs: options.clientHeartbeatIntervalMs,
  }, () => store.leases.list().reduce((seats, lease) => seats + lease.count, 0));
  // A server that cannot start leaves the app running: the status screen shows why.
  if (current) await server.start().catch(() => undefined);
  const registryValues = options.registry === undefined ? (process.platform === 'win32' ? regExeRegistry() : null) : options.registry;
  const registry = registryValues ? registryMirror(registryValues) : undefined;
  // a machine that FlexLM tools (LKAD) set up keeps its servers when Triad's client arrives
  if (registry) await adoptRegistrySearchPath(store, registry).catch(() => null);
  const api = createAdminApi({ server, store, licensePath: licenseFolder, identity, registry });
  return {
    api,
    store,
    demo,
    status: () => server.status(),
    metrics: () => server.metrics(),
    adminToken: loadOrCreateAdminToken(options.dataDir),
    adminTokenFile: join(options.dataDir, adminTokenFile),
    async close() {
      api.close();
      await server.close();
      store.close();
    },
  };
}
