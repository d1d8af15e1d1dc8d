import { EventEmitter } from 'node:events';
import { defaultRequestTimeoutMs, ServerConnection, type ConnectOptions, type ServerAddress } from './connection';
import type { CheckoutRequest, Granted } from '../protocol';
import { MEMBER_NOT_SERVING_MAJOR } from '../protocol/denial';

/**
 * The client checkout API: try servers in order, follow a standby's redirect to the master,
 * keep the seat alive with heartbeats, and when the connection drops (failover, restart)
 * reconnect and present the resume token so the same seat is kept — never a second one.
 */

export type { CheckoutRequest } from '../protocol';

export type CheckoutResult =
  | { kind: 'granted'; license: HeldLicense }
  | { kind: 'denied'; code: number; reason: string; server: ServerAddress }
  | { kind: 'unreachable'; errors: string[] };

export interface CheckoutOptions extends ConnectOptions {
  /** Redirects followed before giving up (a triad needs at most one). */
  maxRedirects?: number;
}

/** Tries each server in order; the first grant wins, a denial moves on to the next server. */
export async function checkout(servers: ServerAddress[], request: CheckoutRequest, options: CheckoutOptions = {}): Promise<CheckoutResult> {
  const errors: string[] = [];
  let lastDenial: CheckoutResult | null = null;
  for (const server of servers) {
    const result = await checkoutFrom(server, request, options, undefined);
    if (result.kind === 'granted') return result;
    if (result.kind === 'denied') lastDenial = result;
    else errors.push(...result.errors);
  }
  return lastDenial ?? { kind: 'unreachable', errors };
}

async function checkoutFrom(
  first: ServerAddress,
  request: CheckoutRequest,
  options: CheckoutOptions,
  resumeToken: string | undefined,
): Promise<CheckoutResult> {
  let address = first;
  for (let hop = 0; hop <= (options.maxRedirects ?? 2); hop++) {
    let connection: ServerConnection;
    try {
      connection = await ServerConnection.open(address, options);
    } catch (error) {
      return { kind: 'unreachable', errors: [errorText(error)] };
    }
    let reply;
    try {
      reply = await connection.request({ type: 'checkout', ...request, ...(resumeToken ? { resumeToken } : {}) });
    } catch (error) {
      connection.close();
      return { kind: 'unreachable', errors: [errorText(error)] };
    }
    if (reply.type === 'granted') return { kind: 'granted', license: new HeldLicense(connection, reply, request, options) };
    connection.close();
    if (reply.type === 'denied') return { kind: 'denied', code: reply.code, reason: reply.reason, server: address };
    if (reply.type === 'redirect') {
      address = { host: reply.host, port: reply.port };
      continue;
    }
    // a server that could not serve now (no master yet, grant not durable) says why; try the next
    const why = reply.type === 'refused' ? `refused: ${reply.reason}` : `unexpected reply ${reply.type}`;
    return { kind: 'unreachable', errors: [`${address.port}@${address.host}: ${why}`] };
  }
  return { kind: 'unreachable', errors: [`${first.port}@${first.host}: too many redirects`] };
}

