import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { MAX_FRAME_BYTES, MAX_REPLY_FRAME_BYTES, PROTOCOL_VERSION } from '../../protocol';
import { RANKS, type Rank } from '../../quorum';
import { FramedConnection } from '../../transport/framedConnection';
import type { PeerHook, PeerLink } from '../triadSeam';
import { PeerChannel, type ChannelEvent } from './peerAuth';
import type { PeerConnection, PeerNetwork, PeerNetworkEvents } from './peerNetwork';
import { peerMessageSchema } from './peerSchema';
import type { MasterAddress } from '../seams';

/**
 * The triad's links over TCP on the license port: each member dials the members ranked after it
 * (P dials S and T, S dials T) with a `peer` hello, so every pair has one connection; a lost link
 * is redialled every heartbeat interval. Every link starts with a mutual challenge over the
 * cluster secret (peerAuth.ts) and every frame on it is sealed: trust by address is no trust,
 * since any process on a member's machine connects from that machine's address.
 */

export interface TcpPeerNetworkOptions {
  self: Rank;
  /** SERVER-line host names by rank, for messages. */
  hosts: readonly [string, string, string];
  /** Where each member's license port is, by rank (SERVER lines). */
  addresses: readonly [MasterAddress, MasterAddress, MasterAddress];
  heartbeatIntervalMs: number;
  /** The cluster secret (hex) that authenticates peer links. A triad never runs without one. */
  secret: string;
  /** Source address for outbound links, so peers see this member's SERVER host. */
  localAddress?: string;
  /**
   * The license ports speak TLS: dial peers with TLS, verifying their certificates against `ca`
   * (the cluster's CA) when given. Who a peer is, is still proven by the cluster secret.
   */
  tls?: { ca?: string } | null;
  debug: (daemon: string, message: string) => void;
}

const REFUSAL_LOG_INTERVAL_MS = 60_000;

