import net from 'node:net';

/**
 * A user-space TCP fault proxy (the machine has neither `tc netem` nor iptables): it listens on
 * one address, forwards every connection to one target, and applies a fault per *link label*.
 * The label comes from the dialer's source address (`classify`), so one proxy in front of a
 * server can cut the link from one peer while the other peer and the clients still pass.
 *
 * Faults act the way a network does to a TCP stream, never by inventing an error:
 * - hold (a cut cable): bytes, FIN and RST in that direction wait in the proxy, nothing is sent
 *   back; when the link heals they arrive, as TCP's retransmissions would deliver them;
 * - one way: only one direction is held;
 * - delay and bandwidth: each chunk arrives `delayMs` later, paced to `bytesPerSecond`;
 * - loss: bytes cannot be lost inside a TCP stream, so a lost segment is a retransmission stall
 *   (200-1000 ms, in order), and now and then (`resetProbability`) the connection is reset.
 * A new connection made while a direction is held reaches the proxy but not the target until
 * the link heals (the dialer sees silence, as behind a cut cable).
 */

export interface LinkFault {
  /** Hold bytes from the dialer to the target. */
  holdForward: boolean;
  /** Hold bytes from the target back to the dialer. */
  holdBackward: boolean;
  delayMs: number;
  /** Probability per chunk of a retransmission stall. */
  lossProbability: number;
  /** Probability per chunk that the connection is reset (RST both ways). */
  resetProbability: number;
  /** null: unlimited. */
  bytesPerSecond: number | null;
}

export const PASS: LinkFault = Object.freeze({
  holdForward: false,
  holdBackward: false,
  delayMs: 0,
  lossProbability: 0,
  resetProbability: 0,
  bytesPerSecond: null,
});

/** Shorthands for the faults the chaos drills apply. */
export const faults = {
  pass: (): LinkFault => ({ ...PASS }),
  drop: (): LinkFault => ({ ...PASS, holdForward: true, holdBackward: true }),
  /** Only the dialer's bytes get through (replies are held), or only the replies. */
  oneWay: (open: 'forward' | 'backward'): LinkFault => ({ ...PASS, holdForward: open !== 'forward', holdBackward: open !== 'backward' }),
  delay: (delayMs: number): LinkFault => ({ ...PASS, delayMs }),
  lossy: (lossProbability: number, resetProbability = lossProbability / 10): LinkFault => ({ ...PASS, lossProbability, resetProbability }),
  slow: (bytesPerSecond: number, delayMs = 0): LinkFault => ({ ...PASS, bytesPerSecond, delayMs }),
};

export interface FaultProxyOptions {
  listen: { host: string; port: number };
  target: { host: string; port: number };
  /** Link label of a new connection from its source IP; default: every dialer is `client`. */
  classify?: (remoteAddress: string) => string;
  /** Dial the target from the dialer's own source IP (all of 127/8 is local), so it sees who dialed. */
  keepSourceAddress?: boolean;
  /** Seeded randomness for stalls and resets. */
  random?: () => number;
}

export interface FaultProxyStats {
  connections: number;
  bytesForward: number;
  bytesBackward: number;
  stalls: number;
  resets: number;
}

/** Stall length bounds for a "lost" segment: TCP's minimum RTO to a few backoffs. */
const STALL_MIN_MS = 200;
const STALL_MAX_MS = 1_000;
/** Beyond this many queued bytes the proxy stops reading the source (back pressure). */
const HIGH_WATER_BYTES = 1 << 20;

type Item = { at: number } & ({ kind: 'data'; bytes: Buffer } | { kind: 'end' } | { kind: 'destroy' });

/** One direction of one connection: a timed queue from a source socket to a sink socket. */
class Pipe {
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly source: () => net.Socket | null,
    private readonly sink: () => net.Socket | null,
    private readonly fault: () => LinkFault,
    private readonly isHeld: () => boolean,
    private readonly hooks: { random: () => number; onBytes: (n: number) => void; onStall: () => void; onReset: () => void; onDestroy: () => void },
  ) {}

  push(item: { kind: 'data'; bytes: Buffer } | { kind: 'end' } | { kind: 'destroy' }): void {
    if (this.closed) return;
    const fault = this.fault();
    const now = Date.now();
    let at = Math.max(now + fault.delayMs, this.lastAt);
    if (item.kind === 'data') {
      if (fault.resetProbability > 0 && this.hooks.random() < fault.resetProbability) {
        this.hooks.onReset();
        return;
      }
      if (fault.lossProbability > 0 && this.hooks.random() < fault.lossProbability) {
        this.hooks.onStall();
        at += STALL_MIN_MS + this.hooks.random() * (STALL_MAX_MS - STALL_MIN_MS);
      }
      if (fault.bytesPerSecond !== null) at = Math.max(at, this.lastAt) + (item.bytes.length * 1000) / fault.bytesPerSecond;
      this.queuedBytes += item.bytes.length;
      if (this.queuedBytes > HIGH_WATER_BYTES) this.source()?.pause();
    }
    this.lastAt = at;
    this.queue.push({ ...item, at });
    this.pump();
  }

  /** Delivers what is due, unless the link holds this direction or the sink is not connected yet. */
  pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || this.isHeld()) return;
    const sink = this.sink();
    if (!sink) return;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0].at <= now) {
      const item = this.queue.shift()!;
      if (item.kind === 'data') {
        this.queuedBytes -= item.bytes.length;
        this.hooks.onBytes(item.bytes.length);
        if (!sink.destroyed) sink.write(item.bytes);
      } else if (item.kind === 'end') {
        if (!sink.destroyed) sink.end();
      } else {
        this.hooks.onDestroy();
        return;
      }
    }
    const source = this.source();
    if (source && this.queuedBytes <= HIGH_WATER_BYTES && source.isPaused() && !source.destroyed) source.resume();
    if (this.queue.length > 0) this.timer = setTimeout(() => this.pump(), this.queue[0].at - now);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