function uniqueAddresses(addresses: ServerAddress[]): ServerAddress[] {
  return [...new Map(addresses.map((a) => [`${a.port}@${a.host}`, a])).values()];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether a server confirmed a checkin; if none did, the seat is reclaimed after its timeout. */
export type CheckinOutcome = { confirmed: true; server: ServerAddress } | { confirmed: false; reason: string };

export interface HeldLicenseEvents {
  /** The seat is gone (reclaimed, removed, or the server could not be reached in time). */
  lost: [reason: string];
  /** Reconnected to a (possibly different) server and kept the seat. */
  resumed: [server: ServerAddress];
  /** A heartbeat was answered: `server` still holds the seat for this client. */
  confirmed: [server: ServerAddress];
}

/** A granted seat. Heartbeats run until `checkin()` or until the seat is lost. */
export class HeldLicense extends EventEmitter<HeldLicenseEvents> {
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** Where a standby told us the master is; tried first when reconnecting. */
  private redirectTo: ServerAddress | null = null;
  private finished = false;
  private lastConfirmedAt = Date.now();

  constructor(
    private connection: ServerConnection,
    private grant: Granted,
    private readonly request: CheckoutRequest,
    private readonly options: CheckoutOptions,
  ) {
    super();
    this.watch(connection);
    this.heartbeatTimer = setInterval(() => void this.beat(), grant.heartbeatIntervalMs);
  }

  get details(): Granted {
    return this.grant;
  }

  get server(): ServerAddress {
    return this.connection.address;
  }

  /**
   * Returns the seat. Resolves even when the server is gone (it will reclaim the seat itself),
   * saying whether a server confirmed the checkin.
   */
  async checkin(): Promise<CheckinOutcome> {
    this.stop();
    let elsewhere: ServerAddress[] = [];
    let unconfirmed = 'no license server could be reached';
    try {
      const reply = await this.connection.request({ type: 'checkin', leaseId: this.grant.leaseId });
      if (reply.type === 'checkedIn') {
        this.connection.close();
        return { confirmed: true, server: this.connection.address };
      }
      // this member stopped being the master: take the seat to the new one and return it there
      if (reply.type === 'redirect') elsewhere = [{ host: reply.host, port: reply.port }];
      else unconfirmed = reply.type === 'refused' ? reply.reason : `the server answered ${reply.type}`;
    } catch {
      // the connection broke (failover, cut link): find the seat where it lives now
      elsewhere = this.resumeCandidates();
    }
    this.connection.close();
    for (const address of elsewhere) {
      const moved = await checkoutFrom(address, this.request, this.options, this.grant.resumeToken);
      if (moved.kind === 'granted') return moved.license.checkinHere();
      if (moved.kind === 'denied') unconfirmed = moved.reason;
      // nothing answers: the server reclaims the seat after its timeout
    }
    return { confirmed: false, reason: unconfirmed };
  }

  /**
   * Checkin on this connection only, for a seat checkin() just moved here: if this member does
   * not answer either, the seat is left to its timeout (searching again could go on for ever
   * against a member that grants but never answers a checkin).
   */
  private async checkinHere(): Promise<CheckinOutcome> {
    this.stop();
    const reply = await this.connection.request({ type: 'checkin', leaseId: this.grant.leaseId }).catch(() => null);
    this.connection.close();
    if (reply?.type === 'checkedIn') return { confirmed: true, server: this.connection.address };
    const reason =
      reply === null
        ? 'the server that took the seat back did not answer the checkin'
        : reply.type === 'refused'
          ? reply.reason
          : `the server answered ${reply.type}`;
    return { confirmed: false, reason };
  }

  private stop(): void {
    this.finished = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private watch(connection: ServerConnection): void {
    connection.onNotice((notice) => {
      if (notice.type === 'revoked' && notice.leaseIds.includes(this.grant.leaseId)) this.lose(notice.reason);
    });
    connection.onClose(() => {
      if (!this.finished && connection === this.connection) void this.reconnect();
    });
  }

  /**
   * A heartbeat waits for its reply at most one interval (at least a second): a member that holds
   * the connection open but no longer answers (stopped, half-open link) must be left while the
   * seat can still be resumed elsewhere, not after the 30 s request timeout.
   */
  private heartbeatReplyTimeoutMs(): number {
    return Math.min(Math.max(this.grant.heartbeatIntervalMs, 1_000), this.options.requestTimeoutMs ?? defaultRequestTimeoutMs);
  }

  private async beat(): Promise<void> {
    if (this.finished || this.connection.closed) return;
    try {
      const reply = await this.connection.request({ type: 'heartbeat', leaseIds: [this.grant.leaseId] }, this.heartbeatReplyTimeoutMs());
      if (reply.type === 'heartbeatAck') {
        if (reply.unknown.includes(this.grant.leaseId)) this.lose('the server reclaimed the license');
        else {
          this.lastConfirmedAt = Date.now();
          this.emit('confirmed', this.connection.address);
        }
      } else if (reply.type === 'redirect') {
        // this member stopped being the master: move the seat to the one it names
        this.redirectTo = { host: reply.host, port: reply.port };
        this.connection.close();
      } else {
        // refused: this member is not serving (it lost its quorum) and knows no master; a new
        // master elsewhere would reclaim the seat while we beat here, so resume it like a failover
        this.connection.close();
      }
    } catch {
      // no answer (a half-open link): drop the connection; the close listener reconnects
      this.connection.close();
    }
  }

  /** Where the seat may live now: a named master, this server, the granting one, a triad's members. */
  private resumeCandidates(): ServerAddress[] {
    const home = { host: this.grant.server, port: this.grant.port };
    // a dead master's members: any of the other two may be master now (it redirects if not)
    const members = this.grant.members ?? [];
    return uniqueAddresses([...(this.redirectTo ? [this.redirectTo] : []), this.connection.address, home, ...members]);
  }

  /** Retries the original server (and its redirects) with the resume token until the seat's timeout. */
  private async reconnect(): Promise<void> {
    // a triad's new master gives every seat a fresh timeout: keep trying through its failover too
    const deadline = this.lastConfirmedAt + this.grant.timeoutMs + (this.grant.failoverMs ?? 0);
    const candidates = this.resumeCandidates();
    this.redirectTo = null;
    while (!this.finished && Date.now() < deadline) {
      for (const address of candidates) {
        const result = await checkoutFrom(address, this.request, this.options, this.grant.resumeToken);
        if (this.finished) {
          if (result.kind === 'granted') await result.license.checkin();
          return;
        }
        if (result.kind === 'granted') return this.adopt(result.license);
        // a member without a master (-96) may get one in a moment; any other denial is final
        if (result.kind === 'denied' && result.code !== MEMBER_NOT_SERVING_MAJOR) return this.lose(`could not resume: ${result.reason}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, this.grant.heartbeatIntervalMs)));
    }
    if (!this.finished) this.lose('lost contact with the license server');
  }

  /** Moves the seat onto the connection that resumed it; the temporary HeldLicense only carried it here. */
  private adopt(moved: HeldLicense): void {
    moved.stop();
    const previous = this.connection;
    this.connection = moved.connection;
    this.grant = moved.grant;
    this.lastConfirmedAt = Date.now();
    this.watch(this.connection);
    previous.close();
    this.emit('resumed', this.connection.address);
  }

  private lose(reason: string): void {
    if (this.finished) return;
    this.stop();
    this.connection.close();
    this.emit('lost', reason);
  }
}