export class TcpPeerNetwork implements PeerNetwork {
  private events: PeerNetworkEvents | null = null;
  private readonly connected = new Map<Rank, PeerConnection>();
  private readonly dialing = new Set<Rank>();
  /** Outbound sockets still connecting or in their handshake (stop() cuts them too). */
  private readonly dialSockets = new Set<net.Socket>();
  /** Every socket of an established link, so stop() can cut them. */
  private readonly linkClosers = new Set<() => void>();
  private readonly lastRefusalLogged = new Map<string, number>();
  private dialTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: TcpPeerNetworkOptions) {}

  /** Install on the license listener: peers that dial us arrive here after their hello frame. */
  readonly peerHook: PeerHook = (link) => this.accept(link);

  start(events: PeerNetworkEvents): void {
    this.events = events;
    this.dialMissing();
    this.dialTimer = setInterval(() => this.dialMissing(), this.options.heartbeatIntervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.dialTimer) clearInterval(this.dialTimer);
    this.dialTimer = null;
    for (const close of [...this.linkClosers]) close();
    this.linkClosers.clear();
    for (const socket of this.dialSockets) socket.destroy();
    this.dialSockets.clear();
  }

  warnings(): string[] {
    return [];
  }

  private up(rank: Rank, link: PeerConnection): void {
    if (this.stopped) return link.close();
    this.connected.set(rank, link);
    this.events?.linkUp(rank, link);
  }

  private down(rank: Rank, link: PeerConnection): void {
    if (this.connected.get(rank) === link) this.connected.delete(rank);
    this.events?.linkDown(rank, link);
  }

  /**
   * A link whose channel failed (a forged or replayed frame) is dropped; sending on it is a no-op
   * instead of an exception thrown into the driver.
   */
  private connection(channel: PeerChannel, write: (frame: unknown) => void, close: () => void, remoteAddress: string): PeerConnection {
    return {
      send: (message) => {
        if (channel.isOpen) write(channel.seal(message));
      },
      close,
      remoteAddress,
    };
  }

  /** Inbound: the first frame must be a quorum hello from a member ranked before us. */
  private accept(link: PeerLink): void {
    let rank: Rank | null = null;
    let authenticatedAs: Rank | null = null;
    const channel = new PeerChannel({ secret: this.options.secret, role: 'listener', self: this.options.self, send: (frame) => link.send(frame) });
    const live = this.connection(channel, (frame) => link.send(frame), () => link.close(), link.remoteAddress);
    const closer = () => link.close();
    this.linkClosers.add(closer);
    channel.start();
    // a connection that never completes the handshake or its hello holds no slot for long
    const handshakeTimer = setTimeout(() => {
      if (rank === null) link.close();
    }, this.options.heartbeatIntervalMs * 4);
    link.onClose(() => {
      clearTimeout(handshakeTimer);
      this.linkClosers.delete(closer);
      if (rank !== null) this.down(rank, live);
    });
    if (this.stopped) return link.close();
    link.onMessage((raw) => {
      const event = channel.receive(raw);
      if (event.kind === 'refused') {
        this.refused(link.remoteAddress, event.reason, event.rank);
        // a failed channel is dropped at once: nothing more is sent on it (issue 20, hole 3)
        if (rank !== null) this.down(rank, live);
        link.close();
        return;
      }
      if (event.kind === 'established') authenticatedAs = event.rank;
      if (event.kind !== 'message') return;
      const message = event.message;
      if (rank !== null) return this.events?.message(rank, message, live);
      const hello = peerMessageSchema.safeParse(message);
      const from = hello.success && hello.data.type === 'hello' ? hello.data.rank : null;
      if (from === null || from >= this.options.self) {
        link.close();
        return;
      }
      // the handshake proved who it is
      if (from !== authenticatedAs) {
        this.refused(link.remoteAddress, 'its hello names another member than its handshake', null);
        link.close();
        return;
      }
      rank = from;
      this.up(from, live);
      this.events?.message(from, message, live);
      // an accepted member may send large frames; it sends none before our hello greets it
      link.allowLargeFrames();
    });
  }

  /**
   * Both sides log a refused peer: the refused member may never be master to tell it. Once a
   * minute per address and reason; the status shows the reason for as long as it lasts.
   */
  private refused(address: string, reason: string, rank: Rank | null): void {
    if (rank !== null) this.events?.trouble(rank, { kind: 'refused', detail: reason });
    const key = `${address.replace(/:\d+$/, '')}|${reason}`;
    const now = performance.now();
    if (now - (this.lastRefusalLogged.get(key) ?? -Infinity) < REFUSAL_LOG_INTERVAL_MS) return;
    // reasons are fixed texts, so the map holds a few entries per address
    this.lastRefusalLogged.set(key, now);
    this.options.debug('lmgrd', `Refused redundant server connection with ${address}: ${reason}`);
  }

  /** Outbound: dial every member ranked after us that has no link. */
  private dialMissing(): void {
    for (const rank of RANKS) {
      if (rank <= this.options.self || this.connected.has(rank) || this.dialing.has(rank)) continue;
      this.dial(rank);
    }
  }

  private dial(rank: Rank): void {
    const address = this.options.addresses[rank];
    const local = this.options.localAddress;
    this.dialing.add(rank);
    const peerTls = this.options.tls;
    const socket = peerTls
      ? tls.connect({
          socket: net.connect({ host: address.host, port: address.port, localAddress: local }),
          ca: peerTls.ca,
          rejectUnauthorized: peerTls.ca !== undefined,
          // member certificates name machines, not SERVER-line spellings: the CA and the secret decide
          checkServerIdentity: () => undefined,
        })
      : net.connect({ host: address.host, port: address.port, localAddress: local });
    this.dialSockets.add(socket);
    const idleMs = this.options.heartbeatIntervalMs * 4;
    let established = false;
    // the member dialled may send up to a reply frame's size (long vote suffixes) once it has
    // proven itself; it sends nothing sealed before our confirm, so no large frame can come earlier.
    // The member we dialled accepts large frames once it has greeted us (allowLargeFrames).
    const framed: FramedConnection = new FramedConnection(
      socket,
      { maxInboundBytes: MAX_FRAME_BYTES, maxOutboundBytes: MAX_REPLY_FRAME_BYTES, idleTimeoutMs: idleMs },
      {
        message: (raw) => {
          // the listener answers a bad hello with an error frame: nothing the machine should see
          if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'error') return framed.destroy();
          onChannel(channel.receive(raw));
        },
        malformed: () => framed.destroy(),
        oversize: () => framed.destroy(),
        idleTimeout: () => {
          if (!established) this.events?.trouble(rank, { kind: 'unreachable', detail: `no answer to the cluster-secret handshake within ${idleMs / 1000} s` });
          framed.destroy();
        },
        error: (error) => {
          if (!established) this.events?.trouble(rank, { kind: 'unreachable', detail: dialFailure(error) });
        },
        close: () => {
          this.dialSockets.delete(socket);
          this.dialing.delete(rank);
          this.linkClosers.delete(closer);
          if (established) this.down(rank, live);
        },
      },
    );
    const write = (frame: unknown) => framed.send(frame);
    const channel = new PeerChannel({ secret: this.options.secret, role: 'dialer', self: this.options.self, peer: rank, send: write });
    const live = this.connection(channel, write, () => framed.destroy(), `${address.host}:${address.port}`);
    const closer = () => framed.destroy();
    const onChannel = (event: ChannelEvent) => {
      if (event.kind === 'refused') {
        this.refused(`${address.host}:${address.port}`, event.reason, rank);
        if (established) this.down(rank, live);
        framed.destroy();
      } else if (event.kind === 'established') {
        established = true;
        framed.acceptFramesUpTo(MAX_REPLY_FRAME_BYTES);
        this.dialSockets.delete(socket);
        this.dialing.delete(rank);
        this.linkClosers.add(closer);
        this.up(rank, live);
      } else if (event.kind === 'message') this.events?.message(rank, event.message, live);
    };
    socket.once(peerTls ? 'secureConnect' : 'connect', () => {
      write({ type: 'hello', version: PROTOCOL_VERSION, role: 'peer', agent: 'triad peer' });
      onChannel(channel.start());
    });
  }
}

/** Why dialling a member failed, in words (the OS code kept for those who search for it). */
function dialFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is it running? is the port right?)';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no answer from its address (${error.code}: down, or a firewall in between)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `its SERVER-line host name does not resolve (${error.code})`;
    default:
      return error.code ? `${error.message}` : `TLS or network error: ${error.message}`;
  }
}
