import type { AdminRequest, ServerMessage } from '../../../src/core/protocol';
import type { Rank } from '../../../src/core/quorum';
import type { Session } from '../../../src/core/server/licensing/listener';
import { FEATURE, HOSTS } from './licenses';
import type { SimMember } from './member';
import type { SimWorld } from './world';

/**
 * License clients speaking the real protocol messages to each member's real LicensingService,
 * behaving as the client library does: follow redirects, heartbeat the seat, resume it with its
 * token after a failover, give it up only after its timeout plus the triad's failover allowance,
 * check it in. The oracle records what clients were told; the checker holds the triad to it.
 */

export interface ToldGrant {
  leaseId: string;
  count: number;
  client: number;
  toldAt: number;
}

export interface Oracle {
  /** Every grant a client was told of (resumed seats are the same grant). */
  readonly grants: Map<string, ToldGrant>;
  /** Grants the client was told are checked in. */
  readonly checkedIn: Set<string>;
  /** Seats a client lost while it had heard from the triad within the seat timeout: never allowed. */
  readonly liveSeatsLost: string[];
  grantsTold: number;
}

type ClientAsk = AdminRequest extends infer R ? (R extends { type: 'checkout' | 'heartbeat' | 'checkin' } ? Omit<R, 'id'> : never) : never;

type Phase = 'idle' | 'checkout' | 'holding' | 'checkin';

interface HeldSeat {
  leaseId: string;
  resumeToken: string;
  timeoutMs: number;
  failoverMs: number;
}

interface SimClient {
  id: number;
  phase: Phase;
  target: Rank;
  /** Answers to an older request are ignored (the client moved on). */
  seq: number;
  seat: HeldSeat | null;
  /** The connection that holds the seat (member and process life): heartbeats go only there. */
  heldOn: Via | null;
  /** Last time a member confirmed the seat (grant, resume, heartbeat). */
  confirmedAt: number;
  holdUntil: number;
  count: number;
}

/** Which connection answered: a member's process life, as a client's TCP connection to it. */
interface Via {
  rank: Rank;
  life: number;
}

const REQUEST_TIMEOUT_MS = 1500;
const RANKS: readonly Rank[] = [0, 1, 2];

