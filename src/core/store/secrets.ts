/**
 * Secrets kept as files in the data directory, readable by the server's OS user only (0600):
 * - `admin.token`: 32 random bytes, hex. Whoever can read it may lmdown/lmreread/lmremove.
 * - `cluster.secret`: 32 random bytes, hex, shared by the three triad members for peer HMAC.
 *   A triad member makes one at its first start if it has none (a triad never runs without
 *   one); the admin imports the same value on the other two.
 * Files are written under a temporary name, then linked (create) or renamed (replace) into
 * place, so a crash never leaves half a secret.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDir } from './dataDir';
import { StoreError } from './storeError';

export const adminTokenFile = 'admin.token';
export const clusterSecretFile = 'cluster.secret';

const secretPattern = /^[0-9a-f]{64}$/;

export type ImportResult = { ok: true } | { ok: false; error: string };

/** Compares a secret (or a MAC) someone sent with ours in constant time, so timing tells nothing. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function loadOrCreateAdminToken(dataDir: string): string {
  return readSecret(dataDir, adminTokenFile) ?? writeNewSecret(dataDir, adminTokenFile);
}

/** The cluster secret, or null when this server has none yet. */
export function readClusterSecret(dataDir: string): string | null {
  return readSecret(dataDir, clusterSecretFile);
}

/** The first triad member creates the secret that the other two import. */
export function loadOrCreateClusterSecret(dataDir: string): string {
  return ensureClusterSecret(dataDir).secret;
}

/** The cluster secret, made now if this data folder had none (`created`: then the other two members need it). */
export function ensureClusterSecret(dataDir: string): { secret: string; created: boolean } {
  const existing = readSecret(dataDir, clusterSecretFile);
  return existing !== null ? { secret: existing, created: false } : { secret: writeNewSecret(dataDir, clusterSecretFile), created: true };
}

/** Imports (or replaces) the cluster secret copied from another member. */
export function importClusterSecret(dataDir: string, secret: string): ImportResult {
  const value = secret.trim().toLowerCase();
  if (!secretPattern.test(value)) {
    return {
      ok: false,
      error: 'The cluster secret must be 64 hexadecimal characters; copy it again from the cluster.secret file (or the admin UI) of the first server.',
    };
  }
  writeSecretFile(dataDir, clusterSecretFile, value);
  return { ok: true };
}

function readSecret(dataDir: string, fileName: string): string | null {
  const path = join(dataDir, fileName);
  if (!existsSync(path)) return null;
  const value = readFileSync(path, 'utf8').trim();
  if (!secretPattern.test(value)) {
    throw new StoreError(
      `${path} is damaged (expected 64 hexadecimal characters). ` +
        `Delete it and restart to create a new one${fileName === clusterSecretFile ? ', then import it on the other triad members' : ''}.`,
    );
  }
  return value;
}

/**
 * Creates the file only if it is still absent (link fails on an existing name), so two
 * processes starting together agree on one secret: the loser reads the winner's.
 */
function writeNewSecret(dataDir: string, fileName: string): string {
  const path = join(dataDir, fileName);
  const temporary = writeTemporary(dataDir, fileName, randomBytes(32).toString('hex'));
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  const value = readSecret(dataDir, fileName);
  if (value === null) throw new StoreError(`${path} vanished while it was being created; start again.`);
  return value;
}

/** Replaces the file atomically: readers see the old secret or the new one, never half. */
function writeSecretFile(dataDir: string, fileName: string, value: string): void {
  renameSync(writeTemporary(dataDir, fileName, value), join(dataDir, fileName));
}

function writeTemporary(dataDir: string, fileName: string, value: string): string {
  ensureDataDir(dataDir);
  const temporary = join(dataDir, `${fileName}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${value}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // The mode given to openSync is masked by the umask: set it explicitly.
  if (process.platform !== 'win32') chmodSync(temporary, 0o600);
  return temporary;
}
