import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ArchiveFile, LogName, RetentionSettings } from '../../../shared/logRetention';
import { archiveFileName, parseArchiveFileName } from '../../retention/archiveFormat';

/**
 * The archive folder of log retention: the gzip files rotated rows go to (names and formats in
 * src/core/retention/archiveFormat.ts). A file is written under a hidden temporary name, fsynced,
 * then renamed (and the folder fsynced), so a name in the folder always means a whole file on disk;
 * a crash leaves at most a `.partial` file, removed at the next start.
 */

/** `archive` in the data folder unless the settings name one (relative: inside the data folder). */
export function resolveArchiveFolder(dataDir: string, settings: RetentionSettings): string {
  const folder = settings.archive.folder;
  if (folder === null) return join(dataDir, 'archive');
  return isAbsolute(folder) ? folder : resolve(dataDir, folder);
}

export interface ArchiveRange {
  rows: number;
  fromMs: number;
  toMs: number;
}

/**
 * Compresses `text` (pulled piece by piece, so the caller reads its rows as the file takes them)
 * into the folder; `range` is filled in by the caller as it goes and names the file. Resolves with
 * the file's path once it is on disk under its final name.
 */
export async function writeArchive(folder: string, log: LogName, text: AsyncIterable<string>, range: ArchiveRange, startedMs: number): Promise<string> {
  // who used which license, as in the database (0600): for the server's OS user only, wherever the folder is
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const partial = join(folder, `.${log}-log_${process.pid}_${startedMs}.partial`);
  try {
    // flush: the file is fsynced before it is closed, so the rename below names durable data
    await pipeline(Readable.from(text), createGzip(), createWriteStream(partial, { flags: 'wx', flush: true, mode: 0o600 }));
    const file = await freeName(folder, log, range);
    await rename(partial, file);
    await syncFolder(folder);
    return file;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Our archive files in the folder, oldest first. */
export async function listArchives(folder: string): Promise<(ArchiveFile & { path: string })[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const files: (ArchiveFile & { path: string })[] = [];
  for (const name of names) {
    const parsed = parseArchiveFileName(name);
    if (!parsed) continue;
    const path = join(folder, name);
    const info = await stat(path).catch(() => null);
    if (info) files.push({ name, path, bytes: info.size, ...parsed });
  }
  return files.sort((a, b) => a.toMs - b.toMs || a.name.localeCompare(b.name));
}

/** Deletes the oldest archives while all together pass `limitBytes`; the newest always stays. Returns what went. */
export async function capArchives(folder: string, limitBytes: number): Promise<ArchiveFile[]> {
  const files = await listArchives(folder);
  let total = files.reduce((sum, f) => sum + f.bytes, 0);
  const deleted: ArchiveFile[] = [];
  for (const file of files.slice(0, -1)) {
    if (total <= limitBytes) break;
    await rm(file.path, { force: true });
    total -= file.bytes;
    deleted.push(file);
  }
  return deleted;
}

/** Archives a crash interrupted: their rows are still in the table and go into the next archive. */
export async function removePartialArchives(folder: string): Promise<void> {
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) if (/^\.(debug|report)-log_.*\.partial$/.test(name)) await rm(join(folder, name), { force: true });
}

async function freeName(folder: string, log: LogName, range: ArchiveRange): Promise<string> {
  for (let copy = 1; ; copy++) {
    const file = join(folder, archiveFileName(log, range.fromMs, range.toMs, copy));
    const taken = await stat(file).then(
      () => true,
      () => false,
    );
    if (!taken) return file;
  }
}

/** fsync of the folder, so the rename survives a power cut (Windows cannot open a folder: skipped). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
