/**
 * First start without a license: make a demo vendor key (vendor `demo`) and a signed demo license
 * for this machine, trust the key, and import the license, so the first screen shows real data.
 * The private key stays in the data directory (mode 0600) so the demo can be re-signed.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { detectHostId, formatVendorKeyFile, generateVendorKeyPair, parseLicenseText, serializeLicenseFile, signLicenseFile } from '../license';
import type { Store } from '../store';

export const DEMO_VENDOR = 'demo';

export const demoFeatures = [
  { name: 'demo_modeler', version: '1.0', seats: 5 },
  { name: 'demo_analyzer', version: '2.0', seats: 3 },
  { name: 'demo_reporter', version: '1.0', seats: 2 },
] as const;

export interface DemoLicenseOptions {
  store: Store;
  /** Where the license file is written (the file the server serves). */
  licensePath: string;
  /** SERVER-line host; default this machine's host name. */
  serverHost?: string;
  /** SERVER-line host id; default this machine's (ANY when none can be detected). */
  hostid?: string;
  /** Default: 27000, or the first free of 27000-27009 on `bindAddress`. */
  port?: number;
  bindAddress?: string;
  now?: () => number;
}

export type DemoOutcome = { created: false } | { created: true; licensePath: string; port: number };

export async function ensureDemoLicense(options: DemoLicenseOptions): Promise<DemoOutcome> {
  const { store } = options;
  if (store.licenseFiles.current()) return { created: false };
  const now = options.now ?? Date.now;
  const port = options.port ?? (await firstFreePort(27000, 27009, options.bindAddress ?? '0.0.0.0')) ?? 27000;
  const keys = generateVendorKeyPair(DEMO_VENDOR);
  writeFileSync(join(store.dataDir, `${DEMO_VENDOR}.key`), formatVendorKeyFile(DEMO_VENDOR, keys.privateKeyPem), { mode: 0o600 });
  writeFileSync(join(store.dataDir, `${DEMO_VENDOR}.pub`), formatVendorKeyFile(DEMO_VENDOR, keys.publicKeyPem));
  const text = demoLicenseText({
    serverHost: options.serverHost ?? os.hostname(),
    hostid: options.hostid ?? detectHostId() ?? 'ANY',
    port,
    privateKeyPem: keys.privateKeyPem,
  });
  store.trustedKeys.add({ vendor: DEMO_VENDOR, publicKey: keys.publicKeyPem, addedAt: now() });
  writeFileSync(options.licensePath, text);
  store.licenseFiles.import({ path: options.licensePath, text, importedAt: now() });
  return { created: true, licensePath: options.licensePath, port };
}

/** The demo license text, signed with the given demo private key. Pure. */
export function demoLicenseText(options: { serverHost: string; hostid: string; port: number; privateKeyPem: string }): string {
  const unsigned = [
    '# Triad demo license, made on first start so the admin UI has something to show.',
    '# Replace it on the License files screen with the license file your publisher sent.',
    `SERVER ${options.serverHost} ${options.hostid} ${options.port}`,
    `VENDOR ${DEMO_VENDOR}`,
    ...demoFeatures.map((f) => `FEATURE ${f.name} ${DEMO_VENDOR} ${f.version} permanent ${f.seats} NOTICE="Triad demo"`),
    '',
  ].join('\n');
  const { file } = parseLicenseText(unsigned, 'license.lic');
  return serializeLicenseFile(signLicenseFile(file, DEMO_VENDOR, options.privateKeyPem).file);
}

async function firstFreePort(from: number, to: number, host: string): Promise<number | null> {
  for (let port = from; port <= to; port += 1) {
    if (await isFree(port, host)) return port;
  }
  return null;
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
