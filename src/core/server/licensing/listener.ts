import net from 'node:net';
import tls from 'node:tls';
import { randomUUID } from 'node:crypto';
import {
  adminRequestSchema,
  clientRequestSchema,
  ConnectionErrorCode,
  encodeFrame,
  helloSchema,
  MAX_FRAME_BYTES,
  MAX_REPLY_FRAME_BYTES,
  PROTOCOL_VERSION,
  validateMessage,
  type AdminRequest,
  type ConnectionRole,
  type ServerMessage,
} from '../../protocol';
import { FramedConnection } from '../../transport/framedConnection';
import type { PeerHook } from '../triadSeam';
import { ProblemLog, type ConnectionProblemKind } from '../logs/problemLog';

/**
 * The license port's socket driver: accepts connections, enforces the limits, decodes frames,
 * waits for the hello, then routes each request to the handler for the connection's role.
 * Bad input closes only the connection that sent it; nothing a peer sends can stop the listener.
 */

export interface Session {
  readonly id: string;
  readonly role: Exclude<ConnectionRole, 'peer'>;
  /** `ip:port`, for logs. */
  readonly remoteAddress: string;
  /** The peer's IP (IPv4-mapped IPv6 unwrapped), for options INTERNET rules and admin checks. */
  readonly remoteIp: string;
  /** The program that connected, as its hello says (`triad lmdown`...), for the audit table. */
  readonly agent: string | null;
  /** Sends an unsolicited message (shutdown, revoked); ignored once the connection is gone. */
  send(message: ServerMessage): void;
  readonly closed: boolean;
}

export interface RequestHandler {
  /** Answers one request. Role `client` sends only client requests; `admin` may send any. */
  handle(request: AdminRequest, session: Session): Promise<ServerMessage>;
  /** The welcome frame fields that describe this server. */
  describe(): { server: string; port: number; serverVersion: string };
  /** Whether the session holds a seat: only then may it stay idle for the long idle timeout. */
  holdsSeat?(session: Session): boolean;
}


export interface ListenerLimits {
  maxConnections: number;
  /** Connections from one source address, so one machine cannot take every connection. */
  maxConnectionsPerAddress: number;
  /** A connection that has not said hello by then is closed. */
  helloTimeoutMs: number;
  /** A connection that holds a seat (or a peer link) silent for this long is closed (half-open sockets); leases are not affected. */
  idleTimeoutMs: number;
  /** A client or admin connection that holds no seat is closed after this long without a request. */
  idleWithoutSeatMs: number;
  /** A reader this far behind is cut off rather than buffered without bound. */
  maxPendingWriteBytes: number;
}

export const defaultListenerLimits: ListenerLimits = {
  maxConnections: 2000,
  // a terminal server with many users, each holding a few seats, still fits
  maxConnectionsPerAddress: 256,
  helloTimeoutMs: 5_000,
  idleTimeoutMs: 10 * 60_000,
  idleWithoutSeatMs: 30_000,
  maxPendingWriteBytes: 1024 * 1024,
};

export interface ListenerEvents {
  /** One line for the debug log about a connection that was refused or cut off. */
  problem(message: string): void;
}

/** How long a connection we end may take to read its last frame before it is cut. */
const refusedLingerMs = 1_000;

