import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lease } from '../../../src/core/pool';
import type { QuorumConfig, QuorumMachine, Rank } from '../../../src/core/quorum';
import { defaultListenerLimits, LicenseListener, type RequestHandler } from '../../../src/core/server/licensing/listener';
import { TriadDriver } from '../../../src/core/server/triad/triadDriver';
import { TcpPeerNetwork } from '../../../src/core/server/triad/tcpPeerNetwork';
import { systemClock } from '../../../src/core/server/runtime';
import type { MasterAddress } from '../../../src/core/server/seams';
import { openStore, type Store } from '../../../src/core/store';
import { makeTempDir } from '../../support/tempDir';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { encodeFrame, FrameDecoder } from '../../../src/core/protocol';
import { PeerChannel } from '../../../src/core/server/triad/peerAuth';

/** A raw connection that says it is a peer and sends `frames`; what came back, and whether it was cut. */
async function rawPeer(port: number, frames: unknown[]): Promise<{ frames: unknown[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const decoder = new FrameDecoder(16 * 1024 * 1024);
    const received: unknown[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ frames: received, closed: false });
    }, 3_000);
    socket.on('connect', () => {
      socket.write(encodeFrame({ type: 'hello', version: 1, role: 'peer', agent: 'intruder' }));
      for (const frame of frames) socket.write(encodeFrame(frame, 16 * 1024 * 1024));
    });
    socket.on('data', (chunk) => received.push(...decoder.push(chunk).map((payload) => JSON.parse(payload.toString('utf8')) as unknown)));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ frames: received, closed: true });
    });
  });
}

/** The frames a genuine dialer sends in a completed handshake with the cluster secret. */
function recordHandshake(self: Rank, peer: Rank): unknown[] {
  const sent: unknown[] = [];
  const answered: unknown[] = [];
  const dialer = new PeerChannel({ secret: CLUSTER_SECRET, role: 'dialer', self, peer, send: (frame) => sent.push(frame) });
  const listener = new PeerChannel({ secret: CLUSTER_SECRET, role: 'listener', self: peer, send: (frame) => answered.push(frame) });
  listener.start();
  dialer.start();
  listener.receive(sent[0]);
  dialer.receive(answered[0]);
  return [...sent, dialer.seal({ type: 'heartbeat', epoch: 99, commitIndex: 0, sentAt: 0, master: true, licenseHash: 'same-file', serverOrder: [...hosts] })];
}

/**
 * Three triad drivers in one process over real TCP on 127.0.0.1, each behind its own license
 * listener and store: election, replication of a seat, failover with the seat intact, and a
 * restarted primary rejoining as standby. (Three `triad serve` processes are the next step.)
 */

const hosts = ['alpha', 'bravo', 'charlie'] as const;
const CLUSTER_SECRET = 'a1'.repeat(32);
const OTHER_SECRET = 'b2'.repeat(32);
const identity = { licenseHash: 'same-file', serverOrder: [...hosts] };

const peersOnly: RequestHandler = {
  handle: async (request) => ({ type: 'refused', id: 'id' in request ? request.id : 0, reason: 'peers only' }),
  describe: () => ({ server: 'test', port: 0, serverVersion: 'v0' }),
};

