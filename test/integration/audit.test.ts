import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startHttpHost } from '../../src/host/httpHost';
import path from 'node:path';
import type { Backend } from '../../src/core/backend';
import { checkout } from '../../src/core/client/checkout';
import { ServerConnection } from '../../src/core/client/connection';
import { readAdminToken } from '../../src/core/client/connectionAdmin';
import { encodeFrame } from '../../src/core/protocol';
import { openStore, type AuditEntry, type Store } from '../../src/core/store';
import { openAdminApp } from '../../src/host/adminApp';
import { rawExchange } from '../support/rawWire';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { startSingleServer } from '../support/singleServer';
import { makeTempDir } from '../support/tempDir';

/**
 * Every admin action lands in the audit table with who, from where and what (issue 7), and admin
 * from another machine is refused unless turned on. "Another machine" on loopback: a client that
 * binds 127.0.0.2 as its source, as the triad tests' second machine does (src/core/server/thisMachine.ts).
 */

const REMOTE = '127.0.0.2';

describe('audit table', () => {
  const temp = makeTempDir();
  const license = writeSignedLicense(temp.dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Audited', count: 2 }] });
  const stores: Store[] = [];
  const running: Backend[] = [];
  afterAll(async () => {
    await Promise.all(running.map((b) => b.stop('test finished')));
    for (const store of stores) store.close();
    temp.remove();
  });

  async function start(name: string, allowRemoteAdmin: boolean) {
    const dataDir = path.join(temp.dir, name);
    // our own store, so the audit rows can be read after lmdown stops the server
    const store = openStore(dataDir);
    stores.push(store);
    const backend = await startSingleServer(license, dataDir, { store, bind: '127.0.0.1', allowRemoteAdmin });
    running.push(backend);
    return { backend, store, token: readAdminToken(dataDir)!, address: { host: '127.0.0.1', port: backend.address.port } };
  }

  async function localAdmin(address: { host: string; port: number }, request: Parameters<ServerConnection['request']>[0]) {
    const connection = await ServerConnection.open(address, { role: 'admin', agent: 'triad audit-test' });
    try {
      return await connection.request(request);
    } finally {
      connection.close();
    }
  }

  async function remoteAdmin(port: number, request: object): Promise<unknown> {
    const hello = encodeFrame({ type: 'hello', version: 1, role: 'admin', agent: 'remote tool' });
    const { frames } = await rawExchange(port, [hello, encodeFrame({ id: 1, ...request })], 500, { localAddress: REMOTE });
    return frames.find((f) => (f as { id?: number }).id === 1);
  }

  /** Audit writes are batched per event-loop turn: give them one. */
  const rows = async (store: Store): Promise<AuditEntry[]> => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return store.audit.recent(100).reverse();
  };

  it('records lmdown refused and accepted, lmreread, lmremove with who, from where and what', async () => {
    const { backend, store, token, address } = await start('local', false);
    expect(await localAdmin(address, { type: 'lmdown' })).toMatchObject({ type: 'refused', reason: expect.stringMatching(/needs the server's admin token/) });
    expect(await localAdmin(address, { type: 'lmreread', token })).toMatchObject({ type: 'done' });
    const held = await checkout([address], { feature: 'Audited', version: '1.0', count: 1, user: 'alice', host: 'ws7', display: ':0' });
    expect(held.kind).toBe('granted');
    expect(await localAdmin(address, { type: 'lmremove', token, feature: 'Audited', user: 'alice', host: 'ws7', display: ':0' })).toMatchObject({
      type: 'done',
    });
    expect(await localAdmin(address, { type: 'lmdown', token })).toMatchObject({ type: 'done' });
    await backend.stopped;

    const from = expect.stringMatching(/^127\.0\.0\.1:\d+$/);
    expect(await rows(store)).toEqual([
      expect.objectContaining({ who: 'triad audit-test', fromAddress: from, action: 'lmdown refused', detail: 'no admin token' }),
      expect.objectContaining({ who: 'triad audit-test', fromAddress: from, action: 'lmreread', detail: '' }),
      expect.objectContaining({ who: 'triad audit-test', fromAddress: from, action: 'lmremove', detail: '"Audited" alice ws7 :0' }),
      expect.objectContaining({ who: 'triad audit-test', fromAddress: from, action: 'lmdown', detail: '' }),
    ]);
  });

  it('refuses admin from another machine by default, even with the token, and audits the refusal', async () => {
    const { store, token, address } = await start('remote-off', false);
    expect(await remoteAdmin(address.port, { type: 'lmreread', token })).toMatchObject({
      type: 'refused',
      reason: expect.stringMatching(/remote administration is off/),
    });
    expect(await remoteAdmin(address.port, { type: 'lmdown', token })).toMatchObject({ type: 'refused' });
    // the server still runs and serves
    expect((await checkout([address], { feature: 'Audited', version: '1.0', count: 1, user: 'bob', host: 'ws', display: ':0' })).kind).toBe('granted');
    expect(await rows(store)).toEqual([
      expect.objectContaining({
        who: 'remote tool',
        fromAddress: expect.stringMatching(/^127\.0\.0\.2:\d+$/),
        action: 'lmreread refused',
        detail: 'remote administration is off',
      }),
      expect.objectContaining({ who: 'remote tool', fromAddress: expect.stringMatching(/^127\.0\.0\.2:\d+$/), action: 'lmdown refused' }),
    ]);
  });

  it('with --allow-remote-admin, accepts another machine that has the token, and audits where it came from', async () => {
    const { store, token, address } = await start('remote-on', true);
    expect(await remoteAdmin(address.port, { type: 'lmreread', token: 'guess' })).toMatchObject({
      type: 'refused',
      reason: expect.stringMatching(/wrong admin token/),
    });
    expect(await remoteAdmin(address.port, { type: 'lmreread', token })).toMatchObject({ type: 'done' });
    expect((await rows(store)).map((r) => [r.action, r.fromAddress.split(':')[0]])).toEqual([
      ['lmreread refused', REMOTE],
      ['lmreread', REMOTE],
    ]);
  });

  it('records license imports from the admin app, accepted and refused', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const app = await openAdminApp({ dataDir: path.join(temp.dir, 'app'), port, bind: '127.0.0.1', demoServerHost: '127.0.0.1' });
    try {
      const before = app.store.audit.recent(100).length;
      const current = app.store.licenseFiles.current()!;
      const imported = await app.api.invoke('license.import', { fileName: 'again.lic', text: current.text });
      expect(imported).toMatchObject({ ok: true, value: { imported: true } });
      const refused = await app.api.invoke('license.import', { fileName: 'broken.lic', text: 'FEATURE broken\n' });
      expect(refused).toMatchObject({ ok: true, value: { imported: false } });
      const added = (await rows(app.store)).slice(before);
      expect(added).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            who: 'admin app',
            fromAddress: 'local',
            action: 'import',
            detail: expect.stringMatching(/^again\.lic \(sha256 [0-9a-f]{64}\)$/),
          }),
          expect.objectContaining({
            who: 'admin app',
            fromAddress: 'local',
            action: 'import refused',
            detail: expect.stringMatching(/^broken\.lic: \d+ error/),
          }),
        ]),
      );
      // the import rereads the server, which the server audits as the app's lmreread
      expect(added.map((r) => r.action).sort()).toEqual(['import', 'import refused', 'lmreread']);

      // through the headless host's HTTP API the rows say who (token or browser) and from where
      const host = await startHttpHost({
        api: app.api,
        adminToken: app.adminToken,
        adminTokenFile: app.adminTokenFile,
        rendererDir: null,
        host: '127.0.0.1',
        port: 0,
      });
      try {
        const mark = app.store.audit.recent(100).length;
        const post = (method: string, args: unknown) =>
          fetch(`${host.url}api/${method}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` },
            body: JSON.stringify(args),
          });
        expect((await post('license.import', { fileName: 'http.lic', text: current.text })).status).toBe(200);
        const demoKey = app.store.trustedKeys.list()[0]!;
        const listed = (await (await post('keys.list', {})).json()) as { value: { fingerprint: string }[] };
        const fingerprint = listed.value[0]!.fingerprint;
        expect((await post('keys.remove', { vendor: demoKey.vendor, fingerprint })).status).toBe(200);
        expect((await post('keys.add', { vendor: demoKey.vendor, publicKey: demoKey.publicKey })).status).toBe(200);
        const remote = { who: 'admin API (token)', fromAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) };
        // the server's own lmreread rows come with its next group commit: wait for them, order by action
        for (let waited = 0; (await rows(app.store)).length < mark + 6 && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
        const added = (await rows(app.store)).slice(mark).sort((a, b) => a.action.localeCompare(b.action));
        expect(added).toEqual([
          expect.objectContaining({ ...remote, action: 'distrust key', detail: `demo ${fingerprint}` }),
          expect.objectContaining({ ...remote, action: 'import', detail: expect.stringMatching(/^http\.lic /) }),
          expect.objectContaining({ ...remote, action: 'lmreread' }),
          expect.objectContaining({ ...remote, action: 'lmreread' }),
          expect.objectContaining({ ...remote, action: 'lmreread' }),
          expect.objectContaining({ ...remote, action: 'trust key', detail: `demo ${fingerprint}` }),
        ]);
      } finally {
        await host.close();
      }
    } finally {
      await app.close();
    }
  });
});
