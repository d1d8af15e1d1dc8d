import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DebugLogLine } from '../../shared/contract';
import type { ServerStatus } from '../../shared/status';
import { askMembers } from '../client/memberReport';
import { keyFingerprint, parseLicenseText } from '../license';
import { readLicenseSet } from '../licenseFiles/licenseFolder';
import { localTimeZone } from '../lmstat';
import { adminTokenFile, clusterSecretFile, type Store } from '../store';
import { diagnosticsEntries, diagnosticsName, diagnosticsZip } from './diagnosticsArchive';

/**
 * Reads what the diagnostics archive holds, for the admin UI's "Collect diagnostics" and for
 * `triad diag`: the members asked over their ports, the license and options files, versions,
 * settings and the client configuration from the store, and the master's recent log lines
 * (the caller knows where they are: over the peer link on a standby, else this store).
 */

export interface DiagnosticsInput {
  store: Store;
  status: ServerStatus;
  /** The license file, or the folder of license files, the server serves. */
  licenseLocation: string;
  debugLog: { lines: DebugLogLine[]; from: string };
  settings: Record<string, unknown>;
  nowMs: number;
  /** How long each member may take to answer its status query. */
  timeoutMs: number;
}

export interface DiagnosticsArchive {
  fileName: string;
  bytes: Uint8Array;
  /** Entry names inside the archive's folder. */
  entries: string[];
}

/** How many of the newest debug-log lines go in. */
export const DIAGNOSTICS_LOG_LINES = 5_000;

export async function collectDiagnostics(input: DiagnosticsInput): Promise<DiagnosticsArchive> {
  const { store, status } = input;
  const members = status.role === 'stopped' && status.members.length === 0 ? null : await askMembers(status, input.timeoutMs, 'triad diag');
  const licenseFiles = readLicenseSet(input.licenseLocation).map(({ fileName, text, path: file }) => ({ fileName, text, path: file }));
  const entries = diagnosticsEntries({
    nowMs: input.nowMs,
    timeZone: localTimeZone(),
    status,
    members,
    debugLog: input.debugLog,
    licenseFiles,
    optionsFiles: optionsFilesOf(licenseFiles),
    versions: versions(status),
    settings: input.settings,
    clientConfig: { useLicenseServer: store.searchList.useLicenseServer(), entries: store.searchList.list() },
    trustedKeys: store.trustedKeys.list().map((key) => ({ vendor: key.vendor, fingerprint: keyFingerprint(key.publicKey) })),
    secrets: secretsIn(store.dataDir),
  });
  const name = diagnosticsName(status.host, input.nowMs);
  return { fileName: `${name}.zip`, bytes: diagnosticsZip(name, entries), entries: Object.keys(entries) };
}

/** Each vendor's options file: OPTIONS= on its VENDOR line (relative to the license file), else VENDOR.opt beside it. */
function optionsFilesOf(licenseFiles: { text: string; path: string }[]): { fileName: string; text: string }[] {
  const found = new Map<string, string>();
  for (const license of licenseFiles) {
    for (const vendor of parseLicenseText(license.text, license.path).file.vendors) {
      const file = path.resolve(path.dirname(license.path), vendor.options ?? `${vendor.name}.opt`);
      if (!found.has(file) && existsSync(file)) found.set(file, readFileSync(file, 'utf8'));
    }
  }
  return [...found].map(([file, text]) => ({ fileName: path.basename(file), text }));
}

function versions(status: ServerStatus): Record<string, string> {
  return {
    'Triad License Server': status.version,
    'Node.js': process.version,
    ...(process.versions.electron ? { Electron: process.versions.electron } : {}),
    'operating system': `${os.type()} ${os.release()} (${process.platform} ${process.arch})`,
    'host name': os.hostname(),
  };
}

/** The data folder's secrets, so that a copy of one that slipped into a text is cut out. */
function secretsIn(dataDir: string): string[] {
  return [adminTokenFile, clusterSecretFile].flatMap((name) => {
    try {
      return [readFileSync(path.join(dataDir, name), 'utf8').trim()];
    } catch {
      return [];
    }
  });
}