interface Member {
  rank: Rank;
  store: Store;
  listener: LicenseListener;
  driver: TriadDriver | null;
  debug: string[];
  /** Reasons the driver asked its server to stop for. */
  shutdowns: string[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function triad(tuning: Pick<QuorumConfig, 'logMemoryEntries' | 'snapshots'> = {}) {
  const temp = makeTempDir('triad-peer-');
  cleanups.push(temp.remove);
  const listeners = hosts.map(() => new LicenseListener(peersOnly, defaultListenerLimits, { problem: () => {} }));
  const ports = await Promise.all(listeners.map((listener) => listener.listen(0, '127.0.0.1')));
  const [a, b, c] = ports.map((port): MasterAddress => ({ host: '127.0.0.1', port }));
  const addresses = [a, b, c] as const;
  const members: Member[] = ([0, 1, 2] as const).map((rank) => ({
    rank,
    store: openStore(`${temp.dir}/${hosts[rank]}`),
    listener: listeners[rank],
    driver: null,
    debug: [],
    shutdowns: [],
  }));
  const start = (member: Member, secret: string = CLUSTER_SECRET) => {
    const config: QuorumConfig = {
      self: member.rank,
      hosts,
      memberKeys: hosts,
      newTriadId: `triad-of-${hosts[member.rank]}`,
      heartbeatIntervalMs: 1000,
      driftBound: 0.01,
      primaryIsMaster: false,
      identity,
      auth: '',
      daemons: { lmgrd: 'lmgrd', vendor: 'ibmratl' },
      ...tuning,
    };
    const debug = (daemon: string, message: string) => member.debug.push(`(${daemon}) ${message}`);
    const network = new TcpPeerNetwork({ self: member.rank, hosts, addresses, heartbeatIntervalMs: config.heartbeatIntervalMs, secret, debug });
    const driver = new TriadDriver({
      store: member.store,
      config,
      addresses,
      network,
      clock: systemClock,
      debug,
      requestShutdown: (reason) => member.shutdowns.push(reason),
      reread: () => {},
      installLicense: () => {},
    });
    member.listener.setPeerHook(network.peerHook);
    driver.start();
    member.driver = driver;
  };
  const stop = (member: Member) => {
    member.listener.setPeerHook(null);
    member.driver?.stop();
    member.driver = null;
  };
  cleanups.push(async () => {
    for (const member of members) {
      stop(member);
      await member.listener.close(null);
      member.store.close();
    }
  });
  return { members, start, stop, addresses };
}

async function waitFor<T>(probe: () => T | null | undefined | false, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const lease = (leaseId: string): Lease => ({
  leaseId,
  poolKey: 'f1',
  feature: 'f1',
  vendor: 'ibmratl',
  version: '1.0',
  user: 'ann',
  host: 'ws1',
  display: ':0',
  ip: '127.0.0.9',
  project: null,
  count: 1,
  grantedAt: 1,
  resumeToken: `token-${leaseId}`,
  clientId: 'c1',
  server: 'alpha',
  handle: 1,
  lingerSeconds: 0,
  lingerUntilMs: null,
});

describe('triad driver over real sockets', () => {
  it('elects the primary, replicates a seat, fails over with the seat kept, and takes the primary back as standby', async () => {
    const { members, start, stop } = await triad();
    const [p, s, t] = members;
    for (const member of members) start(member);
    await waitFor(() => p.driver!.role() === 'master', 10_000);
    expect(s.driver!.role()).toBe('standby');
    expect(t.driver!.role()).toBe('standby');
    expect(s.driver!.master()).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(p.debug).toContain('(lmgrd) Redundant server quorum established. Master is alpha');
    // a standby writes only its own quorum events (quorumEvents.ts), none of the master's lines
    expect(s.debug.filter((line) => !line.startsWith('(lmgrd) Quorum: '))).toEqual([]);

    await p.driver!.commit({ kind: 'grant', lease: lease('L1') });
    await waitFor(() => s.store.leases.get('L1') && t.store.leases.get('L1'), 3000);
    await expect(s.driver!.commit({ kind: 'checkin', leaseId: 'L1', atMs: 2 })).rejects.toThrow(/Not the master: the master is alpha/);

    stop(p);
    const killedAt = Date.now();
    await waitFor(() => s.driver!.role() === 'master', 8000);
    expect(Date.now() - killedAt).toBeLessThan(5000);
    expect(s.driver!.recover().map((held) => held.leaseId)).toEqual(['L1']);

    start(p);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(s.driver!.role()).toBe('master');
    expect(p.driver!.role()).toBe('standby');
    expect(p.store.leases.get('L1')?.leaseId).toBe('L1');
  }, 60_000);

  it('a member whose quorum-log commit fails sends nothing of that turn, takes no further part and asks to stop', async () => {
    const { members, start } = await triad();
    const [p, s, t] = members;
    for (const member of members) start(member);
    await waitFor(() => p.driver!.role() === 'master' && s.driver!.role() === 'standby' && t.driver!.role() === 'standby', 10_000);
    await p.driver!.commit({ kind: 'grant', lease: lease('L1') });
    await waitFor(() => s.store.leases.get('L1') && t.store.leases.get('L1'), 3000);

    // the secondary's disk fails: its next commit throws, as a COMMIT whose fsync fails does
    (s.store as { transaction: Store['transaction'] }).transaction = () => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_FSYNC' });
    };
    await p.driver!.commit({ kind: 'grant', lease: lease('L2') });
    await waitFor(() => s.shutdowns.length > 0, 3000);
    expect(s.shutdowns).toEqual(['writing the quorum log failed: disk I/O error']);
    expect(s.debug).toContainEqual(
      expect.stringMatching(/^\(lmgrd\) Cannot make license grants durable: writing the quorum log failed: disk I\/O error\. Stopping; check the disk of /),
    );
    expect(s.driver!.role()).toBe('no-quorum');
    await expect(s.driver!.commit({ kind: 'checkin', leaseId: 'L1', atMs: 3 })).rejects.toThrow('could not be made durable');
    // the master carried on with the tertiary: more seats commit and reach its lease table
    await p.driver!.commit({ kind: 'grant', lease: lease('L3') });
    await waitFor(() => t.store.leases.get('L2') && t.store.leases.get('L3'), 3000);
    // what the failed turn decided never reached the disk, and the member stopped stepping
    expect(s.store.leases.get('L2')).toBeNull();
    expect(s.store.leases.get('L3')).toBeNull();
  }, 30_000);

  it('refuses an op asked of a stopped driver at once instead of leaving it waiting', async () => {
    const { members, start } = await triad();
    const [p] = members;
    start(p);
    const driver = p.driver!;
    driver.stop();
    await expect(driver.commit({ kind: 'grant', lease: lease('late') })).rejects.toThrow('The license server is stopping.');
    await expect(driver.distributeLicense({}, identity)).rejects.toThrow('The license server is stopping.');
  }, 10_000);

  it('says "master" only after telling its listeners, never in the turn that made it master', async () => {
    // the licensing service reloads its seats when told; a "master" before that, even for the
    // rest of one event-loop turn, would let a checkout be granted from stale seats and lost
    let told = false;
    let seenEarly = false;
    const receive = (TriadDriver.prototype as unknown as { receive: (...args: unknown[]) => void }).receive;
    const spy = vi.spyOn(TriadDriver.prototype as unknown as { receive: (...args: unknown[]) => void }, 'receive').mockImplementation(function (
      this: TriadDriver,
      ...args
    ) {
      receive.apply(this, args);
      // right after a peer message was handled, still inside its turn
      if (this === members[0].driver && this.role() === 'master' && !told) seenEarly = true;
    });
    cleanups.push(() => spy.mockRestore());
    const { members, start } = await triad();
    const [p, s, t] = members;
    start(p);
    p.driver!.onChange(() => {
      if (p.driver!.role() === 'master') told = true;
    });
    start(s);
    start(t);
    await waitFor(() => p.driver!.role() === 'master', 10_000);
    expect(told).toBe(true);
    expect(seenEarly).toBe(false);
  }, 30_000);

  it('keeps only the newest log entries in memory: a lagging member, a restart and a failover still see every seat', async () => {
    const { members, start, stop } = await triad({ logMemoryEntries: 4 });
    const [p, s, t] = members;
    for (const member of members) start(member);
    await waitFor(() => p.driver!.role() === 'master', 10_000);
    const heldIds = (member: Member) => member.store.leases.list().map((held) => held.leaseId).sort();
    const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `L${String(from + i).padStart(2, '0')}`);

    for (const id of ids(1, 30)) await p.driver!.commit({ kind: 'grant', lease: lease(id) });
    for (const id of ids(1, 10)) await p.driver!.commit({ kind: 'checkin', leaseId: id, atMs: 5 });
    await waitFor(() => heldIds(t).length === 20 && heldIds(s).length === 20, 3000);

    // the tertiary misses 20 grants; the master reads what left its memory back from its store
    stop(t);
    for (const id of ids(31, 50)) await p.driver!.commit({ kind: 'grant', lease: lease(id) });
    expect(p.store.quorum.last()!.idx).toBeGreaterThan(50);
    // the master holds only the newest few entries in memory (the driver's engine, looked into)
    const engine = (member: Member) => (member.driver as unknown as { machine: QuorumMachine }).machine;
    expect(engine(p).state.log.firstInMemory).toBeGreaterThan(p.store.quorum.last()!.idx - 8);
    start(t);
    await waitFor(() => heldIds(t).length === 40, 5000);
    expect(heldIds(t)).toEqual(ids(11, 50));

    // a restart loads only the newest entries and keeps the lease table it wrote with them
    stop(s);
    start(s);
    await waitFor(() => s.driver!.role() === 'standby', 5000);
    // the master confirms the returning member's log at once, so it learns the newest commits too
    await waitFor(() => heldIds(s).length === 40, 3000);
    expect(heldIds(s)).toEqual(ids(11, 50));

    // the secondary takes over with every seat
    stop(p);
    await waitFor(() => s.driver!.role() === 'master', 8000);
    expect(s.driver!.recover().map((held) => held.leaseId).sort()).toEqual(ids(11, 50));
    await s.driver!.commit({ kind: 'checkin', leaseId: 'L11', atMs: 9 });
    await waitFor(() => heldIds(t).length === 39, 3000);
  }, 60_000);

  it('compacts every member\'s log, and a member started on an empty data folder catches up from a snapshot sent in frames', async () => {
    const { members, start, stop } = await triad({ logMemoryEntries: 4, snapshots: { compactAfterEntries: 10, keepEntries: 2, chunkBytes: 2000 } });
    const [p, s, t] = members;
    for (const member of members) start(member);
    await waitFor(() => p.driver!.role() === 'master' && t.driver!.role() === 'standby', 10_000);
    const heldIds = (member: Member) => member.store.leases.list().map((held) => held.leaseId).sort();
    const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `L${String(from + i).padStart(2, '0')}`);
    for (const id of ids(1, 40)) await p.driver!.commit({ kind: 'grant', lease: lease(id) });
    for (const id of ids(1, 10)) await p.driver!.commit({ kind: 'checkin', leaseId: id, atMs: 5 });
    await waitFor(() => heldIds(t).length === 30 && heldIds(s).length === 30, 3000);
    // every member compacted on its own: no more than the threshold and what followed stays on disk
    for (const member of members) {
      expect(member.store.quorum.snapshot().index).toBeGreaterThan(30);
      expect(member.store.quorum.readFrom(1).length).toBeLessThanOrEqual(12);
    }

    // the tertiary's data folder is replaced by an empty one
    stop(t);
    t.store.close();
    rmSync(t.store.dataDir, { recursive: true, force: true });
    t.store = openStore(t.store.dataDir);
    start(t);
    await waitFor(() => heldIds(t).length === 30 && !t.store.quorum.state().learner, 10_000);
    expect(heldIds(t)).toEqual(ids(11, 40));
    expect(t.debug).toContainEqual(expect.stringMatching(/^\(lmgrd\) Installed a snapshot from alpha \(30 seat\(s\), log entry \d+\)/));
    expect(t.store.quorum.snapshot().index).toBeGreaterThan(0);
    expect(t.store.quorum.readFrom(1, 1)[0]?.idx ?? Infinity).toBeGreaterThan(1);
    // and replicates on from there
    await p.driver!.commit({ kind: 'grant', lease: lease('L41') });
    await waitFor(() => t.store.leases.get('L41'), 3000);
  }, 60_000);

  it('keeps a member without the cluster secret out of the quorum', async () => {
    const { members, start, stop } = await triad();
    const [p, s, t] = members;
    start(p);
    start(s);
    start(t, OTHER_SECRET);
    await waitFor(() => p.driver!.role() === 'master', 10_000);
    stop(s);
    // the primary's lease runs out and the tertiary cannot renew it
    await waitFor(() => p.driver!.role() === 'no-quorum', 8000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(p.driver!.role()).toBe('no-quorum');
    // both sides say why, once, with what to do
    expect(p.debug.filter((line) => line.includes('does not match our cluster secret'))).toHaveLength(1);
    expect(t.debug.filter((line) => line.includes('import the same cluster secret on all three')).length).toBeGreaterThan(0);
  }, 60_000);

  it('a process without the secret can neither join nor forge a heartbeat, and a replayed handshake is refused', async () => {
    const { members, start, addresses } = await triad();
    const [p, s, t] = members;
    start(p);
    start(s);
    start(t);
    await waitFor(() => p.driver!.role() === 'master' && t.driver!.role() === 'standby', 10_000);
    const tPort = addresses[2];
    const epoch = () => t.store.quorum.state().epoch;
    const before = epoch();

    // forged: a peer hello then quorum messages claiming to be the master, with no handshake
    const forged = await rawPeer(tPort.port, [
      { type: 'hello', rank: 0, licenseHash: identity.licenseHash, serverOrder: identity.serverOrder, epoch: 99, auth: '' },
      { type: 'heartbeat', epoch: 99, commitIndex: 0, sentAt: Date.now(), master: true, licenseHash: identity.licenseHash, serverOrder: identity.serverOrder },
    ]);
    expect(forged.closed).toBe(true);

    // replayed: the dialer's frames of a real handshake, recorded, sent again on a new connection
    const recorded = recordHandshake(0, 2);
    const replayed = await rawPeer(tPort.port, recorded);
    expect(replayed.closed).toBe(true);
    expect(replayed.frames.some((frame) => (frame as { step?: string }).step === 'response')).toBe(true);

    // nothing changed: the same master, the tertiary still its standby, its epoch untouched
    expect(p.driver!.role()).toBe('master');
    expect(t.driver!.role()).toBe('standby');
    expect(epoch()).toEqual(before);
    expect(t.debug.some((line) => /Refused redundant server connection .*cluster-secret handshake/.test(line))).toBe(true);
    expect(t.debug.some((line) => /Refused redundant server connection .*does not match our cluster secret/.test(line))).toBe(true);
  }, 60_000);
});
