import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { installLicenseText } from './licenseInstall';
import { licenseFilesAt } from './licenseSet';
import type { Store } from '../store';

/**
 * The admin app keeps its license files in one folder of the data directory and serves every
 * `*.lic` in it, as lmgrd does with a license folder: IBM keeps permanent and term keys in
 * separate files. Importing "in place of" the current files makes the folder hold `license.lic`
 * alone; adding keeps the file's own name. A triad switches all three folders to one set.
 */

/** One file of a license set, by the name it has in the folder. */
export interface LicenseSetFile {
  fileName: string;
  text: string;
}

/** The name an import that replaces every other file gets. */
export const MAIN_LICENSE_FILE = 'license.lic';

export function licenseFolderIn(dataDir: string): string {
  return path.join(dataDir, 'licenses');
}

/**
 * Data folders made before there was a license folder kept `license.lic` beside the database:
 * it moves into the folder once, so the server goes on serving it.
 */
export function moveLicenseIntoFolder(dataDir: string): void {
  const folder = licenseFolderIn(dataDir);
  const old = path.join(dataDir, MAIN_LICENSE_FILE);
  if (existsSync(folder)) return;
  mkdirSync(folder, { recursive: true });
  if (existsSync(old)) renameSync(old, path.join(folder, MAIN_LICENSE_FILE));
}

/**
 * The name a file gets in the folder: its base name with characters other than letters, digits,
 * `. _ -` replaced, and `.lic` in place of the `.dat`, `.txt` or `.upd` that publishers send
 * (only `*.lic` files are served from a folder).
 */
export function licenseFileNameFor(uploaded: string): string {
  const base = path.basename(uploaded.replace(/\\/g, '/')).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  const stem = base.replace(/\.(lic|dat|txt|upd)$/i, '') || 'license';
  return `${stem}.lic`;
}

/** The files a license location serves now, by name (a single file is a set of one). */
export function readLicenseSet(location: string): (LicenseSetFile & { path: string; modifiedAt: number })[] {
  let paths: string[];
  try {
    paths = licenseFilesAt(location);
  } catch {
    return [];
  }
  return paths.flatMap((file) => {
    try {
      return [{ fileName: path.basename(file), path: file, text: readFileSync(file, 'utf8'), modifiedAt: statSync(file).mtimeMs }];
    } catch {
      return [];
    }
  });
}

/**
 * Makes the location serve exactly `files`: a folder gets each file (written beside, then renamed,
 * so a reread never sees half a file) and loses every other `*.lic`; a single license file can
 * hold only one. Each file is recorded in the store's import history.
 */
export function installLicenseSet(store: Store, location: string, files: readonly LicenseSetFile[], importedAt: number): void {
  if (files.length === 0) throw new Error('a license set needs at least one file');
  const isFolder = existsSync(location) && statSync(location).isDirectory();
  if (!isFolder) {
    if (files.length > 1) throw new Error(`${location} is one license file; serve a folder to serve ${files.length} files together`);
    installLicenseText(store, location, files[0]!.text, importedAt);
    return;
  }
  const wanted = new Set(files.map((file) => licenseFileNameFor(file.fileName)));
  if (wanted.size !== files.length) throw new Error('two files of the set have the same name');
  for (const file of files) installLicenseText(store, path.join(location, licenseFileNameFor(file.fileName)), file.text, importedAt);
  for (const existing of licenseFilesAt(location)) if (!wanted.has(path.basename(existing))) unlinkSync(existing);
}

