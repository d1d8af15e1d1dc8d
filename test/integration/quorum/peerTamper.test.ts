import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, MAX_REPLY_FRAME_BYTES } from '../../../src/core/protocol';
import type { QuorumConfig, Rank } from '../../../src/core/quorum';
import { defaultListenerLimits, LicenseListener, type RequestHandler } from '../../../src/core/server/licensing/listener';
import { TriadDriver } from '../../../src/core/server/triad/triadDriver';
import { systemClock } from '../../../src/core/server/runtime';
import { TcpPeerNetwork } from '../../../src/core/server/triad/tcpPeerNetwork';
import type { MasterAddress } from '../../../src/core/server/seams';
import { openStore } from '../../../src/core/store';
import { makeTempDir } from '../../support/tempDir';

/**
 * Issue 20, hole 3: a frame altered on an authenticated peer link (a man in the middle, a bad
 * NIC) used to crash the member that received it ("the peer link is not authenticated yet at
 * PeerChannel.seal": the driver kept sending on the failed channel). The link must be dropped
 * and dialled again, the member running on.
 */

const hosts = ['alpha', 'bravo', 'charlie'] as const;
const SECRET = 'c3'.repeat(32);
const peersOnly: RequestHandler = {
  handle: async (request) => ({ type: 'refused', id: 'id' in request ? request.id : 0, reason: 'peers only' }),
  describe: () => ({ server: 'test', port: 0, serverVersion: 'v0' }),
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Forwards one member's port; while `tamper` is set it flips one hex digit in the seal of the
 * next sealed frame the dialer sends (the frame keeps its length and stays JSON).
 */
async function tamperingProxy(target: MasterAddress): Promise<{ address: MasterAddress; tamperNext(): Promise<void> }> {
  let armed: (() => void) | null = null;
  const server = net.createServer((inbound) => {
    // a man in the middle need not pass on the member's FIN: the member must not rely on it
    const outbound = net.connect({ ...target, allowHalfOpen: true });
    const decoder = new FrameDecoder(MAX_REPLY_FRAME_BYTES);
    inbound.on('data', (chunk) => {
      for (const payload of decoder.push(chunk)) {
        const frame = JSON.parse(payload.toString('utf8')) as { type?: string; mac?: string };
        if (armed && frame.type === 'sealed' && frame.mac) {
          frame.mac = (frame.mac[0] === '0' ? '1' : '0') + frame.mac.slice(1);
          armed();
          armed = null;
        }
        outbound.write(encodeFrame(frame, MAX_REPLY_FRAME_BYTES));
      }
    });
    outbound.pipe(inbound, { end: false });
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('close', close);
    outbound.on('close', close);
    inbound.on('error', () => {});
    outbound.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    address: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port },
    tamperNext: () => new Promise<void>((resolve) => (armed = resolve)),
  };
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a tampered frame on an authenticated peer link', () => {
  it('drops that link and keeps the member running; the link is dialled again and the quorum goes on', async () => {
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.prependListener('uncaughtException', onCrash);
    cleanups.push(() => void process.off('uncaughtException', onCrash));
    const temp = makeTempDir('triad-tamper-');
    cleanups.push(temp.remove);
    const listeners = hosts.map(() => new LicenseListener(peersOnly, defaultListenerLimits, { problem: () => {} }));
    const ports = await Promise.all(listeners.map((listener) => listener.listen(0, '127.0.0.1')));
    const real = ports.map((port): MasterAddress => ({ host: '127.0.0.1', port }));
    // the primary reaches the tertiary through the tampering proxy
    const proxy = await tamperingProxy(real[2]!);
    const debug: string[][] = [[], [], []];
    const drivers = ([0, 2] as Rank[]).map((rank) => {
      const store = openStore(`${temp.dir}/${hosts[rank]}`);
      const config: QuorumConfig = {
        self: rank,
        hosts,
        memberKeys: hosts,
        newTriadId: `tamper-${rank}`,
        heartbeatIntervalMs: 1000,
        driftBound: 0.01,
        primaryIsMaster: false,
        identity: { licenseHash: 'same-file', serverOrder: [...hosts] },
        auth: '',
        daemons: { lmgrd: 'lmgrd', vendor: 'ibmratl' },
      };
      const addresses = [real[0]!, real[1]!, proxy.address] as const;
      const log = (daemon: string, message: string) => debug[rank]!.push(`(${daemon}) ${message}`);
      const network = new TcpPeerNetwork({ self: rank, hosts, addresses, heartbeatIntervalMs: 1000, secret: SECRET, debug: log });
      const driver = new TriadDriver({
        store,
        config,
        addresses,
        network,
        clock: systemClock,
        debug: log,
        requestShutdown: () => {},
        reread: () => {},
        installLicense: () => {},
      });
      listeners[rank]!.setPeerHook(network.peerHook);
      driver.start();
      cleanups.push(async () => {
        listeners[rank]!.setPeerHook(null);
        driver.stop();
        await listeners[rank]!.close(null);
        store.close();
      });
      return driver;
    });
    const [primary, tertiary] = drivers as [TriadDriver, TriadDriver];
    await waitFor(() => primary.role() === 'master' && tertiary.role() === 'standby', 10_000);

    await proxy.tamperNext();
    await waitFor(() => debug[2]!.some((line) => /Refused redundant server connection .*seal does not match/.test(line)), 3_000);
    // the tertiary has something to send at once (an lmreread typed there), before the link is gone
    tertiary.rereadAll();
    // the tertiary dropped the link (it did not crash sending on it) and the primary dials again
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await waitFor(() => primary.role() === 'master' && tertiary.role() === 'standby', 8_000);
    await primary.commit({
      kind: 'grant',
      lease: {
        leaseId: 'L1', poolKey: 'f1', feature: 'f1', vendor: 'ibmratl', version: '1.0', user: 'ann', host: 'ws1', display: ':0', ip: '127.0.0.9',
        project: null, count: 1, grantedAt: 1, resumeToken: 'token-L1', clientId: 'c1', server: 'alpha', handle: 1, lingerSeconds: 0, lingerUntilMs: null,
      },
    });
    expect(crashes).toEqual([]);
  }, 30_000);
});
