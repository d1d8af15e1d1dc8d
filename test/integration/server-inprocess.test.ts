import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createBackend, type Backend, type TriadParts } from '../../src/core/backend';
import { checkout, type CheckoutRequest } from '../../src/core/client/checkout';
import { queryStatus, sendAdminRequest } from '../../src/core/client/connectionAdmin';
import { ServerConnection } from '../../src/core/client/connection';
import { encodeFrame, FrameDecoder } from '../../src/core/protocol';
import { storeLeaseLog } from '../../src/core/server/storeLeaseLog';
import { databaseFile, openStore, type Store } from '../../src/core/store';
import Database from 'better-sqlite3';
import type { MasterGate } from '../../src/core/server/seams';
import type { PeerLink } from '../../src/core/server/triadSeam';
import { makeTempDir } from '../support/tempDir';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';

/** The server as a library: the triad seams, resume across a restart, logs, serving rules. */

const request = (user: string, feature: string): CheckoutRequest => ({ feature, version: '1.0', count: 1, user, host: 'ws', display: ':0' });

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('server library', () => {
  const temp = makeTempDir();
  const running: Backend[] = [];
  afterAll(async () => {
    await Promise.all(running.map((b) => b.stop('test finished')));
    temp.remove();
  });

  async function start(dir: string, options: Partial<Parameters<typeof createBackend>[0]> & { licensePath: string; trustFiles: string[] }) {
    const backend = await createBackend({ dataDir: path.join(dir, 'data'), hostid: TEST_HOSTID, port: 0, clientHeartbeatIntervalMs: 300, ...options });
    running.push(backend);
    return backend;
  }

  it('a standby (MasterGate) redirects clients to the master, and peers reach the peer hook', async () => {
    const license = writeSignedLicense(temp.dir, {
      servers: [
        { host: '127.0.0.1', hostid: TEST_HOSTID, port: 27000 },
        { host: '127.0.0.2', hostid: TEST_HOSTID, port: 27000 },
        { host: '127.0.0.3', hostid: TEST_HOSTID, port: 27000 },
      ],
      features: [{ name: 'Redundant', count: 2 }],
    }, 'triad.lic');
    const peerMessages: unknown[] = [];
    const parts = (gate: MasterGate) => (context: { store: Parameters<typeof storeLeaseLog>[0]; writer: Parameters<typeof storeLeaseLog>[1] }): TriadParts => ({
      gate,
      log: storeLeaseLog(context.store, context.writer, '127.0.0.1'),
      peerHook: (link: PeerLink) =>
        link.onMessage((message) => {
          peerMessages.push(message);
          link.send({ echo: message });
        }),
      stop: async () => {},
    });
    let masterRole: 'master' | 'standby' = 'master';
    let masterPointsTo: { host: string; port: number } | null = null;
    let successorRole: 'master' | 'standby' = 'master';
    let successorPointsTo: { host: string; port: number } | null = null;
    const master = await start(path.join(temp.dir, 'm'), {
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      as: '127.0.0.1',
      triad: parts({ role: () => masterRole, master: () => masterPointsTo, onChange: () => () => {}, failoverMs: () => 0, term: () => 1 }),
    });
    const standby = await start(path.join(temp.dir, 's'), {
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      as: '127.0.0.2',
      triad: parts({
        role: () => 'standby',
        master: () => ({ host: '127.0.0.1', port: master.address.port }),
        onChange: () => () => {},
        failoverMs: () => 0,
        term: () => 1,
      }),
    });
    expect(standby.address.host).toBe('127.0.0.2');

    const result = await checkout([{ host: '127.0.0.2', port: standby.address.port }], request('alice', 'Redundant'));
    expect(result.kind).toBe('granted');
    if (result.kind !== 'granted') return;
    expect(result.license.server).toEqual({ host: '127.0.0.1', port: master.address.port });
    await result.license.checkin();
    expect(standby.status()).toMatchObject({ role: 'standby', master: '127.0.0.1', mode: 'triad' });

    // a peer hello is handed to the hook with its raw messages
    const reply = await new Promise<unknown>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: master.address.port }, () => {
        socket.write(encodeFrame({ type: 'hello', version: 1, role: 'peer' }));
        socket.write(encodeFrame({ kind: 'Heartbeat', epoch: 1 }));
      });
      const decoder = new FrameDecoder();
      socket.on('data', (chunk) => {
        for (const payload of decoder.push(chunk)) {
          resolve(JSON.parse(payload.toString()));
          socket.destroy();
        }
      });
      socket.on('error', reject);
    });
    expect(reply).toEqual({ echo: { kind: 'Heartbeat', epoch: 1 } });
    expect(peerMessages).toEqual([{ kind: 'Heartbeat', epoch: 1 }]);

    // the master is demoted while a client holds a seat: its next heartbeat is redirected and
    // the client moves its seat to the member named (here a third server acting as new master)
    const held = await checkout([{ host: '127.0.0.1', port: master.address.port }], request('ivan', 'Redundant'));
    if (held.kind !== 'granted') throw new Error('expected a grant');
    const successor = await start(path.join(temp.dir, 't'), {
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      as: '127.0.0.3',
      triad: parts({ role: () => successorRole, master: () => successorPointsTo, onChange: () => () => {}, failoverMs: () => 0, term: () => 1 }),
    });
    const moved = new Promise((resolve) => held.license.on('resumed', resolve));
    masterPointsTo = { host: '127.0.0.3', port: successor.address.port };
    masterRole = 'standby';
    expect(await moved).toEqual({ host: '127.0.0.3', port: successor.address.port });
    expect(successor.status().features[0].inUse).toBe(1);
    await held.license.checkin();
    expect(successor.status().features[0].inUse).toBe(0);

    // a checkin that reaches a member no longer master follows its redirect: the seat is returned
    // at the new master at once instead of waiting for its timeout
    const judy = await checkout([{ host: '127.0.0.3', port: successor.address.port }], request('judy', 'Redundant'));
    if (judy.kind !== 'granted') throw new Error('expected a grant');
    masterRole = 'master';
    masterPointsTo = null;
    successorRole = 'standby';
    successorPointsTo = { host: '127.0.0.1', port: master.address.port };
    await judy.license.checkin();
    const judyAtMaster = () => master.store.reportLog.query({}).filter((row) => row.user === 'judy').map((row) => row.event);
    // report rows are written in the next group commit
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(judyAtMaster()).toEqual(['OUT', 'IN']);
  });

  it('a triad master refuses a grant its log cannot make durable, frees the seat and writes no OUT row for it', async () => {
    const servers = ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((host) => ({ host, hostid: TEST_HOSTID, port: 27000 }));
    const license = writeSignedLicense(temp.dir, { servers, features: [{ name: 'Fragile', count: 1 }] }, 'fragile.lic');
    let failing = true;
    const backend = await start(path.join(temp.dir, 'fragile'), {
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      as: '127.0.0.1',
      // a LeaseLog that can fail, like a triad that lost its quorum while replicating
      triad: (context) => {
        const durable = storeLeaseLog(context.store, context.writer, '127.0.0.1');
        return {
          gate: { role: () => 'master', master: () => null, onChange: () => () => {}, failoverMs: () => 0, term: () => 1 },
          log: {
            recover: durable.recover,
            replicated: true,
            commit: (op) => (failing && op.kind === 'grant' ? Promise.reject(new Error('quorum lost')) : durable.commit(op)),
          },
          peerHook: () => {},
          stop: async () => {},
        };
      },
    });
    const server = { host: '127.0.0.1', port: backend.address.port };
    const refused = await checkout([server], request('kim', 'Fragile'));
    expect(refused.kind).not.toBe('granted');
    expect(JSON.stringify(refused)).toContain('could not be made durable (quorum lost)');
    expect(backend.status().features[0].inUse).toBe(0);
    // the seat was not kept: once the log works again the same feature is granted, with its OUT row
    failing = false;
    const granted = await checkout([server], request('kim', 'Fragile'));
    expect(granted.kind).toBe('granted');
    if (granted.kind === 'granted') await granted.license.checkin();
    await eventually(() => backend.store.reportLog.query({}).filter((row) => row.user === 'kim').length === 2, 2_000);
    expect(backend.store.reportLog.query({}).filter((row) => row.user === 'kim').map((row) => row.event)).toEqual(['OUT', 'IN']);
  });

  it('a single server whose store refuses a grant refuses the client and writes no OUT row (the row is in the grant\'s own write)', async () => {
    const license = writeSignedLicense(
      temp.dir,
      { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Brittle', count: 1 }] },
      'brittle.lic',
    );
    const dataDir = path.join(temp.dir, 'brittle', 'data');
    const backend = await start(path.join(temp.dir, 'brittle'), { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    // another connection to the same database makes every new lease row fail, as a broken disk would
    const saboteur = new Database(path.join(dataDir, databaseFile));
    saboteur.exec("CREATE TRIGGER refuse_leases BEFORE INSERT ON leases BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    const server = { host: '127.0.0.1', port: backend.address.port };
    const refused = await checkout([server], request('lou', 'Brittle'));
    expect(JSON.stringify(refused)).toContain('could not be made durable (disk says no)');
    expect(backend.status().features[0].inUse).toBe(0);
    expect(backend.store.reportLog.query({}).filter((row) => row.user === 'lou')).toEqual([]);
    saboteur.exec('DROP TRIGGER refuse_leases');
    saboteur.close();
    const granted = await checkout([server], request('lou', 'Brittle'));
    expect(granted.kind).toBe('granted');
    if (granted.kind === 'granted') await granted.license.checkin();
    await eventually(() => backend.store.reportLog.query({}).filter((row) => row.user === 'lou').length === 2, 2_000);
    expect(backend.store.reportLog.query({}).filter((row) => row.user === 'lou').map((row) => row.event)).toEqual(['OUT', 'IN']);
  });

  it('a single server whose disk fails an fsync refuses the grant and stops, saying why', async () => {
    const license = writeSignedLicense(
      temp.dir,
      { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Shaky', count: 1 }] },
      'shaky.lic',
    );
    const dir = path.join(temp.dir, 'shaky');
    const real = openStore(path.join(dir, 'data'));
    // the commit goes through; the fsync after it fails, as on a disk with a write error
    const store: Store = { ...real, syncLog: () => Promise.reject(new Error('EIO: i/o error, fdatasync')) };
    const backend = await createBackend({
      dataDir: path.join(dir, 'data'),
      store,
      hostid: TEST_HOSTID,
      port: 0,
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
    });
    const stopped = backend.stopped;
    const refused = await checkout([{ host: '127.0.0.1', port: backend.address.port }], request('sam', 'Shaky'));
    expect(refused.kind).not.toBe('granted');
    expect(JSON.stringify(refused)).toContain('EIO: i/o error, fdatasync');
    // the seat held while the grant was written is given back, not leaked
    expect(backend.status().features[0]?.inUse).toBe(0);
    expect(await stopped).toContain('fsync of the database failed: EIO');
    expect(real.debugLog.query({ text: 'Cannot make license grants durable' })).toHaveLength(1);
    real.close();
  });

  it("writes lmgrd's periodic TIMESTAMP line to the debug log", async () => {
    const license = writeSignedLicense(
      temp.dir,
      { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Dated', count: 1 }] },
      'dated.lic',
    );
    const backend = await start(path.join(temp.dir, 'dated'), {
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      timestampIntervalMs: 50,
    });
    const today = new Date();
    const expected = `TIMESTAMP ${today.getMonth() + 1}/${today.getDate()}/${today.getFullYear()}`;
    await eventually(() => backend.store.debugLog.query({ daemon: 'lmgrd', text: 'TIMESTAMP' }).length >= 2, 5_000);
    expect(backend.store.debugLog.query({ text: 'TIMESTAMP' }).map((line) => line.message)[0]).toBe(expected);
  });

  it('a held license survives a server restart on the same port: same lease, no second seat', async () => {
    const dir = path.join(temp.dir, 'restart');
    const license = writeSignedLicense(
      temp.dir,
      { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Sticky', count: 1 }] },
      'restart.lic',
    );
    const first = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    const port = first.address.port;
    const result = await checkout([{ host: '127.0.0.1', port }], request('bob', 'Sticky'));
    expect(result.kind).toBe('granted');
    if (result.kind !== 'granted') return;
    const held = result.license;
    let resumed = false;
    held.on('resumed', () => (resumed = true));
    await first.stop('restart test');
    const second = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath], port });
    await eventually(() => resumed, 5_000);
    expect(held.details.leaseId).toBe(result.license.details.leaseId);
    expect(second.status().features.find((f) => f.name === 'Sticky')?.inUse).toBe(1);
    expect((await checkout([{ host: '127.0.0.1', port }], request('carol', 'Sticky'))).kind).toBe('denied');
    await held.checkin();
    expect(second.status().features.find((f) => f.name === 'Sticky')?.inUse).toBe(0);
  });

  it('writes a report-log row for every checkout, checkin, denial and reclaim', async () => {
    const dir = path.join(temp.dir, 'report');
    const license = writeSignedLicense(
      temp.dir,
      { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Reported', count: 1 }] },
      'report.lic',
    );
    const backend = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    const address = [{ host: '127.0.0.1', port: backend.address.port }];
    const statusEvent = new Promise<number | undefined>((resolve) =>
      backend.events.once('status', (status) => resolve(status.features.find((f) => f.name === 'Reported')?.inUse)),
    );
    const logEvents: string[] = [];
    backend.events.on('log', (line) => logEvents.push(line.message));
    const granted = await checkout(address, request('dave', 'Reported'));
    expect(await statusEvent).toBe(1);
    await eventually(() => logEvents.includes('OUT: "Reported" dave@ws'), 2_000);
    expect((await checkout(address, request('erin', 'Reported'))).kind).toBe('denied');
    if (granted.kind === 'granted') await granted.license.checkin();
    // a client that vanishes without checkin: reclaimed after 3 x 300 ms
    const raw = await ServerConnection.open(address[0]);
    await raw.request({ type: 'checkout', ...request('frank', 'Reported') });
    raw.close();
    await eventually(() => backend.store.reportLog.query({ feature: 'Reported' }).some((r) => r.event === 'RECLAIM'), 5_000);
    const events = backend.store.reportLog.query({ feature: 'Reported' }).map((r) => `${r.event} ${r.user}`);
    expect(events).toEqual(['OUT dave', 'DENIED erin', 'IN dave', 'OUT frank', 'RECLAIM frank']);

    // admin commands, refused or carried out, land in the audit table
    await sendAdminRequest(address, { type: 'lmreread', token: 'wrong' }, { agent: 'audit test' });
    await backend.admin({ type: 'lmreread' });
    await eventually(() => backend.store.audit.recent(10).length === 2, 2_000);
    const audit = backend.store.audit.recent(10).map((a) => `${a.action} by ${a.who}`);
    expect(audit).toEqual([expect.stringMatching(/^lmreread by /), 'lmreread refused by audit test']);
  });

  it('does not serve features bound to another host id or without a trusted signature, and says why', async () => {
    const dir = path.join(temp.dir, 'unserved');
    const license = writeSignedLicense(
      temp.dir,
      {
        servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
        features: [
          { name: 'Here', count: 1 },
          { name: 'Elsewhere', count: 1, attributes: ['HOSTID=112233445566'] },
        ],
      },
      'unserved.lic',
    );
    const trusted = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    const features = trusted.status().features;
    expect(features.find((f) => f.name === 'Here')).toMatchObject({ served: true });
    expect(features.find((f) => f.name === 'Elsewhere')).toMatchObject({ served: false, notServedReason: expect.stringContaining('112233445566') });
    const denied = await checkout([{ host: '127.0.0.1', port: trusted.address.port }], request('gina', 'Elsewhere'));
    expect(denied).toMatchObject({ kind: 'denied', reason: expect.stringContaining('hostid') });
    await trusted.stop('next case');

    const otherMachine = await start(path.join(temp.dir, 'other'), {
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      hostid: '999999999999',
    });
    expect(otherMachine.status().features.find((f) => f.name === 'Here')).toMatchObject({
      served: false,
      notServedReason: expect.stringContaining(`the SERVER line for 127.0.0.1 is bound to hostid ${TEST_HOSTID}`),
    });
    await otherMachine.stop('next case');

    const untrusted = await start(path.join(temp.dir, 'untrusted'), { licensePath: license.licensePath, trustFiles: [] });
    const status = untrusted.status();
    expect(status.features.every((f) => !f.served)).toBe(true);
    expect(status.vendors).toEqual([expect.objectContaining({ name: 'ibmratl', up: false, problem: 'No features to serve' })]);
    // log rows are group-committed on the next event-loop turn
    await eventually(() => untrusted.store.debugLog.query({ text: 'no trusted public key for vendor ibmratl' }).length === 2, 2_000);
  });

  it('refuses a feature whose count was raised by hand after signing, and says why', async () => {
    const dir = path.join(temp.dir, 'tampered');
    const license = writeSignedLicense(dir, {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [
        { name: 'Honest', count: 2 },
        { name: 'Greedy', count: 2 },
      ],
    });
    const text = readFileSync(license.licensePath, 'utf8');
    const tampered = text.replace(/^(INCREMENT Greedy ibmratl 1\.0 permanent) 2\b/m, '$1 200');
    expect(tampered).not.toBe(text);
    writeFileSync(license.licensePath, tampered);
    const backend = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    const features = backend.status().features;
    expect(features.find((f) => f.name === 'Honest')).toMatchObject({ served: true, issued: 2 });
    expect(features.find((f) => f.name === 'Greedy')).toMatchObject({ served: false, notServedReason: expect.stringMatching(/signature/i) });
    const denied = await checkout([{ host: '127.0.0.1', port: backend.address.port }], request('mallory', 'Greedy'));
    expect(denied).toMatchObject({ kind: 'denied' });
  });

  it('sends a status snapshot larger than the 64 KiB request limit', async () => {
    const dir = path.join(temp.dir, 'big');
    const features = Array.from({ length: 600 }, (_, i) => ({ name: `Feature_${String(i).padStart(4, '0')}_with_a_long_name`, count: 5 }));
    const license = writeSignedLicense(dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features });
    const backend = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    expect(JSON.stringify(backend.status()).length).toBeGreaterThan(64 * 1024);
    const outcome = await queryStatus([{ host: '127.0.0.1', port: backend.address.port }]);
    expect(outcome.kind === 'status' && outcome.status.features.length).toBe(600);
  });

  it('honours TIMEOUTALL from the options file instead of three missed heartbeats', async () => {
    const dir = path.join(temp.dir, 'timeout');
    const license = writeSignedLicense(dir, {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [{ name: 'Slow', count: 1 }],
      options: 'TIMEOUTALL 2\n',
    });
    const backend = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    const address = { host: '127.0.0.1', port: backend.address.port };
    const raw = await ServerConnection.open(address);
    const granted = await raw.request({ type: 'checkout', ...request('silent', 'Slow') });
    expect(granted).toMatchObject({ type: 'granted', timeoutMs: 2000 });
    raw.close();
    const inUse = () => backend.status().features.find((f) => f.name === 'Slow')?.inUse;
    // three missed 300 ms heartbeats would free it after 900 ms; TIMEOUTALL keeps it for 2 s
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(inUse()).toBe(1);
    await eventually(() => inUse() === 0, 3_000);
  });

  it('starts with an options file it cannot read whole, and says so loudly in the debug log and the status (issue 15)', async () => {
    const dir = path.join(temp.dir, 'broken-options');
    const license = writeSignedLicense(dir, {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [{ name: 'Guarded', count: 2 }],
      options: 'EXCLUDE Guarded USER\nEXCLUDE Guarded USER mallory\n',
    });
    const backend = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    const address = [{ host: '127.0.0.1', port: backend.address.port }];
    expect(await checkout(address, request('mallory', 'Guarded'))).toMatchObject({ kind: 'denied' });
    expect(backend.status().optionsProblems).toEqual([
      expect.objectContaining({ severity: 'error', file: path.join(dir, 'ibmratl.opt'), line: 1, column: 1, message: expect.stringMatching(/EXCLUDE line is ignored/) }),
    ]);
    await eventually(() => backend.store.debugLog.query({ daemon: 'ibmratl', text: 'ibmratl.opt:1:1: error:' }).length === 1, 2_000);
    const status = await queryStatus(address);
    expect(status.kind === 'status' && status.status.optionsProblems).toHaveLength(1);
  });

  it('applies the options file beside the license (EXCLUDE) and honours LINGER', async () => {
    const dir = path.join(temp.dir, 'options');
    const license = writeSignedLicense(dir, {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }],
      features: [{ name: 'Opt', count: 2, attributes: ['LINGER=1'] }],
      options: 'EXCLUDE Opt USER mallory\n',
    });
    const backend = await start(dir, { licensePath: license.licensePath, trustFiles: [license.publicKeyPath] });
    const address = [{ host: '127.0.0.1', port: backend.address.port }];
    expect(await checkout(address, request('mallory', 'Opt'))).toMatchObject({ kind: 'denied', reason: expect.stringContaining('EXCLUDE') });
    const granted = await checkout(address, request('henry', 'Opt'));
    if (granted.kind !== 'granted') throw new Error('expected a grant');
    await granted.license.checkin();
    const inUse = () => backend.status().features.find((f) => f.name === 'Opt')?.inUse;
    expect(inUse()).toBe(1); // lingering
    await eventually(() => inUse() === 0, 4_000);
    const status = await queryStatus(address);
    expect(status.kind).toBe('status');
  });
});
