import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importClusterSecret, loadOrCreateAdminToken, loadOrCreateClusterSecret, readClusterSecret, StoreError } from '../../../src/core/store';
import { useTempStores } from './tempStore';

const temp = useTempStores();
const posix = process.platform !== 'win32';

describe('admin token', () => {
  it('is 32 random bytes in hex, created once with mode 0600 and then reused', () => {
    const dir = temp.newDir();
    const token = loadOrCreateAdminToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(loadOrCreateAdminToken(dir)).toBe(token);
    expect(readFileSync(join(dir, 'admin.token'), 'utf8').trim()).toBe(token);
    if (posix) expect(statSync(join(dir, 'admin.token')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateAdminToken(temp.newDir())).not.toBe(token);
    expect(readdirSync(dir)).toEqual(['admin.token']);
  });

  it('reports a damaged token file instead of using it', () => {
    const dir = temp.newDir();
    writeFileSync(join(dir, 'admin.token'), 'short\n');
    expect(() => loadOrCreateAdminToken(dir)).toThrow(StoreError);
    expect(() => loadOrCreateAdminToken(dir)).toThrow(/admin\.token is damaged.*Delete it/);
  });
});

describe('cluster secret', () => {
  it('is absent until created, then stable', () => {
    const dir = temp.newDir();
    expect(readClusterSecret(dir)).toBeNull();
    const secret = loadOrCreateClusterSecret(dir);
    expect(readClusterSecret(dir)).toBe(secret);
    if (posix) expect(statSync(join(dir, 'cluster.secret')).mode & 0o777).toBe(0o600);
  });

  it('imports a copied secret (replacing any other) and refuses malformed input', () => {
    const first = temp.newDir();
    const second = temp.newDir();
    const secret = loadOrCreateClusterSecret(first);
    loadOrCreateClusterSecret(second);
    expect(importClusterSecret(second, `  ${secret.toUpperCase()}\n`)).toEqual({ ok: true });
    expect(readClusterSecret(second)).toBe(secret);
    expect(importClusterSecret(second, 'xyz')).toEqual({ ok: false, error: expect.stringContaining('64 hexadecimal') });
    expect(readClusterSecret(second)).toBe(secret);
  });
});
