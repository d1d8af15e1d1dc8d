import { checkout, type HeldLicense } from '../../src/core/client/checkout';
import type { ServerAddress } from '../../src/core/client/connection';

/**
 * Chaos clients: in-process users of the client library that check out, hold for a random time
 * (heartbeating, resuming through failovers), check in, and write down everything they were told
 * with the wall-clock time, for the checker. Client i lists the servers starting at member i mod 3
 * (users' license search paths differ), so some ask a standby first and follow its redirect.
 */

export type ClientEventKind = 'granted' | 'denied' | 'unreachable' | 'lost' | 'resumed' | 'confirmed' | 'checkinSent' | 'checkedIn';

export interface ClientEvent {
  atMs: number;
  client: number;
  kind: ClientEventKind;
  /** For granted/lost/resumed/checkin*: the seat's lease id. */
  leaseId?: string;
  /** Denial reason, lost reason, server resumed on or that answered a heartbeat. */
  detail?: string;
}

export interface ChaosClientsOptions {
  count: number;
  servers: ServerAddress[];
  random: () => number;
  holdMs: [number, number];
  pauseMs: [number, number];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ChaosClients {
  readonly events: ClientEvent[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  /** Wakes holders early at the end of the run, so they check in. */
  private readonly stopWaiters = new Set<() => void>();

  constructor(private readonly options: ChaosClientsOptions) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.count }, (_, client) => this.loop(client));
  }

  /** Stops checking out; every holder checks in; resolves when all are done. */
  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.stopWaiters) wake();
    await Promise.all(this.loops);
  }

  private record(client: number, kind: ClientEventKind, leaseId?: string, detail?: string): void {
    this.events.push({ atMs: Date.now(), client, kind, ...(leaseId ? { leaseId } : {}), ...(detail ? { detail } : {}) });
  }

  private between([low, high]: [number, number]): number {
    return low + (high - low) * this.options.random();
  }

  private async wait(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.stopWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.stopWaiters.add(wake);
    });
  }

  private async loop(client: number): Promise<void> {
    // spread the first requests out
    await sleep(this.between([0, 500]));
    while (this.running) {
      const servers = this.options.servers;
      const start = client % servers.length;
      const result = await checkout(
        [...servers.slice(start), ...servers.slice(0, start)],
        { feature: 'cad', version: '1.0', count: 1, user: `chaos${client}`, host: `box${client}`, display: `/dev/pts/${client}` },
        { connectTimeoutMs: 1_000, requestTimeoutMs: 2_000, agent: 'triad chaos client' },
      );
      if (result.kind === 'granted') {
        await this.hold(client, result.license);
      } else {
        if (result.kind === 'denied') this.record(client, 'denied', undefined, `${result.code} ${result.reason}`);
        else this.record(client, 'unreachable', undefined, result.errors.join('; ').slice(0, 300));
        await this.wait(this.between(this.options.pauseMs));
      }
    }
  }

  private async hold(client: number, license: HeldLicense): Promise<void> {
    const leaseId = license.details.leaseId;
    this.record(client, 'granted', leaseId, `${license.server.port}@${license.server.host}`);
    let lost = false;
    license.on('lost', (reason) => {
      lost = true;
      this.record(client, 'lost', leaseId, reason);
    });
    license.on('resumed', (server) => this.record(client, 'resumed', leaseId, `${server.port}@${server.host}`));
    license.on('confirmed', (server) => this.record(client, 'confirmed', leaseId, `${server.port}@${server.host}`));
    const until = Date.now() + this.between(this.options.holdMs);
    while (!lost && this.running && Date.now() < until) await this.wait(Math.min(200, until - Date.now()));
    if (lost) return;
    this.record(client, 'checkinSent', leaseId);
    await license.checkin();
    this.record(client, 'checkedIn', leaseId);
    if (this.running) await this.wait(this.between(this.options.pauseMs));
  }
}
