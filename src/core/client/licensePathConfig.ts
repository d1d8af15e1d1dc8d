import { formatEntry, formatLicensePath, formatLicensePathError, parseLicensePath, type FormatResult, type PathPlatform } from './licensePath';
import { storedEntryToPathEntry, type StoredClientEntry } from './licensePathSources';

/**
 * The client configuration (Client/Server Configuration dialog, `triad client`) as
 * LM_LICENSE_FILE text, both ways. A bare host is stored with port 27000, `@host` with no port
 * (probe 27000-27009); license file paths have no stored form and are skipped.
 */

export function exportLicensePath(entries: readonly StoredClientEntry[], platform: PathPlatform): FormatResult {
  const pathEntries = entries.flatMap((entry) => storedEntryToPathEntry(entry) ?? []);
  return formatLicensePath(pathEntries, platform);
}

export interface ImportedEntries {
  entries: StoredClientEntry[];
  /** Entries that were read but cannot be stored, and bad entries, worded for a person. */
  skipped: string[];
}

export function importLicensePath(text: string, platform: PathPlatform): ImportedEntries {
  const parsed = parseLicensePath(text, platform);
  const entries: StoredClientEntry[] = [];
  const skipped = parsed.errors.map((error) => formatLicensePathError(error, 'import'));
  for (const entry of parsed.entries) {
    if (entry.kind === 'server') {
      entries.push({ name: entry.host, type: 'single', hosts: [{ host: entry.host, port: entry.port }] });
    } else if (entry.kind === 'triad' && entry.members.length !== 3) {
      skipped.push(
        `import: "${formatEntry(entry)}" names ${entry.members.length} members of a redundant server; a Redundant entry here lists all three ` +
          `(primary, secondary, tertiary): add the missing member, or separate independent servers with ${platform === 'windows' ? '";"' : '":"'}`,
      );
    } else if (entry.kind === 'triad') {
      entries.push({ name: `${entry.members[0].host} (redundant)`, type: 'redundant', hosts: entry.members.map(({ host, port }) => ({ host, port })) });
    } else {
      skipped.push(`import: "${entry.path}" is a license file; the client configuration stores only servers (use -c or LM_LICENSE_FILE for files)`);
    }
  }
  return { entries: uniqueNames(entries), skipped };
}

/** The `SERVERS` argument of `triad client add`: one `port@host`, bare host, or triad. */
export function parseServerSpec(
  text: string,
  platform: PathPlatform,
): { type: StoredClientEntry['type']; hosts: StoredClientEntry['hosts'] } | { error: string } {
  const imported = importLicensePath(text, platform);
  if (imported.skipped.length > 0) return { error: imported.skipped[0].replace(/^import: /, '') };
  if (imported.entries.length !== 1) {
    return { error: `"${text}" is ${imported.entries.length} servers; give one port@host, or a triad as 27000@a,27000@b,27000@c` };
  }
  const [{ type, hosts }] = imported.entries;
  return { type, hosts };
}

/** Two imported servers on one host get `host`, `host (2)`: names identify entries in the CLI. */
function uniqueNames(entries: StoredClientEntry[]): StoredClientEntry[] {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const count = (seen.get(entry.name) ?? 0) + 1;
    seen.set(entry.name, count);
    return count === 1 ? entry : { ...entry, name: `${entry.name} (${count})` };
  });
}
