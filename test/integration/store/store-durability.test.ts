/**
 * "Nothing acknowledged is lost on kill -9": a child process writes through the store and
 * prints each committed id; we SIGKILL it mid-stream, reopen the database and look for every
 * printed id. Several rounds on the same data directory, so recovery after a kill is also
 * followed by more writes and another kill.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/core/store';

const repoRoot = resolve(import.meta.dirname, '../../..');
// Inside the repository so the bundle's bare imports (better-sqlite3) resolve from node_modules.
const bundleDir = join(repoRoot, 'node_modules', '.cache', 'triad-tests');
let writerBundle = '';
let dataDir = '';

beforeAll(async () => {
  mkdirSync(bundleDir, { recursive: true });
  writerBundle = join(bundleDir, `storeWriter-${process.pid}.mjs`);
  await build({
    entryPoints: [join(repoRoot, 'test/support/storeWriter.ts')],
    outfile: writerBundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  dataDir = mkdtempSync(join(tmpdir(), 'triad-durability-'));
});

afterAll(() => {
  rmSync(writerBundle, { force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

interface Acknowledged {
  reportId: number;
  leaseId: string;
}

/** Runs the writer until it has acknowledged `killAfter` writes, then SIGKILLs it. */
function writeUntilKilled(killAfter: number): Promise<{ acknowledged: Acknowledged[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [writerBundle, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: Acknowledged[] = [];
    let pending = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [id, leaseId] = line.split(' ');
        acknowledged.push({ reportId: Number(id), leaseId });
      }
      if (acknowledged.length >= killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
      else resolvePromise({ acknowledged, signal });
    });
  });
}

describe('store durability under kill -9', () => {
  it('keeps every acknowledged write, whole, across repeated kills', async () => {
    const allAcknowledged: Acknowledged[] = [];
    for (const killAfter of [40, 150, 7, 300]) {
      const { acknowledged } = await writeUntilKilled(killAfter);
      expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);
      allAcknowledged.push(...acknowledged);

      const store = openStore(dataDir);
      try {
        expect(store.integrityCheck()).toEqual(['ok']);
        const rows = store.reportLog.query({ limit: 1_000_000 });
        const present = new Set(rows.map((r) => r.id));
        const missing = allAcknowledged.filter((a) => !present.has(a.reportId));
        expect(missing).toEqual([]);
        // Each commit wrote the lease and its report row together: never one without the other.
        const leaseIds = new Set(store.leases.list().map((l) => l.leaseId));
        expect(rows.filter((r) => !leaseIds.has(r.leaseId ?? ''))).toEqual([]);
        expect(allAcknowledged.every((a) => leaseIds.has(a.leaseId))).toBe(true);
      } finally {
        store.close();
      }
    }
  });
});
