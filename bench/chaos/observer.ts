import { queryStatus } from '../../src/core/client/searchAttempts';
import type { ServerAddress } from '../../src/core/client/connection';
import type { ServerRole } from '../../src/shared/status';
import type { Member } from './cluster';

/**
 * Polls each member's status on its hidden address (past the fault proxies) and keeps every
 * answer with the time the question left and the answer came back: the member held that role at
 * some instant inside the window. No answer (killed, stopped, overloaded) is recorded too, so a
 * member's observations form an unbroken sequence.
 */

export interface RoleObservation {
  member: Member;
  sentAt: number;
  receivedAt: number;
  /** null: no answer within the timeout. */
  role: ServerRole | null;
  /** Seats in use of the first pool, as this member reports them. */
  inUse: number | null;
}

export class RoleObserver {
  readonly observations: RoleObservation[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly addresses: readonly ServerAddress[],
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.addresses.map((address, m) => this.loop(m as Member, address));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** The most recent answer of one member. */
  latest(member: Member): RoleObservation | undefined {
    for (let i = this.observations.length - 1; i >= 0; i--) if (this.observations[i].member === member) return this.observations[i];
    return undefined;
  }

  /** The member whose latest answer says master, if exactly one does. */
  currentMaster(): Member | null {
    const masters = ([0, 1, 2] as Member[]).filter((m) => this.latest(m)?.role === 'master');
    return masters.length === 1 ? masters[0] : null;
  }

  private async loop(member: Member, address: ServerAddress): Promise<void> {
    while (this.running) {
      const sentAt = Date.now();
      const answer = await queryStatus(address, { connectTimeoutMs: 500, requestTimeoutMs: 800, agent: 'triad chaos observer' });
      const status = 'status' in answer ? answer.status : null;
      this.observations.push({ member, sentAt, receivedAt: Date.now(), role: status?.role ?? null, inUse: status?.features[0]?.inUse ?? null });
      await new Promise((r) => setTimeout(r, this.intervalMs));
    }
  }
}
