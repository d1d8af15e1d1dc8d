/**
 * What a client command searches when `-c` is not given, as a FlexLM client on this workstation
 * would: the environment, then (UNIX) `~/.flexlmrc` for the `*_LICENSE_FILE` variables the
 * environment does not set, then the stored client configuration that `triad client` and the
 * desktop app edit.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FLEXLMRC_FILE, readRcVariables } from '../core/client/licensePathRc';
import type { StoredClientConfig } from '../core/client/licensePathSources';
import { defaultDataDir } from '../core/store/dataDir';
import { databaseFile, openStore } from '../core/store';

export function flexlmrcPath(): string {
  return path.join(process.env.HOME || os.homedir(), FLEXLMRC_FILE);
}

export function searchEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (process.platform === 'win32') return env;
  let text: string;
  try {
    text = readFileSync(flexlmrcPath(), 'utf8');
  } catch {
    return env;
  }
  const fromRc = readRcVariables(text).filter(([name]) => name.endsWith('_LICENSE_FILE') && !env[name]);
  return { ...env, ...Object.fromEntries(fromRc) };
}

/** The stored client configuration of this user's data folder, when it has one. */
export function storedClientConfig(dataDir: string = defaultDataDir()): StoredClientConfig | undefined {
  if (!existsSync(path.join(dataDir, databaseFile))) return undefined;
  try {
    const store = openStore(dataDir);
    try {
      return { useLicenseServer: store.searchList.useLicenseServer(), entries: store.searchList.list() };
    } finally {
      store.close();
    }
  } catch {
    // a damaged or locked database must not stop a checkout that other sources can serve
    return undefined;
  }
}
