import { afterEach, describe, expect, it } from 'vitest';
import type { Lease } from '../../../src/core/pool';
import type { QuorumConfig, Rank } from '../../../src/core/quorum';
import { defaultListenerLimits, LicenseListener, type RequestHandler } from '../../../src/core/server/listener';
import { TriadDriver } from '../../../src/core/server/peerTriad';
import type { MasterAddress } from '../../../src/core/server/seams';
import { openStore, type Store } from '../../../src/core/store';
import { makeTempDir } from '../../support/tempDir';

/**
 * Three triad drivers in one process over real TCP on 127.0.0.1, each behind its own license
 * listener and store: election, replication of a seat, failover with the seat intact, and a
 * restarted primary rejoining as standby. (Three `triad serve` processes are the next step.)
 */

const hosts = ['alpha', 'bravo', 'charlie'] as const;
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
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function triad() {
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
  }));
  const start = (member: Member, auth = 'cluster-proof') => {
    const config: QuorumConfig = {
      self: member.rank,
      hosts,
      heartbeatIntervalMs: 1000,
      driftBound: 0.01,
      primaryIsMaster: false,
      identity,
      auth,
      daemons: { lmgrd: 'lmgrd', vendor: 'ibmratl' },
    };
    const driver = new TriadDriver({
      store: member.store,
      config,
      addresses,
      now: () => Date.now(),
      debug: (daemon, message) => member.debug.push(`(${daemon}) ${message}`),
      requestShutdown: () => {},
      reread: () => {},
      installLicense: () => {},
    });
    member.listener.setPeerHook(driver.peerHook);
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
  return { members, start, stop };
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
    expect(s.debug).toEqual([]);

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

  it('keeps a member without the cluster secret out of the quorum', async () => {
    const { members, start, stop } = await triad();
    const [p, s, t] = members;
    start(p);
    start(s);
    start(t, 'another-cluster');
    await waitFor(() => p.driver!.role() === 'master', 10_000);
    stop(s);
    // the primary's lease runs out and the tertiary cannot renew it
    await waitFor(() => p.driver!.role() === 'no-quorum', 8000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(p.driver!.role()).toBe('no-quorum');
  }, 60_000);
});
