import { execFile } from 'node:child_process';
import type { ClientEntry } from '../../shared/contract';
import type { Store } from '../store';
import { exportLicensePath, importLicensePath } from './licensePathConfig';

/**
 * On Windows, FlexLM clients and tools (lmtools, IBM's License Key Administrator) keep the license
 * search path in the registry key `FLEXlm License Manager`, in values named after the variables
 * (`LM_LICENSE_FILE`, `RATIONAL_LICENSE_FILE`...; reference section 3). Client/Server
 * Configuration writes its list there too, so products that read only the registry find the
 * servers, and reads it from there when our store has none (a machine LKAD set up).
 */

/** The registry as far as this needs it: string values of one key. */
export interface RegistryValues {
  /** Every string value of `key` by name; empty when the key does not exist. */
  list(key: string): Promise<Record<string, string>>;
  set(key: string, name: string, value: string): Promise<void>;
  remove(key: string, name: string): Promise<void>;
}

/** Machine-wide first (what LKAD writes), the user's own when the machine's is not writable. */
export const FLEXLM_KEYS = ['HKLM\\SOFTWARE\\FLEXlm License Manager', 'HKCU\\Software\\FLEXlm License Manager'] as const;
export const LICENSE_FILE_VALUE = 'LM_LICENSE_FILE';

export interface RegistryMirror {
  /** Writes the list as LM_LICENSE_FILE (removes it when "Use license server" is off or the list empty); says where. */
  write(config: { useLicenseServer: boolean; entries: ClientEntry[] }): Promise<string>;
  /** The search path found there: LM_LICENSE_FILE, else the first VENDOR_LICENSE_FILE; null when none. */
  read(): Promise<{ value: string; from: string } | null>;
}

export function registryMirror(registry: RegistryValues): RegistryMirror {
  return {
    async write(config) {
      const exported = exportLicensePath(config.entries, 'windows');
      const value = config.useLicenseServer && exported.ok ? exported.text : '';
      let refused: unknown = null;
      for (const key of FLEXLM_KEYS) {
        try {
          if (value) await registry.set(key, LICENSE_FILE_VALUE, value);
          else await registry.remove(key, LICENSE_FILE_VALUE);
          return `${key}\\${LICENSE_FILE_VALUE}`;
        } catch (error) {
          refused = error;
        }
      }
      throw refused instanceof Error ? refused : new Error(String(refused));
    },
    async read() {
      for (const key of FLEXLM_KEYS) {
        const values = await registry.list(key);
        const name = LICENSE_FILE_VALUE in values ? LICENSE_FILE_VALUE : Object.keys(values).find((n) => /^[A-Z0-9_]+_LICENSE_FILE$/i.test(n));
        const value = name ? values[name]?.trim() : undefined;
        if (name && value) return { value, from: `${key}\\${name}` };
      }
      return null;
    },
  };
}

/**
 * At start: a store with no search list takes the one FlexLM tools left in the registry (what
 * the servers are, not lost by installing Triad's client). Entries it cannot store (license file
 * paths) are skipped; returns where it came from, or null when nothing was taken.
 */
export async function adoptRegistrySearchPath(store: Store, mirror: RegistryMirror): Promise<string | null> {
  if (store.searchList.list().length > 0) return null;
  const found = await mirror.read();
  if (!found) return null;
  const imported = importLicensePath(found.value, 'windows');
  if (imported.entries.length === 0 || !store.searchList.replaceAll(imported.entries).ok) return null;
  store.searchList.setUseLicenseServer(true);
  return found.from;
}

/** The real registry through `reg.exe` (Windows only; no native module needed). */
export function regExeRegistry(run: (args: string[]) => Promise<string> = runReg): RegistryValues {
  return {
    async list(key) {
      try {
        return parseRegQuery(await run(['query', key]));
      } catch {
        return {}; // no such key
      }
    },
    async set(key, name, value) {
      await run(['add', key, '/v', name, '/t', 'REG_SZ', '/d', value, '/f']);
    },
    async remove(key, name) {
      const values = await this.list(key);
      if (name in values) await run(['delete', key, '/v', name, '/f']);
    },
  };
}

/** `reg query KEY` output: lines of four spaces, name, type and data, separated by runs of spaces. */
export function parseRegQuery(output: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of output.split(/\r?\n/)) {
    const match = /^ {2,}(.+?) {2,}(REG_SZ|REG_EXPAND_SZ) {2,}(.*)$/.exec(line) ?? /^ {2,}(.+?) {2,}(REG_SZ|REG_EXPAND_SZ)$/.exec(line);
    if (match) values[match[1]!] = match[3] ?? '';
  }
  return values;
}

function runReg(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('reg.exe', args, { windowsHide: true, timeout: 10_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr.trim() || error.message)) : resolve(stdout),
    );
  });
}