export class SimClients {
  readonly oracle: Oracle = { grants: new Map(), checkedIn: new Set(), liveSeatsLost: [], grantsTold: 0 };
  private readonly clients: SimClient[];
  private active = true;
  private requestIds = 0;
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly world: SimWorld,
    private readonly members: readonly SimMember[],
    count: number,
    private readonly heartbeatMs: number,
  ) {
    this.clients = Array.from({ length: count }, (_, id) => ({
      id,
      phase: 'idle',
      target: 0,
      seq: 0,
      seat: null,
      heldOn: null,
      confirmedAt: 0,
      holdUntil: 0,
      count: 1,
    }));
    for (const client of this.clients) world.at(world.rng.between(0, 3000), () => this.startCheckout(client));
  }

  /** A seat a scenario was granted directly (outside these clients): the checker holds the triad to it too. */
  told(leaseId: string, count: number): void {
    this.oracle.grants.set(leaseId, { leaseId, count, client: -1, toldAt: this.world.now });
    this.oracle.grantsTold += 1;
  }

  /** Clients stop taking new seats; held ones are checked in as planned. */
  stop(): void {
    this.active = false;
  }

  /** Clients that still hold, or are about to hold, a seat. */
  busy(): number {
    return this.clients.filter((client) => client.phase !== 'idle').length;
  }

  private tag(client: SimClient): string {
    return `client ${client.id}${client.seat ? ` ${client.seat.leaseId}` : ''}`;
  }

  private startCheckout(client: SimClient): void {
    if (!this.active || client.phase !== 'idle') return;
    client.phase = 'checkout';
    client.count = this.world.rng.chance(0.2) ? 2 : 1;
    this.checkout(client);
  }

  private checkout(client: SimClient): void {
    const request = {
      type: 'checkout' as const,
      feature: FEATURE,
      version: '1.0',
      count: client.count,
      user: `user${client.id}`,
      host: `ws${client.id}`,
      display: '/dev/tty',
      ...(client.seat ? { resumeToken: client.seat.resumeToken } : {}),
    };
    this.ask(client, request, (reply, via) => this.onCheckoutReply(client, reply, via));
  }

  private onCheckoutReply(client: SimClient, reply: ServerMessage | null, via: Via): void {
    if (client.phase !== 'checkout' && client.phase !== 'holding') return;
    const retryElsewhere = (delayMs: number) => {
      client.target = this.nextMember(client.target);
      this.world.at(this.world.now + delayMs, () => this.retryCheckout(client));
    };
    if (reply === null) return retryElsewhere(1);
    switch (reply.type) {
      case 'granted': {
        const previous = client.seat;
        if (previous && previous.leaseId !== reply.leaseId) this.lost(client, 'its resume token found no seat; the server granted a new one');
        client.seat = { leaseId: reply.leaseId, resumeToken: reply.resumeToken, timeoutMs: reply.timeoutMs, failoverMs: reply.failoverMs ?? 0 };
        client.heldOn = via;
        client.confirmedAt = this.world.now;
        client.target = this.rankOf(reply.server);
        if (!this.oracle.grants.has(reply.leaseId)) {
          this.oracle.grants.set(reply.leaseId, { leaseId: reply.leaseId, count: reply.count, client: client.id, toldAt: this.world.now });
          this.oracle.grantsTold += 1;
          this.world.trace(`${this.tag(client)} granted by ${reply.server}`);
        } else this.world.trace(`${this.tag(client)} resumed at ${reply.server}`);
        if (client.phase === 'checkout') {
          client.phase = 'holding';
          client.holdUntil = this.world.now + this.world.rng.between(500, 8000);
          this.scheduleHeartbeat(client);
        }
        return;
      }
      case 'denied':
        if (client.phase === 'holding') return retryElsewhere(200);
        this.world.trace(`${this.tag(client)} denied: ${reply.reason}`);
        client.phase = 'idle';
        this.world.at(this.world.now + this.world.rng.between(300, 2000), () => this.startCheckout(client));
        return;
      case 'redirect':
        client.target = this.rankOf(reply.host);
        this.world.at(this.world.now + 1, () => this.retryCheckout(client));
        return;
      default:
        return retryElsewhere(200);
    }
  }

  /** Checkout again (a held seat resumes with its token) unless the seat was given up meanwhile. */
  private retryCheckout(client: SimClient): void {
    if (client.phase === 'checkout') return this.checkout(client);
    if (client.phase === 'holding' && this.stillTrying(client)) this.checkout(client);
  }

  /** A held seat is worth resuming until its timeout plus the failover allowance has passed. */
  private stillTrying(client: SimClient): boolean {
    const seat = client.seat!;
    if (this.world.now <= client.confirmedAt + seat.timeoutMs + seat.failoverMs) return true;
    this.world.trace(`${this.tag(client)} gives its seat up: no member confirmed it since ${(client.confirmedAt / 1000).toFixed(3)} s`);
    client.seat = null;
    client.phase = 'idle';
    this.world.at(this.world.now + 500, () => this.startCheckout(client));
    return false;
  }

  private scheduleHeartbeat(client: SimClient): void {
    this.world.at(this.world.now + this.heartbeatMs, () => {
      if (client.phase !== 'holding' || !client.seat) return;
      if (this.world.now >= client.holdUntil) return this.checkin(client);
      // as the client library: a seat is heartbeated on the connection that holds it; once that
      // connection is gone (the member restarted, or the client moved on), it resumes with its token
      const held = client.heldOn;
      if (!held || held.rank !== client.target || held.life !== this.members[held.rank]!.life) {
        this.retryCheckout(client);
        return this.scheduleHeartbeat(client);
      }
      const leaseId = client.seat.leaseId;
      this.ask(client, { type: 'heartbeat', leaseIds: [leaseId] }, (reply) => {
        if (client.phase !== 'holding' || client.seat?.leaseId !== leaseId) return;
        if (reply?.type === 'heartbeatAck') {
          if (reply.unknown.includes(leaseId)) {
            this.lost(client, 'the master does not know the seat');
            client.seat = null;
            client.phase = 'idle';
            this.world.at(this.world.now + 500, () => this.startCheckout(client));
            return;
          }
          client.confirmedAt = this.world.now;
        } else if (reply?.type === 'redirect') {
          client.target = this.rankOf(reply.host);
          this.retryCheckout(client);
        } else {
          client.target = this.nextMember(client.target);
          this.retryCheckout(client);
        }
      });
      this.scheduleHeartbeat(client);
    });
  }

  private checkin(client: SimClient): void {
    if (!client.seat) return;
    client.phase = 'checkin';
    const leaseId = client.seat.leaseId;
    this.ask(client, { type: 'checkin', leaseId }, (reply) => {
      if (client.phase !== 'checkin') return;
      if (reply?.type === 'checkedIn' || (reply?.type === 'refused' && /not checked out here/.test(reply.reason))) {
        if (reply.type === 'checkedIn') this.oracle.checkedIn.add(leaseId);
        this.world.trace(`${this.tag(client)} ${reply.type === 'checkedIn' ? 'checked in' : 'already gone at checkin'}`);
        client.seat = null;
        client.phase = 'idle';
        this.world.at(this.world.now + this.world.rng.between(100, 3000), () => this.startCheckout(client));
        return;
      }
      client.target = reply?.type === 'redirect' ? this.rankOf(reply.host) : this.nextMember(client.target);
      this.world.at(this.world.now + (reply?.type === 'redirect' ? 1 : 200), () => {
        if (client.phase !== 'checkin') return;
        if (this.world.now > client.confirmedAt + client.seat!.timeoutMs + client.seat!.failoverMs + 10_000) {
          // nobody took the checkin back for long: the seat frees at its timeout anyway
          client.seat = null;
          client.phase = 'idle';
          return;
        }
        this.checkin(client);
      });
    });
  }

  /** Was the seat lost while the client was alive and heard from (no reclaim can explain it)? */
  private lost(client: SimClient, why: string): void {
    const seat = client.seat!;
    this.world.trace(`${this.tag(client)} LOST: ${why}`);
    // the server reclaims after timeoutMs without a heartbeat; the client's last confirmation
    // comes a round trip later than the server's last heartbeat, and the sweep runs periodically
    if (this.world.now - client.confirmedAt < seat.timeoutMs - this.heartbeatMs / 2)
      this.oracle.liveSeatsLost.push(`${seat.leaseId} of client ${client.id}: ${why}`);
  }

  /** One request to the client's target member over a fresh round trip; null when it timed out. */
  private ask(client: SimClient, request: ClientAsk, onReply: (reply: ServerMessage | null, via: Via) => void): void {
    const seq = ++client.seq;
    const member = this.members[client.target];
    const world = this.world;
    let via: Via = { rank: member.rank, life: member.life };
    const settle = (reply: ServerMessage | null) => {
      if (client.seq !== seq) return;
      client.seq += 1;
      onReply(reply, via);
    };
    world.at(world.now + world.rng.between(1, 10), () => {
      const service = member.service;
      if (!service) return;
      world.atFor(member, world.now, () => {
        const life = member.life;
        via = { rank: member.rank, life };
        const session = this.session(client, member);
        void service.handle({ ...request, id: ++this.requestIds } as AdminRequest, session).then(
          (reply) =>
            world.at(world.now + world.rng.between(1, 10), () => {
              // a crash drops the connection, and the answer with it
              if (member.life === life) settle(reply);
            }),
          () => undefined,
        );
      }, 'io');
    });
    world.at(world.now + REQUEST_TIMEOUT_MS, () => settle(null));
  }

  /** A client's connection to a member lasts as long as that member's process. */
  private session(client: SimClient, member: SimMember): Session {
    const key = `${client.id}:${member.rank}:${member.life}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = this.openSession(client, member);
      this.sessions.set(key, session);
    }
    return session;
  }

  private openSession(client: SimClient, member: SimMember): Session {
    const life = member.life;
    return {
      id: `client-${client.id}`,
      role: 'client',
      remoteAddress: `10.0.0.${client.id + 10}:4000`,
      remoteIp: `10.0.0.${client.id + 10}`,
      agent: 'sim client',
      send: (message) => {
        if (member.life !== life || message.type !== 'revoked' || !client.seat || !message.leaseIds.includes(client.seat.leaseId)) return;
        this.lost(client, `revoked: ${message.reason}`);
        client.seat = null;
        client.phase = 'idle';
      },
      get closed() {
        return member.life !== life;
      },
    };
  }

  private rankOf(host: string): Rank {
    const rank = HOSTS.indexOf(host as (typeof HOSTS)[number]);
    return rank < 0 ? 0 : (rank as Rank);
  }

  private nextMember(rank: Rank): Rank {
    return RANKS[(rank + 1) % 3];
  }
}
