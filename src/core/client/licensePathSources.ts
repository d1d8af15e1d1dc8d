import { parseLicensePath, sameEntry, type LicensePathEntry, type LicensePathError, type PathPlatform } from './licensePath';

/**
 * Where a client finds its search list (issue 5): `-c` on the command line alone when it is
 * given (lmutil's `-c` overrides the environment: an lmdown must never fall through to another
 * server); otherwise `<VENDOR>_LICENSE_FILE`, then `LM_LICENSE_FILE`, then the stored client
 * configuration (when its "Use license server" flag is on), all searched in that order. An entry
 * that an earlier source already listed is not tried twice.
 */

/** The stored client configuration, as the store's client search list repository keeps it. */
export interface StoredClientEntry {
  name: string;
  type: 'single' | 'redundant';
  /** A single entry's port may be null: `@host`, probe the default ports. */
  hosts: { host: string; port: number | null }[];
}

export interface StoredClientConfig {
  useLicenseServer: boolean;
  entries: readonly StoredClientEntry[];
}

export interface SearchListInputs {
  commandLine?: string;
  /** Vendor daemon name; `ibmratl` reads `IBMRATL_LICENSE_FILE`. */
  vendor?: string;
  env: Readonly<Record<string, string | undefined>>;
  stored?: StoredClientConfig;
  platform: PathPlatform;
}

export interface SourcedEntry {
  entry: LicensePathEntry;
  /** `-c`, `IBMRATL_LICENSE_FILE`, `LM_LICENSE_FILE` or `client configuration "name"`. */
  source: string;
}

export interface SourcedError {
  source: string;
  error: LicensePathError;
}

export function vendorVariable(vendor: string): string {
  return `${vendor.toUpperCase()}_LICENSE_FILE`;
}

export function storedEntryToPathEntry(stored: Pick<StoredClientEntry, 'type' | 'hosts'>): LicensePathEntry | null {
  if (stored.type === 'single' && stored.hosts.length === 1) {
    return { kind: 'server', host: stored.hosts[0].host, port: stored.hosts[0].port };
  }
  if (stored.type === 'redundant' && stored.hosts.length === 3) {
    const members = stored.hosts.flatMap(({ host, port }) => (port === null ? [] : [{ host, port }]));
    if (members.length === 3) return { kind: 'triad', members: [members[0], members[1], members[2]] };
  }
  return null;
}

export function buildSearchList(inputs: SearchListInputs): { entries: SourcedEntry[]; errors: SourcedError[] } {
  const entries: SourcedEntry[] = [];
  const errors: SourcedError[] = [];
  const add = (entry: LicensePathEntry, source: string) => {
    if (!entries.some((known) => sameEntry(known.entry, entry))) entries.push({ entry, source });
  };
  const addText = (text: string | undefined, source: string) => {
    if (text === undefined || text.trim() === '') return;
    const parsed = parseLicensePath(text, inputs.platform);
    for (const entry of parsed.entries) add(entry, source);
    for (const error of parsed.errors) errors.push({ source, error });
  };
  if (inputs.commandLine !== undefined && inputs.commandLine.trim() !== '') {
    addText(inputs.commandLine, '-c');
    return { entries, errors };
  }
  if (inputs.vendor) addText(inputs.env[vendorVariable(inputs.vendor)], vendorVariable(inputs.vendor));
  addText(inputs.env.LM_LICENSE_FILE, 'LM_LICENSE_FILE');
  if (inputs.stored?.useLicenseServer) {
    for (const stored of inputs.stored.entries) {
      const entry = storedEntryToPathEntry(stored);
      if (entry) add(entry, `client configuration "${stored.name}"`);
    }
  }
  return { entries, errors };
}
