import { RANKS, type Rank } from '../../../src/core/quorum';
import type { PeerConnection, PeerNetwork, PeerNetworkEvents } from '../../../src/core/server/triad/peerNetwork';
import type { Lifetime, SimWorld } from './world';

/**
 * The peer network between the three members: one connection per pair while both run and the
 * pair is not cut (symmetric cuts break the connection, as TCP does; one-way cuts drop one
 * direction silently, as a blackhole route does). Messages cross as JSON, with delay, loss,
 * duplication and reordering as the conditions say. A closed connection is dialled again after a
 * heartbeat interval, as the TCP network does.
 */

export interface NetworkConditions {
  lossRate: number;
  duplicateRate: number;
  /** Delay is uniform in [minDelayMs, maxDelayMs]: the spread reorders messages. */
  minDelayMs: number;
  maxDelayMs: number;
}

export const calmNetwork: NetworkConditions = { lossRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 5 };

const pairKey = (a: Rank, b: Rank) => (a < b ? `${a}${b}` : `${b}${a}`);
export const RANK_LETTER = ['P', 'S', 'T'] as const;

interface Endpoint {
  owner: Lifetime;
  events: PeerNetworkEvents | null;
}

interface Connection {
  id: number;
  sides: Map<Rank, PeerConnection>;
}

export class SimNetwork {
  conditions: NetworkConditions = calmNetwork;
  /** Scenarios drop chosen messages (e.g. only acknowledgements); true keeps the message. */
  filter: (from: Rank, to: Rank, message: unknown) => boolean = () => true;
  private readonly endpoints = new Map<Rank, Endpoint>();
  private readonly connections = new Map<string, Connection>();
  private readonly cuts = new Set<string>();
  private readonly oneWayCuts = new Set<string>();
  /** Pairs whose connection was closed by a member: redialled after `redialMs`. */
  private readonly closedUntil = new Map<string, number>();
  private sequence = 0;

  constructor(
    private readonly world: SimWorld,
    private readonly redialMs: number,
  ) {}

  /** The PeerNetwork a member's driver uses during one life. */
  endpointFor(rank: Rank, owner: Lifetime): PeerNetwork {
    const endpoint: Endpoint = { owner, events: null };
    return {
      start: (events) => {
        endpoint.events = events;
        this.endpoints.set(rank, endpoint);
        this.refresh();
      },
      stop: () => this.leave(rank, endpoint),
      warnings: () => [],
    };
  }

  /** A member's process is gone (crash, exit): its connections break. */
  leave(rank: Rank, endpoint?: Endpoint): void {
    const current = this.endpoints.get(rank);
    if (!current || (endpoint && current !== endpoint)) return;
    this.endpoints.delete(rank);
    this.refresh();
  }

  cut(a: Rank, b: Rank): void {
    this.world.trace(`cut ${RANK_LETTER[a]}-${RANK_LETTER[b]}`);
    this.cuts.add(pairKey(a, b));
    this.refresh();
  }

  /** Messages from `from` to `to` vanish; the connection stays up. */
  cutOneWay(from: Rank, to: Rank): void {
    this.world.trace(`cut ${RANK_LETTER[from]}->${RANK_LETTER[to]}`);
    this.oneWayCuts.add(`${from}${to}`);
  }

  heal(a: Rank, b: Rank): void {
    this.world.trace(`heal ${RANK_LETTER[a]}-${RANK_LETTER[b]}`);
    this.cuts.delete(pairKey(a, b));
    this.oneWayCuts.delete(`${a}${b}`);
    this.oneWayCuts.delete(`${b}${a}`);
    this.refresh();
  }

  healAll(): void {
    this.world.trace('heal all links');
    this.cuts.clear();
    this.oneWayCuts.clear();
    this.conditions = calmNetwork;
    this.refresh();
  }

  private refresh(): void {
    for (const a of RANKS) {
      for (const b of RANKS) {
        if (a >= b) continue;
        const key = pairKey(a, b);
        const wanted = this.endpoints.has(a) && this.endpoints.has(b) && !this.cuts.has(key) && this.world.now >= (this.closedUntil.get(key) ?? 0);
        const current = this.connections.get(key);
        if (wanted && !current) this.open(a, b);
        else if (!wanted && current) this.drop(key, current);
      }
    }
  }

  private open(a: Rank, b: Rank): void {
    const connection: Connection = { id: ++this.sequence, sides: new Map() };
    const key = pairKey(a, b);
    this.connections.set(key, connection);
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      connection.sides.set(self, {
        send: (message) => this.send(self, other, connection, message),
        close: () => this.closedByMember(key, connection),
        remoteAddress: `10.0.0.${other + 1}:27000`,
      });
    }
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      this.endpoints.get(self)?.events?.linkUp(other, connection.sides.get(self)!);
    }
  }

  private drop(key: string, connection: Connection): void {
    if (this.connections.get(key) !== connection) return;
    this.connections.delete(key);
    for (const [self, side] of connection.sides) {
      const other = RANKS.find((rank) => rank !== self && key.includes(String(rank)))!;
      this.endpoints.get(self)?.events?.linkDown(other, side);
    }
  }

  /** A member closed the link (a bad frame, a newer link): both ends see it go; redial later. */
  private closedByMember(key: string, connection: Connection): void {
    if (this.connections.get(key) !== connection) return;
    this.closedUntil.set(key, this.world.now + this.redialMs);
    this.drop(key, connection);
    this.world.at(this.world.now + this.redialMs, () => this.refresh());
  }

  private send(from: Rank, to: Rank, connection: Connection, message: unknown): void {
    const key = pairKey(from, to);
    if (this.connections.get(key) !== connection || this.oneWayCuts.has(`${from}${to}`) || !this.filter(from, to, message)) return;
    const conditions = this.conditions;
    const rng = this.world.rng;
    if (rng.chance(conditions.lossRate)) return;
    // the wire carries JSON: nothing the receiver gets is shared with the sender
    const wire = JSON.stringify(message);
    const copies = rng.chance(conditions.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = rng.between(conditions.minDelayMs, conditions.maxDelayMs);
      this.world.at(this.world.now + delay, () => this.deliver(from, to, connection, wire));
    }
  }

  private deliver(from: Rank, to: Rank, connection: Connection, wire: string): void {
    const endpoint = this.endpoints.get(to);
    if (!endpoint || this.connections.get(pairKey(from, to)) !== connection) return;
    const side = connection.sides.get(to)!;
    // a paused receiver reads its socket later
    this.world.atFor(endpoint.owner, this.world.now, () => {
      if (this.connections.get(pairKey(from, to)) !== connection) return;
      endpoint.events?.message(from, JSON.parse(wire) as unknown, side);
    }, 'io');
  }
}
