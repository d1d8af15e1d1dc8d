import type { LogEntry, QuorumEffect, Rank } from '../../../src/core/quorum';
import { Cluster, RANK_LETTER, type SimNode } from './cluster';

/**
 * License clients and the license-server side that answers them, reduced to what the quorum
 * must protect: seats. A client checks out with its lease id (its resume token: a retry after a
 * lost answer cannot take a second seat), holds, checks in, and follows redirects. The oracle
 * records only what clients were told, which is what the checker holds the triad to.
 */

export interface SeatPayload {
  leaseId: string;
  opId: string;
}

export interface ToldOp {
  index: number;
  opId: string;
  kind: 'grant' | 'checkin';
}

export interface Oracle {
  licensed: number;
  /** Leases a client was told it holds and still uses (until it asks to check in). */
  inUse: Set<string>;
  /** Every op a client heard the outcome of, with its log index. */
  told: ToldOp[];
  grantsTold: number;
}

type Request = { kind: 'checkout' | 'checkin'; leaseId: string; seq: number };
type Reply =
  | { kind: 'granted' | 'checkedIn'; seq: number; index: number; opId: string }
  | { kind: 'redirect'; seq: number; master: Rank | null }
  | { kind: 'denied'; seq: number };

interface Client {
  id: number;
  phase: 'idle' | 'checkout' | 'holding' | 'checkin';
  leaseId: string | null;
  leaseCount: number;
  target: Rank;
  seq: number;
}

const REQUEST_TIMEOUT_MS = 1500;

/** Seats held according to a log (committed or not): the master's view when it decides. */
export function seatsHeld(log: readonly LogEntry[]): Map<string, LogEntry> {
  const held = new Map<string, LogEntry>();
  for (const entry of log) {
    if (entry.op.kind !== 'grant' && entry.op.kind !== 'checkin') continue;
    const payload = entry.op.payload as SeatPayload;
    if (entry.op.kind === 'grant') {
      if (!held.has(payload.leaseId)) held.set(payload.leaseId, entry);
    } else held.delete(payload.leaseId);
  }
  return held;
}

export class ClientPopulation {
  readonly oracle: Oracle;
  private readonly clients: Client[];
  private readonly waiting = new Map<string, { client: Client; seq: number; opId: string; kind: 'granted' | 'checkedIn' }>();
  private opCounter = 0;
  private active = true;

  constructor(
    private readonly cluster: Cluster,
    count: number,
    licensed: number,
  ) {
    this.oracle = { licensed, inUse: new Set(), told: [], grantsTold: 0 };
    this.clients = Array.from({ length: count }, (_, id) => ({ id, phase: 'idle', leaseId: null, leaseCount: 0, target: 0, seq: 0 }));
    cluster.onEffect = (node, effect) => this.onEffect(node, effect);
    for (const client of this.clients) cluster.at(cluster.rng.between(0, 3000), () => this.next(client));
  }

  /** Clients stop starting new work (they still finish what they asked). */
  stop(): void {
    this.active = false;
  }

  private next(client: Client): void {
    if (!this.active || client.phase !== 'idle') return;
    if (client.leaseId === null) client.leaseId = `c${client.id}-${++client.leaseCount}`;
    client.phase = 'checkout';
    this.request(client, 'checkout');
  }

  private request(client: Client, kind: Request['kind']): void {
    const seq = ++client.seq;
    const request: Request = { kind, leaseId: client.leaseId!, seq };
    const target = client.target;
    const cluster = this.cluster;
    cluster.at(cluster.now + cluster.rng.between(1, 10), () => this.serve(cluster.nodes[target], client, request));
    cluster.at(cluster.now + REQUEST_TIMEOUT_MS, () => {
      if (client.seq !== seq) return;
      client.target = ((client.target + 1) % 3) as Rank;
      this.request(client, kind);
    });
  }

  private reply(node: SimNode, client: Client, reply: Reply): void {
    const cluster = this.cluster;
    const life = node.life;
    cluster.at(cluster.now + cluster.rng.between(1, 10), () => {
      // a crash drops the connection, and the answer with it
      if (node.life !== life) return;
      this.receive(client, reply);
    });
  }

