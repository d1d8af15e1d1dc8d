import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseLicenseText } from '../license/parser';
import { DEFAULT_PORTS } from '../protocol/ports';
import { formatLicensePathError } from './licensePath';
import { buildSearchList, type SearchListInputs, type SourcedEntry } from './licensePathSources';
import { LicenseSearch, type SearchTarget, type ServerAddress } from './search';

/**
 * Turns search-list entries into what the search dials, one target per entry so that a triad
 * stays one entry: `port@host` as is, `@host` as the ten default ports, a triad's three members
 * in SERVER order, and a license file (or a folder of `*.lic`) as its SERVER lines (three lines
 * make a triad; a line without a port probes the default ports). Reads files: a driver.
 */
export function resolveSearchTargets(entries: readonly SourcedEntry[]): { targets: SearchTarget[]; problems: string[] } {
  const targets: SearchTarget[] = [];
  const problems: string[] = [];
  for (const { entry, source } of entries) {
    switch (entry.kind) {
      case 'server':
        targets.push({ label: `${entry.port ?? ''}@${entry.host}`, source, redundant: false, addresses: hostPorts(entry.host, entry.port) });
        break;
      case 'triad':
        targets.push({
          label: entry.members.map((m) => `${m.port}@${m.host}`).join(','),
          source,
          redundant: true,
          addresses: entry.members.map(({ host, port }) => ({ host, port })),
        });
        break;
      case 'path':
        for (const file of licenseFilesAt(entry.path, problems)) {
          const target = fileTarget(file, source, problems);
          if (target) targets.push(target);
        }
        break;
    }
  }
  return { targets, problems };
}

function hostPorts(host: string, port: number | null): ServerAddress[] {
  return port === null ? DEFAULT_PORTS.map((p) => ({ host, port: p })) : [{ host, port }];
}

function licenseFilesAt(given: string, problems: string[]): string[] {
  // a shell would have expanded ~ in -c; LM_LICENSE_FILE set in a profile or .flexlmrc keeps it
  const target = /^~(?=$|[/\\])/.test(given) ? path.join(os.homedir(), given.slice(1)) : given;
  try {
    if (!statSync(target).isDirectory()) return [target];
    return readdirSync(target)
      .filter((name) => name.toLowerCase().endsWith('.lic'))
      .sort()
      .map((name) => path.join(target, name));
  } catch {
    problems.push(`${target}: no such license file or folder; check the -c value or LM_LICENSE_FILE`);
    return [];
  }
}

function fileTarget(file: string, source: string, problems: string[]): SearchTarget | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${file}: cannot read the license file (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
  const servers = parseLicenseText(text, file).file.servers;
  if (servers.length === 0) {
    problems.push(`${file}: has no SERVER line, so it names no license server to contact`);
    return null;
  }
  if (servers.length === 3) {
    // a triad's members must say their port: probing ten ports on each is not three members
    const portless = servers.filter((s) => s.port === null).map((s) => s.host);
    if (portless.length > 0) {
      problems.push(`${file}: three SERVER lines make a redundant triad, whose SERVER lines need a port; add one to ${portless.join(', ')}`);
      return null;
    }
    return { label: file, source, redundant: true, addresses: servers.map((s) => ({ host: s.host, port: s.port! })) };
  }
  return { label: file, source, redundant: false, addresses: servers.flatMap((s) => hostPorts(s.host, s.port)) };
}

/**
 * The search a client process runs: its list from every source (`-c`, the vendor variable,
 * LM_LICENSE_FILE, the stored configuration), one target per entry. Keep the returned search
 * for the life of the process so that later checkouts stick to the server of the first.
 */
export function createLicenseSearch(inputs: SearchListInputs): { search: LicenseSearch; problems: string[] } {
  const list = buildSearchList(inputs);
  const { targets, problems } = resolveSearchTargets(list.entries);
  return { search: new LicenseSearch(targets), problems: [...list.errors.map(({ source, error }) => formatLicensePathError(error, source)), ...problems] };
}