export class LicenseListener {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly sessions = new Set<Session>();
  private peerHook: PeerHook | null = null;
  private readonly problems: ProblemLog;
  /** TLS only: TCP connections open, in their handshake or past it. */
  private openTlsConnections = 0;
  /** Connections open per source IP (TLS: counted from the raw connection, handshake included). */
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly handler: RequestHandler,
    private readonly limits: ListenerLimits,
    private readonly events: ListenerEvents,
    /** Certificate and key: the license port speaks TLS to clients, admin tools and peers. */
    tlsOptions: tls.TlsOptions | null = null,
  ) {
    this.problems = new ProblemLog((message) => events.problem(message));
    if (tlsOptions) {
      // the handshake gets as long as a plaintext client has to say hello
      this.server = tls.createServer({ ...tlsOptions, handshakeTimeout: limits.helloTimeoutMs }, (socket) => this.accept(socket));
      // a plaintext client (or one that distrusts our certificate) fails here; it never reaches accept
      this.server.on('tlsClientError', (error, socket) => {
        this.problem('tls_handshake', `TLS handshake with ${socket.remoteAddress ?? '?'} failed: ${error.message}`);
        socket.destroy();
      });
      // a connection still in its handshake holds a file descriptor too: the limit counts it
      // here, before accept() sees the connection
      this.server.on('connection', (raw: net.Socket) => {
        const over = this.overLimit(raw, this.openTlsConnections);
        if (over) {
          this.problem('max_connections', `refused connection from ${raw.remoteAddress ?? '?'}: ${over}`);
          raw.destroy();
          return;
        }
        this.openTlsConnections++;
        this.countAddress(raw);
        raw.once('close', () => this.openTlsConnections--);
      });
    } else {
      this.server = net.createServer((socket) => this.accept(socket));
    }
    this.server.on('error', (error) => this.problem('listener_error', `listener error: ${error.message}`));
  }

  /** A flood of one kind of problem is logged once per window, then summed up (ProblemLog). */
  private problem(kind: ConnectionProblemKind, message: string): void {
    this.problems.report(kind, message, problemSubjects[kind]);
  }

  /** Limit breaches and bad input since the listener started, by kind, for /metrics. */
  get problemCounts(): ReadonlyMap<ConnectionProblemKind, number> {
    return this.problems.counts;
  }

  /** Peer connections are refused until the triad installs its hook. */
  setPeerHook(hook: PeerHook | null): void {
    this.peerHook = hook;
  }

  /** Binds; resolves with the port, rejects with the OS error (EADDRINUSE...). */
  listen(port: number, host: string | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen({ port, host, exclusive: true }, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Tells every client and admin session, then closes every connection and the port. */
  async close(farewell: ServerMessage | null): Promise<void> {
    if (farewell) for (const session of this.sessions) session.send(farewell);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.end();
    const forced = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, 1_000);
    await closed;
    clearTimeout(forced);
    this.problems.flush();
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Why a new connection from `socket`'s address is over a limit (`open` of them already), or null. */
  private overLimit(socket: net.Socket, open: number): string | null {
    if (open >= this.limits.maxConnections) return `${this.limits.maxConnections} connections already open`;
    const ip = sourceIp(socket);
    if ((this.perAddress.get(ip) ?? 0) >= this.limits.maxConnectionsPerAddress)
      return `${this.limits.maxConnectionsPerAddress} connections already open from ${ip}`;
    return null;
  }

  private countAddress(socket: net.Socket): void {
    const ip = sourceIp(socket);
    this.perAddress.set(ip, (this.perAddress.get(ip) ?? 0) + 1);
    socket.once('close', () => {
      const left = (this.perAddress.get(ip) ?? 1) - 1;
      if (left > 0) this.perAddress.set(ip, left);
      else this.perAddress.delete(ip);
    });
  }

  private accept(socket: net.Socket): void {
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    // a TLS connection was counted and checked when it arrived, before its handshake
    const over = this.server instanceof tls.Server ? null : this.overLimit(socket, this.sockets.size);
    if (over) {
      this.problem('max_connections', `refused connection from ${remoteAddress}: ${over}`);
      socket.on('error', () => {});
      // read and drop what it sends, or its FIN is never seen and the socket stays half-closed
      // (one file descriptor per refused connection, for ever); a peer that never closes is cut
      // soon: refused sockets are not counted, so a flood must not pile them up
      socket.resume();
      setTimeout(() => socket.destroy(), Math.min(this.limits.helloTimeoutMs, refusedLingerMs)).unref();
      socket.end(
        encodeFrame({
          type: 'error',
          code: ConnectionErrorCode.tooManyConnections,
          message: `Maximum connections reached (${over}); try again later or ask the administrator to raise the limit.`,
        }),
      );
      return;
    }
    if (!(this.server instanceof tls.Server)) this.countAddress(socket);
    this.sockets.add(socket);
    socket.setKeepAlive(true, 30_000);

    let session: (Session & { closed: boolean }) | null = null;
    let peerListener: ((message: unknown) => void) | null = null;
    let peerMode = false;

    const send = (message: unknown) => {
      try {
        framed.send(message);
      } catch (error) {
        // a reply too big to send (a status of an enormous license): the peer hears why instead
        this.problem('reply_too_large', `reply to ${remoteAddress} not sent: ${error instanceof Error ? error.message : String(error)}`);
        const id = typeof message === 'object' && message !== null && 'id' in message ? Number(message.id) : null;
        if (id !== null) framed.send({ type: 'refused', id, reason: 'the reply is too large to send' });
      }
    };
    const fail = (kind: ConnectionProblemKind, code: string, message: string) => {
      this.problem(kind, `closed connection from ${remoteAddress}: ${message}`);
      framed.closeWith({ type: 'error', code, message });
    };

    // short while the connection holds no seat; a seat holder or a peer link gets the long timeout
    let idleAllowedMs = this.limits.idleWithoutSeatMs;
    const idleLimitMs = () => (peerMode || (session !== null && this.handler.holdsSeat?.(session)) ? this.limits.idleTimeoutMs : this.limits.idleWithoutSeatMs);
    const onIdle = () => {
      const limit = idleLimitMs();
      if (limit <= idleAllowedMs)
        return fail(
          'idle_timeout',
          ConnectionErrorCode.idleTimeout,
          `connection idle too long (${idleAllowedMs / 1000} s${limit === this.limits.idleWithoutSeatMs ? ' holding no seat' : ''})`,
        );
      idleAllowedMs = limit;
      framed.setIdleTimeout(limit);
    };

    const onHello = (value: unknown) => {
      const hello = validateMessage(value, helloSchema);
      if (!hello.ok) return fail('bad_message', ConnectionErrorCode.badMessage, `expected hello: ${hello.message}`);
      if (hello.value.version !== PROTOCOL_VERSION) {
        return fail(
          'unsupported_version',
          ConnectionErrorCode.unsupportedVersion,
          `protocol version ${hello.value.version} is not supported (this server speaks ${PROTOCOL_VERSION}); update the client`,
        );
      }
      if (hello.value.role === 'peer') {
        if (!this.peerHook) return fail('role_unavailable', ConnectionErrorCode.roleUnavailable, 'this server is not part of a triad');
        peerMode = true;
        this.peerHook({
          remoteAddress,
          send,
          onMessage: (listener) => (peerListener = listener),
          onClose: (listener) => socket.once('close', listener),
          // a graceful end that cannot be held open: a peer refused in its handshake may never close its side
          close: () => framed.end(refusedLingerMs),
          allowLargeFrames: () => framed.acceptFramesUpTo(MAX_REPLY_FRAME_BYTES),
        });
        return;
      }
      const created = {
        id: randomUUID(),
        role: hello.value.role,
        remoteAddress,
        remoteIp: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        agent: hello.value.agent ?? null,
        send: (message: ServerMessage) => send(message),
        closed: false,
      };
      session = created;
      this.sessions.add(created);
      send({ type: 'welcome', version: PROTOCOL_VERSION, ...this.handler.describe() });
    };

    const onRequest = (value: unknown, current: Session) => {
      const schema = current.role === 'admin' ? adminRequestSchema : clientRequestSchema;
      const request = validateMessage(value, schema);
      if (!request.ok) return fail('bad_message', ConnectionErrorCode.badMessage, request.message);
      const valid = request.value;
      // a handler bug, thrown or rejected, must not take the server down; the client hears a refusal
      Promise.resolve()
        .then(() => this.handler.handle(valid, current))
        .then(send, (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.problem('handler_error', `request ${valid.type} from ${remoteAddress} failed: ${reason}`);
          send({ type: 'refused', id: valid.id, reason: `server error: ${reason}` });
        });
    };

    // the first frame must be the hello, within the hello timeout; resets and timeouts end in 'close'
    const framed: FramedConnection = new FramedConnection(
      socket,
      {
        maxInboundBytes: MAX_FRAME_BYTES,
        maxOutboundBytes: MAX_REPLY_FRAME_BYTES,
        maxPendingWriteBytes: this.limits.maxPendingWriteBytes,
        firstFrameTimeoutMs: this.limits.helloTimeoutMs,
        idleTimeoutMs: idleAllowedMs,
      },
      {
        message: (value) => {
          if (peerMode) peerListener?.(value);
          else if (session) onRequest(value, session);
          else onHello(value);
        },
        malformed: (reason) => {
          if (peerMode) fail('bad_message', ConnectionErrorCode.badFrame, 'peer frame is not JSON');
          else fail('bad_message', ConnectionErrorCode.badMessage, session ? reason : `expected hello: ${reason}`);
        },
        oversize: (error) => fail('frame_too_large', ConnectionErrorCode.frameTooLarge, error.message),
        firstFrameTimeout: () => fail('hello_timeout', ConnectionErrorCode.helloTimeout, `no hello within ${this.limits.helloTimeoutMs} ms`),
        idleTimeout: onIdle,
        slowReader: () =>
          this.problem(
            'slow_reader',
            `closed connection from ${remoteAddress}: it does not read its replies (more than ${this.limits.maxPendingWriteBytes} bytes waiting)`,
          ),
        close: () => {
          this.sockets.delete(socket);
          if (session) {
            session.closed = true;
            this.sessions.delete(session);
          }
        },
      },
    );
  }
}

/** The connection's source IP, IPv4-mapped IPv6 unwrapped. */
function sourceIp(socket: net.Socket): string {
  return (socket.remoteAddress ?? '?').replace(/^::ffff:/, '');
}

const problemSubjects: Record<ConnectionProblemKind, string> = {
  max_connections: 'connections refused over the connection limit',
  hello_timeout: 'connections closed for not saying hello in time',
  idle_timeout: 'connections closed for being idle',
  frame_too_large: 'connections closed for a frame over the size limit',
  slow_reader: 'connections closed for not reading their replies',
  bad_message: 'connections closed for a malformed message',
  unsupported_version: 'connections closed for an unsupported protocol version',
  role_unavailable: 'connections closed for asking for a role this server does not have',
  reply_too_large: 'replies not sent for being too large',
  handler_error: 'requests that failed inside the server',
  tls_handshake: 'connections closed for a failed TLS handshake (plaintext client or untrusted certificate)',
  listener_error: 'listener errors',
};
