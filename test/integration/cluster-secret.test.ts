import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../src/core/backend';
import { createTriad } from '../../src/core/server/triad/createTriad';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad } from '../support/triadProcess';
import { freePort } from '../support/freePort';

/**
 * The administrator's path to authenticated peer links: `triad cluster-secret --new` on one
 * server, `--import` on the other two, restart; the three then form a quorum over sealed links
 * and the "no cluster secret" warning is gone.
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const port = await freePort();
const temp = makeTempDir('triad-secret-');
const backends: Backend[] = [];
afterAll(async () => {
  await Promise.all(backends.map((backend) => backend.stop('test finished')));
  temp.remove();
});

async function triad(args: string[], input?: string) {
  const run = await spawnTriad(args, {}, { input });
  return { code: await run.exited, out: run.stdout.join('\n'), err: run.stderr.join('\n') };
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('triad cluster-secret', () => {
  const data = hosts.map((host) => path.join(temp.dir, `data-${host}`));

  it('creates the secret on one server and imports it on the other two; bad values are refused', async () => {
    const none = await triad(['cluster-secret', '--data', data[0]]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/no cluster secret.*--new/);

    const created = await triad(['cluster-secret', '--data', data[0], '--new']);
    expect(created.code).toBe(0);
    const secret = created.out.split('\n')[0];
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    // asking again shows the same secret: --new never replaces one
    expect((await triad(['cluster-secret', '--data', data[0], '--new'])).out.split('\n')[0]).toBe(secret);

    expect(created.out).toContain(path.join(data[0], 'cluster.secret'));
    expect(created.out).toMatch(/triad cluster-secret --import cluster\.secret --data/);

    const bad = await triad(['cluster-secret', '--data', data[1], '--import'], 'not-a-secret\n');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/64 hexadecimal characters/);
    // the secret never goes on the command line, where other users can read it
    const onArgv = await triad(['cluster-secret', '--data', data[1], '--import', secret]);
    expect(onArgv.code).toBe(2);
    expect(onArgv.err).toMatch(/does not go on the command line/);
    expect(existsSync(path.join(data[1], 'cluster.secret'))).toBe(false);
    // from the first server's file, copied over, and from standard input
    const copied = path.join(temp.dir, 'cluster.secret');
    copyFileSync(path.join(data[0], 'cluster.secret'), copied);
    expect((await triad(['cluster-secret', '--data', data[1], '--import', copied])).code).toBe(0);
    expect((await triad(['cluster-secret', '--data', data[2], '--import'], `${secret}\n`)).code).toBe(0);
    for (const dir of data.slice(1)) expect((await triad(['cluster-secret', '--data', dir])).out.split('\n')[0]).toBe(secret);
  }, 60_000);

  it('three members with the imported secret form a quorum over authenticated links', async () => {
    const license = writeSignedLicense(temp.dir, {
      servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })),
      features: [{ name: 'Sealed', count: 3 }],
    });
    for (const rank of [0, 1, 2]) {
      backends.push(
        await createBackend({
          licensePath: license.licensePath,
          trustFiles: [license.publicKeyPath],
          dataDir: data[rank],
          hostid: TEST_HOSTID,
          as: hosts[rank],
          triad: createTriad,
        }),
      );
    }
    await eventually(() => backends[0].status().role === 'master' && backends[0].status().members.every((member) => member.up), 10_000);
    expect(backends[1].status().role).toBe('standby');
    expect(backends.flatMap((backend) => backend.status().warnings).filter((w) => w.startsWith('No cluster secret'))).toEqual([]);
  }, 30_000);
});