/** A proxied connection: the dialer's socket, the target's socket (once dialled), two pipes. */
class ProxiedConnection {
  private upstream: net.Socket | null = null;
  private readonly forward: Pipe;
  private readonly backward: Pipe;
  private done = false;

  constructor(
    private readonly downstream: net.Socket,
    readonly label: string,
    private readonly proxy: FaultProxy,
    private readonly dial: () => net.Socket,
    private readonly onDone: (connection: ProxiedConnection) => void,
  ) {
    const hooks = (direction: 'forward' | 'backward') => ({
      random: proxy.random,
      onBytes: (n: number) => (direction === 'forward' ? (proxy.stats.bytesForward += n) : (proxy.stats.bytesBackward += n)),
      onStall: () => proxy.stats.stalls++,
      onReset: () => this.reset(),
      onDestroy: () => this.destroy(),
    });
    const fault = () => proxy.fault(label);
    this.forward = new Pipe(() => downstream, () => this.upstream, fault, () => fault().holdForward, hooks('forward'));
    this.backward = new Pipe(() => this.upstream, () => downstream, fault, () => fault().holdBackward, hooks('backward'));
    downstream.on('data', (bytes) => this.forward.push({ kind: 'data', bytes }));
    downstream.on('end', () => this.forward.push({ kind: 'end' }));
    downstream.on('close', () => this.forward.push({ kind: 'destroy' }));
    downstream.on('error', () => {});
    this.heal();
  }

  /** The link state changed: connect if both directions pass now, and deliver what is due. */
  heal(): void {
    if (this.done) return;
    const fault = this.proxy.fault(this.label);
    if (!this.upstream && !fault.holdForward && !fault.holdBackward) {
      const upstream = this.dial();
      this.upstream = upstream;
      upstream.on('data', (bytes) => this.backward.push({ kind: 'data', bytes }));
      upstream.on('end', () => this.backward.push({ kind: 'end' }));
      upstream.on('close', () => this.backward.push({ kind: 'destroy' }));
      upstream.on('error', () => {});
      upstream.on('connect', () => this.forward.pump());
    }
    this.forward.pump();
    this.backward.pump();
  }

  /** Both sockets reset (RST), as after too many lost retransmissions. */
  reset(): void {
    if (this.done) return;
    this.proxy.stats.resets++;
    this.downstream.resetAndDestroy();
    this.upstream?.resetAndDestroy();
    this.finish();
  }

  destroy(): void {
    if (this.done) return;
    this.downstream.destroy();
    this.upstream?.destroy();
    this.finish();
  }

  private finish(): void {
    this.done = true;
    this.forward.close();
    this.backward.close();
    this.onDone(this);
  }
}

export class FaultProxy {
  readonly stats: FaultProxyStats = { connections: 0, bytesForward: 0, bytesBackward: 0, stalls: 0, resets: 0 };
  readonly random: () => number;
  private readonly server: net.Server;
  private readonly linkFaults = new Map<string, LinkFault>();
  private readonly connections = new Set<ProxiedConnection>();

  constructor(private readonly options: FaultProxyOptions) {
    this.random = options.random ?? Math.random;
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => this.accept(socket));
  }

  /** Where the proxy listens (the real port once started, when `listen.port` was 0). */
  get address(): { host: string; port: number } {
    const bound = this.server.address();
    return typeof bound === 'object' && bound !== null ? { host: this.options.listen.host, port: bound.port } : this.options.listen;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.listen.port, this.options.listen.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Sets the fault of one link label (`pass` heals it); held bytes flow at once on heal. */
  setFault(label: string, fault: LinkFault): void {
    this.linkFaults.set(label, { ...fault });
    for (const connection of this.connections) if (connection.label === label) connection.heal();
  }

  fault(label: string): LinkFault {
    return this.linkFaults.get(label) ?? PASS;
  }

  /** Heals every link. */
  healAll(): void {
    const labels = [...this.linkFaults.keys()];
    this.linkFaults.clear();
    for (const connection of this.connections) if (labels.includes(connection.label)) connection.heal();
  }

  /** Resets every open connection of a label (or all). */
  resetConnections(label?: string): void {
    for (const connection of [...this.connections]) if (label === undefined || connection.label === label) connection.reset();
  }

  get openConnections(): number {
    return this.connections.size;
  }

  async stop(): Promise<void> {
    for (const connection of [...this.connections]) connection.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const source = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const label = this.options.classify?.(source) ?? 'client';
    this.stats.connections++;
    const dial = () => {
      const upstream = net.connect({
        host: this.options.target.host,
        port: this.options.target.port,
        allowHalfOpen: true,
        ...(this.options.keepSourceAddress && net.isIP(source) ? { localAddress: source } : {}),
      });
      upstream.setNoDelay(true);
      return upstream;
    };
    const connection = new ProxiedConnection(socket, label, this, dial, (c) => this.connections.delete(c));
    this.connections.add(connection);
  }
}
