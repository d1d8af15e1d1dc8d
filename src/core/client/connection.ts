import net from 'node:net';
import tls from 'node:tls';
import { displayFingerprint, normaliseFingerprint, normaliseFingerprints, type ClientTls } from '../protocol/tlsPin';
import { FramedConnection } from '../transport/framedConnection';
import { speaksTlsText, tlsFailureText, tlsFingerprintOf } from './tlsTrouble';
import {
  MAX_FRAME_BYTES,
  MAX_REPLY_FRAME_BYTES,
  PROTOCOL_VERSION,
  serverMessageSchema,
  validateMessage,
  type LicenseRequest,
  type ConnectionRole,
  type ServerMessage,
} from '../protocol';

/**
 * One framed connection to one license server: connect with a timeout, say hello, then send
 * requests and match each reply by its id. Unsolicited frames (shutdown, revoked) go to
 * `onNotice`. Used by `triad checkout`, lmstat, lmdown and the app.
 */

export interface ServerAddress {
  host: string;
  port: number;
}

export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly address: ServerAddress,
    /** The OS error behind it (`ECONNREFUSED`, `ETIMEDOUT` for the connect timeout...), when there is one. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

type Request = LicenseRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Welcome = Extract<ServerMessage, { type: 'welcome' }>;
type Notice = Extract<ServerMessage, { type: 'shutdown' | 'revoked' | 'error' }>;

export interface ConnectOptions {
  role?: Exclude<ConnectionRole, 'peer'>;
  connectTimeoutMs?: number;
  /** How long to wait for any one reply. */
  requestTimeoutMs?: number;
  agent?: string;
  /** Talk TLS (a server started with --tls-cert), verifying it by fingerprint or CA. */
  tls?: ClientTls;
  /** Source address to connect from (a machine with several addresses). */
  localAddress?: string;
}

export const defaultConnectTimeoutMs = 3_000;
export const defaultRequestTimeoutMs = 30_000;

