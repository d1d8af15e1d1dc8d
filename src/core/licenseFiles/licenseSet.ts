import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  makeLicenseFile,
  serverHostIds,
  type Diagnostic,
  type FeatureLine,
  type LicenseFile,
  type PackageLine,
  type UpgradeLine,
  type VendorLine,
} from '../license';

/**
 * Several license files served together, as lmgrd serves every `*.lic` of a license folder (IBM
 * keeps permanent and term keys in separate files). They must describe the same servers: every
 * file with SERVER lines lists the same host ids in the same order (host names may differ, as
 * they may be edited). The merged file holds every feature and package line of every file, and
 * remembers which file each came from.
 */

export interface LicenseSetPart {
  path: string;
  file: LicenseFile;
}

export interface MergedLicenseSet {
  /** The servers and vendors of the set and every line of every file; `fileName` is the folder. */
  file: LicenseFile;
  /** The file each feature, upgrade and package line came from (for `file:line` in messages). */
  fileOf: Map<FeatureLine | UpgradeLine | PackageLine, string>;
  /** Disagreements between the files: each is an error at the line that disagrees. */
  problems: Diagnostic[];
}

/** The license files at `location`: the file itself, or every `*.lic` in the folder, by name. */
export function licenseFilesAt(location: string): string[] {
  if (!statSync(location).isDirectory()) return [location];
  return readdirSync(location)
    .filter((name) => name.toLowerCase().endsWith('.lic'))
    .sort()
    .map((name) => path.join(location, name));
}

export function mergeLicenseSet(location: string, parts: readonly LicenseSetPart[]): MergedLicenseSet {
  const fileOf = new Map<FeatureLine | UpgradeLine | PackageLine, string>();
  const problems: Diagnostic[] = [];
  const reference = parts.find((part) => part.file.servers.length > 0) ?? null;
  const vendors = new Map<string, VendorLine>();
  for (const part of parts) {
    for (const line of [...part.file.features, ...part.file.upgrades, ...part.file.packages]) fileOf.set(line, part.path);
    for (const vendor of part.file.vendors) if (!vendors.has(vendor.name)) vendors.set(vendor.name, vendor);
    const problem = reference && reference !== part ? serverDisagreement(reference, part) : null;
    if (problem) problems.push(problem);
  }
  const lines = [
    ...(reference?.file.servers ?? []),
    ...vendors.values(),
    ...parts.flatMap((part) => [...part.file.features, ...part.file.upgrades, ...part.file.packages]),
  ];
  const file = parts.length === 1 ? parts[0]!.file : { ...makeLicenseFile(location, lines), useServer: parts.some((part) => part.file.useServer) };
  return { file, fileOf, problems };
}

/** An error when `part` names other servers than `reference` (a file from another license server). */
function serverDisagreement(reference: LicenseSetPart, part: LicenseSetPart): Diagnostic | null {
  if (part.file.servers.length === 0) return null;
  const expected = serverHostIds(reference.file);
  const found = serverHostIds(part.file);
  if (expected.length === found.length && expected.every((id, i) => id === found[i])) return null;
  const describe = (file: LicenseFile) => file.servers.map((s) => `${s.host} ${s.hostid}`).join(', ');
  return {
    severity: 'error',
    file: part.path,
    line: part.file.servers[0]!.line,
    column: 1,
    message: `its SERVER lines (${describe(part.file)}) are not those of ${path.basename(reference.path)} (${describe(reference.file)}); all license ` +
      `files of one server must name the same servers`,
    hint: 'serve this file on the server it was issued for, or ask the publisher for a file issued for these servers',
  };
}
