import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../src/core/backend';
import { checkout } from '../../src/core/client/checkout';
import { readAdminToken, runAdminCommand, sendAdminRequest } from '../../src/core/client/connectionAdmin';
import { makeTempDir } from '../support/tempDir';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';

/**
 * Issue 20: `lmdown -c license.lic` on a triad member's machine went to the first SERVER line and
 * was refused for the wrong token (each member has its own). An admin command now goes first to
 * the servers on this machine and, when a server refuses this machine's credentials, on to the
 * next; when none accepts them it says what to do. And lmdown honours --force: with licenses
 * checked out it is refused unless forced, with -q as without.
 */

describe('admin commands', () => {
  const temp = makeTempDir('triad-any-member-');
  const running: Backend[] = [];
  afterAll(async () => {
    await Promise.all(running.map((backend) => backend.stop('test finished')));
    temp.remove();
  });

  async function server(name: string): Promise<Backend> {
    const license = writeSignedLicense(path.join(temp.dir, name), {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [{ name: 'Held', count: 2 }],
    });
    const backend = await createBackend({
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      dataDir: path.join(temp.dir, name, 'data'),
      hostid: TEST_HOSTID,
      port: 0,
    });
    running.push(backend);
    return backend;
  }

  it("go on to the member whose token this machine holds, and say what to do when none accepts it", async () => {
    // three servers listed as one redundant entry, as a triad's members are
    const members = [await server('first'), await server('second'), await server('third')];
    const entry = members.map((member) => `${member.address.port}@127.0.0.1`).join(',');
    const [reread] = await runAdminCommand(entry, path.join(temp.dir, 'second', 'data'), { type: 'lmreread' }, {});
    expect(reread).toMatchObject({ ok: true, address: { port: members[1]!.address.port } });

    const [none] = await runAdminCommand(entry, path.join(temp.dir, 'nowhere'), { type: 'lmreread' }, {});
    expect(none!.ok).toBe(false);
    if (!none || none.ok) return;
    for (const member of members) expect(none.message).toContain(`${member.address.port}@127.0.0.1: lmreread needs the server's admin token (no admin token)`);
    expect(none.message).toMatch(/Run it on the server's own machine.*--data.*TRIAD_ADMIN_TOKEN/s);

    // an independent server later in the list is never tried with credentials meant for another
    const [independent] = await runAdminCommand(
      `${members[0]!.address.port}@127.0.0.1:${members[1]!.address.port}@127.0.0.1`,
      path.join(temp.dir, 'second', 'data'),
      { type: 'lmreread' },
      {},
    );
    expect(independent!.ok).toBe(false);
  });

  it('lmdown with licenses checked out is refused without --force, naming them; with --force it goes ahead', async () => {
    const backend = await server('forced');
    const address = { host: '127.0.0.1', port: backend.address.port };
    const held = await checkout([address], { feature: 'Held', version: '1.0', count: 2, user: 'erin', host: 'ws5', display: ':0' });
    expect(held.kind).toBe('granted');
    const token = readAdminToken(path.join(temp.dir, 'forced', 'data'))!;
    const refused = await sendAdminRequest([address], { type: 'lmdown', token }, { role: 'admin' });
    expect(refused.kind === 'answered' && refused.reply).toMatchObject({ type: 'refused', code: 'SEATS_OUT', reason: expect.stringMatching(/2 licenses are checked out \(Held: 2\).*--force/) });
    const forced = await sendAdminRequest([address], { type: 'lmdown', token, force: true }, { role: 'admin' });
    expect(forced.kind === 'answered' && forced.reply.type).toBe('done');
    await backend.stopped;
  });
});
