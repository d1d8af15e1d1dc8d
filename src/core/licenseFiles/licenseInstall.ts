import { renameSync, writeFileSync } from 'node:fs';
import type { Store } from '../store';

/**
 * Puts a license file in place where the server reads it and records it as the current one:
 * written beside, then renamed, so a server never reads a half-written file. Used by an import in
 * the admin UI and by a file distributed over the triad.
 */
export function installLicenseText(store: Store, licensePath: string, text: string, importedAt: number): void {
  const temporary = `${licensePath}.importing`;
  writeFileSync(temporary, text);
  renameSync(temporary, licensePath);
  store.licenseFiles.import({ path: licensePath, text, importedAt });
}