export class ServerConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: ServerMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly noticeListeners = new Set<(notice: Notice) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedReason: string | null = null;

  private constructor(
    private readonly connection: FramedConnection,
    readonly address: ServerAddress,
    readonly welcome: Welcome,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Connects and completes the hello; rejects with a ConnectionError that says what failed. */
  static open(address: ServerAddress, options: ConnectOptions = {}): Promise<ServerConnection> {
    const connectTimeoutMs = options.connectTimeoutMs ?? defaultConnectTimeoutMs;
    const where = `${address.port}@${address.host}`;
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? connectTls(address, options.tls, options.localAddress)
        : net.connect({ host: address.host, port: address.port, localAddress: options.localAddress });
      let opened: ServerConnection | null = null;
      // the promise has failed: what the socket does next (its close) changes nothing
      let settled = false;
      const settleFailure = (message: string, code: string | null = null) => {
        settled = true;
        framed.destroy();
        reject(new ConnectionError(`Cannot connect to license server ${where}: ${message}`, address, code));
      };
      // the first frame is the welcome (or an error): the connect timeout runs until it comes
      const framed: FramedConnection = new FramedConnection(
        socket,
        { maxInboundBytes: MAX_REPLY_FRAME_BYTES, maxOutboundBytes: MAX_FRAME_BYTES, firstFrameTimeoutMs: connectTimeoutMs },
        {
          firstFrameTimeout: () => settleFailure(`no answer within ${connectTimeoutMs} ms`, 'ETIMEDOUT'),
          oversize: () => {
            if (opened) opened.shutDown(`server sent an oversize frame`);
            else settleFailure('server sent an oversize frame');
          },
          malformed: (reason) => {
            if (opened) opened.shutDown(`server sent an ${reason}`);
            else settleFailure(`not a Triad license server (${reason})`);
          },
          message: (value) => {
            const decoded = validateMessage(value, serverMessageSchema);
            if (!decoded.ok) {
              if (opened) opened.shutDown(`server sent an ${decoded.message}`);
              else settleFailure(`not a Triad license server (${decoded.message})`);
              return;
            }
            const message = decoded.value;
            if (opened) {
              opened.receive(message);
            } else if (message.type === 'welcome') {
              opened = new ServerConnection(framed, address, message, options.requestTimeoutMs ?? defaultRequestTimeoutMs);
              resolve(opened);
            } else if (message.type === 'error') {
              settleFailure(message.message);
            } else {
              settleFailure(`unexpected ${message.type} before welcome`);
            }
          },
          error: (error) => {
            if (opened) opened.shutDown(`connection error: ${error.message}`);
            else if (error.code === 'ECONNREFUSED') settleFailure('Connection refused', error.code);
            else settleFailure(options.tls ? tlsFailureText(error, address) : error.message, error.code ?? null);
          },
          close: () => {
            if (opened) return opened.shutDown('connection closed by the server');
            if (settled) return;
            if (options.tls) return settleFailure('connection closed before the server answered');
            // closed without a word: a TLS server does that to a plaintext hello; ask it in TLS
            void tlsFingerprintOf(address, connectTimeoutMs).then((fingerprint) =>
              settleFailure(
                fingerprint ? speaksTlsText(address, fingerprint) : 'connection closed before the server answered (is it a Triad license server?)',
                fingerprint ? 'ETLSREQUIRED' : null,
              ),
            );
          },
        },
      );
      socket.once(options.tls ? 'secureConnect' : 'connect', () => {
        const refusal = options.tls ? pinRefusal(socket as tls.TLSSocket, options.tls) : null;
        if (refusal) return settleFailure(refusal, 'ECERTPIN');
        framed.send({ type: 'hello', version: PROTOCOL_VERSION, role: options.role ?? 'client', agent: options.agent });
      });
    });
  }

  /**
   * Sends a request and resolves with its reply. Rejects when the connection is lost first, or
   * when no reply came within `timeoutMs` (default: the connection's request timeout).
   */
  request(request: Request, timeoutMs = this.requestTimeoutMs): Promise<ServerMessage> {
    if (this.closedReason) return Promise.reject(new ConnectionError(this.closedReason, this.address));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ConnectionError(`no reply to ${request.type} within ${timeoutMs} ms`, this.address));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.connection.send({ ...request, id });
    });
  }

  onNotice(listener: (notice: Notice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** Called once, with the reason, when the connection ends for any reason. */
  onClose(listener: (reason: string) => void): () => void {
    if (this.closedReason) listener(this.closedReason);
    else this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  close(): void {
    this.shutDown('closed by the client');
  }

  private receive(message: ServerMessage): void {
    if ('id' in message) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
      return;
    }
    if (message.type === 'shutdown' || message.type === 'revoked' || message.type === 'error') {
      for (const listener of this.noticeListeners) listener(message);
    }
  }

  private shutDown(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    this.connection.destroy();
    for (const [, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new ConnectionError(reason, this.address));
    }
    this.pending.clear();
    for (const listener of this.closeListeners) listener(reason);
    this.closeListeners.clear();
  }
}

/**
 * With a pinned fingerprint the chain is not checked (a self-signed certificate is the usual
 * case) and the fingerprint decides after the handshake; with a CA, Node verifies the chain and
 * the name (an IP address must be in the certificate's subjectAltName).
 */
function connectTls(address: ServerAddress, options: ClientTls, localAddress: string | undefined): tls.TLSSocket {
  const pinned = options.fingerprint !== undefined;
  return tls.connect({
    host: address.host,
    port: address.port,
    ...(localAddress !== undefined ? { socket: net.connect({ host: address.host, port: address.port, localAddress }) } : {}),
    ca: options.ca,
    rejectUnauthorized: !pinned,
    servername: net.isIP(address.host) ? undefined : address.host,
  });
}

function pinRefusal(socket: tls.TLSSocket, options: ClientTls): string | null {
  if (options.fingerprint === undefined) return null;
  const wanted = normaliseFingerprints(options.fingerprint);
  const actual = normaliseFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
  if (wanted === null)
    return `"${options.fingerprint}" is not a SHA-256 fingerprint or a comma-separated list of them (64 hex digits each, as openssl x509 -fingerprint ` +
      `-sha256 prints)`;
  if (actual === null || !wanted.includes(actual)) {
    const pinned = wanted.length === 1 ? 'the pinned one' : `one of the ${wanted.length} pinned`;
    return `the server's certificate (SHA-256 ${actual ? displayFingerprint(actual) : 'unknown'}) is not ${pinned}; refusing to talk to it`;
  }
  return null;
}
