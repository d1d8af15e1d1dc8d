import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createBackend, type Backend } from '../../src/core/backend';
import { checkout, type HeldLicense } from '../../src/core/client/checkout';
import { eventuallyValue } from '../support/eventually';
import { makeTempDir } from '../support/tempDir';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';

/**
 * A real full disk: the data folder on an 8 MB tmpfs, filled until SQLite's writes fail. Needs
 * root and mount(8); skipped where mounting is not allowed (disk-space.test.ts covers the same
 * behaviour with an injected probe everywhere).
 */

const temp = makeTempDir('triad-tmpfs-');
const mountPoint = path.join(temp.dir, 'small');

function tryMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  mkdirSync(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mounted = tryMount();
afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
  temp.remove();
});

/** Writes 64 KiB pieces until the file system says it is full. */
function fillUp(file: string): void {
  const piece = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeFileSync(file, piece, { flag: 'a' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
}

describe.skipIf(!mounted)('a data folder on a disk that fills up (tmpfs)', () => {
  const license = writeSignedLicense(temp.dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Tight', count: 100 }] });
  let backend: Backend;
  const held: HeldLicense[] = [];
  const filler = path.join(mountPoint, 'filler');
  const request = (user: string) => ({ feature: 'Tight', version: '1.0', count: 1, user, host: 'ws', display: ':0' });
  const server = () => [{ host: '127.0.0.1', port: backend.address.port }];

  beforeAll(async () => {
    backend = await createBackend({
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      dataDir: path.join(mountPoint, 'data'),
      hostid: TEST_HOSTID,
      port: 0,
      diskCheckIntervalMs: 100,
      retention: { disk: { warnBelowMegabytes: 4, refuseGrantsBelowMegabytes: 0 } },
    });
  });
  afterAll(async () => {
    rmSync(filler, { force: true });
    await backend?.stop('test finished');
  });

  it('warns from the real free space (fs.statfs) of the data folder', async () => {
    await eventuallyValue(
      () => backend.status().disk?.state,
      (state) => state === 'ok',
    );
    writeFileSync(filler, Buffer.alloc(5 * 1024 * 1024));
    await eventuallyValue(
      () => backend.status().disk?.state,
      (state) => state === 'low',
    );
    const seat = await checkout(server(), request('alice'));
    expect(seat.kind).toBe('granted');
    if (seat.kind === 'granted') held.push(seat.license);
  });

  it("when SQLite cannot write, refuses new licenses with a denial that says the disk is full; the held seat's check-in is answered", async () => {
    fillUp(filler);
    let denial: string | null = null;
    for (let i = 0; i < 500 && denial === null; i++) {
      const result = await checkout(server(), request(`u${i}`));
      if (result.kind === 'denied') denial = result.reason;
      else if (result.kind === 'granted') await result.license.checkin();
      else throw new Error(`unexpected ${JSON.stringify(result)}`);
    }
    expect(denial).toMatch(
      /^License server temporarily busy; no new licenses: the server's disk is full, so a grant cannot be recorded durably; .* \(-23,913\)$/,
    );
    await eventuallyValue(
      () => backend.status().disk!,
      (disk) => disk.freeBytes < 1024 * 1024,
    );
    expect(backend.status().disk).toMatchObject({
      state: 'full',
      message: expect.stringMatching(/^The database could not be written for want of disk space \(database or disk is full; 0 MB free for /),
    });
    // the check-in is answered; its release cannot be written, so the seat frees at its timeout
    await held[0]!.checkin();
    held.length = 0;
    expect(backend.status().features[0]!.inUse).toBe(1);
  });

  it('grants again once space is freed', async () => {
    rmSync(filler);
    await eventuallyValue(
      () => backend.status().disk?.state,
      (state) => state === 'ok',
    );
    const seat = await checkout(server(), request('bob'));
    expect(seat.kind).toBe('granted');
    if (seat.kind === 'granted') await seat.license.checkin();
  });
});