  private receive(client: Client, reply: Reply): void {
    if (reply.seq !== client.seq) return;
    client.seq += 1;
    const cluster = this.cluster;
    const tag = `client ${client.id} ${client.leaseId}`;
    switch (reply.kind) {
      case 'granted': {
        if (client.phase !== 'checkout') return;
        this.oracle.inUse.add(client.leaseId!);
        this.oracle.told.push({ index: reply.index, opId: reply.opId, kind: 'grant' });
        this.oracle.grantsTold += 1;
        client.phase = 'holding';
        cluster.trace(`${tag} granted at ${reply.index}`);
        cluster.at(cluster.now + cluster.rng.between(200, 4000), () => {
          // the client stops using the seat when it asks to give it back
          this.oracle.inUse.delete(client.leaseId!);
          client.phase = 'checkin';
          this.request(client, 'checkin');
        });
        return;
      }
      case 'checkedIn':
        if (client.phase !== 'checkin') return;
        this.oracle.told.push({ index: reply.index, opId: reply.opId, kind: 'checkin' });
        cluster.trace(`${tag} checked in at ${reply.index}`);
        client.phase = 'idle';
        client.leaseId = null;
        cluster.at(cluster.now + cluster.rng.between(100, 3000), () => this.next(client));
        return;
      case 'denied':
        cluster.trace(`${tag} denied`);
        client.phase = 'idle';
        cluster.at(cluster.now + cluster.rng.between(300, 2000), () => this.next(client));
        return;
      case 'redirect': {
        const kind = client.phase === 'checkin' ? 'checkin' : 'checkout';
        const known = reply.master !== null && reply.master !== client.target;
        client.target = known ? reply.master! : (((client.target + 1) % 3) as Rank);
        cluster.at(cluster.now + (known ? 1 : 200), () => {
          if (client.phase === kind) this.request(client, kind);
        });
        return;
      }
    }
  }

  /** The license server's side of one request, on member `node`. */
  private serve(node: SimNode, client: Client, request: Request): void {
    const machine = node.machine;
    if (!machine) return;
    const cluster = this.cluster;
    if (!machine.canServe(cluster.localTime(node.rank))) {
      const master = machine.knownMaster();
      this.reply(node, client, { kind: 'redirect', seq: request.seq, master: master === node.rank ? null : master });
      return;
    }
    const held = seatsHeld(machine.state.log.range(1));
    if (request.kind === 'checkout') {
      const grant = held.get(request.leaseId);
      if (grant && grant.index <= machine.state.persisted.commitIndex) {
        // resumed: the seat is already this client's
        const opId = (grant.op as { payload: SeatPayload }).payload.opId;
        this.reply(node, client, { kind: 'granted', seq: request.seq, index: grant.index, opId });
        return;
      }
      if (!grant && held.size >= this.oracle.licensed) {
        this.reply(node, client, { kind: 'denied', seq: request.seq });
        return;
      }
    }
    const opId = `op${++this.opCounter}`;
    const requestId = `${RANK_LETTER[node.rank]}-${opId}`;
    this.waiting.set(requestId, { client, seq: request.seq, opId, kind: request.kind === 'checkout' ? 'granted' : 'checkedIn' });
    const op = { kind: request.kind === 'checkout' ? ('grant' as const) : ('checkin' as const), payload: { leaseId: request.leaseId, opId } };
    cluster.input(node, { type: 'clientOp', nowMs: cluster.localTime(node.rank), requestId, op });
  }

  private onEffect(node: SimNode, effect: QuorumEffect): void {
    if (effect.type === 'commit' && effect.requestId) {
      const waiting = this.waiting.get(effect.requestId);
      if (!waiting) return;
      this.waiting.delete(effect.requestId);
      this.reply(node, waiting.client, { kind: waiting.kind, seq: waiting.seq, index: effect.index, opId: waiting.opId });
    } else if (effect.type === 'opFailed') {
      const waiting = this.waiting.get(effect.requestId);
      if (!waiting) return;
      this.waiting.delete(effect.requestId);
      this.reply(node, waiting.client, { kind: 'redirect', seq: waiting.seq, master: null });
    }
  }
}
