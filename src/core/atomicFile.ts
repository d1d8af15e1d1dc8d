import { renameSync, writeFileSync } from 'node:fs';

/** Write beside, then rename: a server never reads a half-written license file. */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = `${file}.importing`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
