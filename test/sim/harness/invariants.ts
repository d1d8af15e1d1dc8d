import { RANKS, type LicenseIdentity, type Rank } from '../../../src/core/quorum';
import type { Oracle, SeatPayload } from './clients';
import { Cluster, RANK_LETTER, SimViolation } from './cluster';

/**
 * QUORUM.md's checks, run after every simulated event against ground truth (real time, what was
 * really delivered, what clients were really told), not against what the machines believe.
 */

const sameIdentity = (a: LicenseIdentity, b: LicenseIdentity) =>
  a.licenseHash === b.licenseHash && a.serverOrder.join(',') === b.serverOrder.join(',');

export class InvariantChecker {
  /** Masters already checked for holding every told op, as `rank:epoch`. */
  private readonly verifiedOffices = new Set<string>();

  constructor(
    private readonly cluster: Cluster,
    private readonly oracle: Oracle | null,
  ) {}

  servingMembers(): Rank[] {
    return RANKS.filter((rank) => this.cluster.nodes[rank].machine?.canServe(this.cluster.localTime(rank)) ?? false);
  }

  check(): void {
    const cluster = this.cluster;
    const serving = this.servingMembers();
    // 1. at most one master with a valid lease at any instant of real time
    if (serving.length > 1) this.fail(`two masters serving at once: ${serving.map((rank) => RANK_LETTER[rank]).join(' and ')}`);
    for (const rank of serving) {
      const node = cluster.nodes[rank];
      const machine = node.machine!;
      // 2. serving only within a lease backed by a peer heard in that time
      const leaseRealMs = machine.timings.leaseMs / (1 - cluster.options.driftBound / 2);
      const backer = machine.state.leaseFrom;
      if (backer === null || cluster.now - node.lastDeliveryAt[backer] > leaseRealMs + 1) {
        this.fail(`${RANK_LETTER[rank]} serves without having heard a peer within its lease`);
      }
      // 7. members with different license files never form a quorum (except files linked by
      // distributed license switches, while those reach all three)
      const backing = node.leaseBacking;
      const compatible =
        backing !== null &&
        (sameIdentity(backing.self, backing.backer) || this.sameLineage(backing.self.licenseHash, backing.backer.licenseHash));
      if (backer !== null && !compatible) {
        this.fail(`${RANK_LETTER[rank]} serves on a lease from ${RANK_LETTER[backer]}, which has another license file`);
      }
    }
    // 3. the tertiary never becomes master
    if (cluster.nodes[2].machine?.state.role === 'master') this.fail('the tertiary became master');
    if (!this.oracle) return;
    // 4. never more seats in use than licensed, over what clients were told
    if (this.oracle.inUse.size > this.oracle.licensed) {
      this.fail(`${this.oracle.inUse.size} seats in use, only ${this.oracle.licensed} licensed`);
    }
    // 5. every op a client was told about is in the log of every later master
    for (const rank of RANKS) {
      const machine = cluster.nodes[rank].machine;
      if (!machine || machine.state.role !== 'master') continue;
      const inOffice = machine.state.persisted.commitIndex >= machine.state.noopIndex;
      const office = `${rank}:${machine.state.persisted.epoch}`;
      if (!inOffice || this.verifiedOffices.has(office)) continue;
      this.verifiedOffices.add(office);
      for (const told of this.oracle.told) {
        const entry = machine.state.log.entryAt(told.index);
        const opId = entry && (entry.op.kind === 'grant' || entry.op.kind === 'checkin') ? (entry.op.payload as SeatPayload).opId : null;
        if (opId !== told.opId) this.fail(`${RANK_LETTER[rank]} became master without the acknowledged ${told.kind} ${told.opId} at ${told.index}`);
      }
    }
  }

  /** Two license files linked by distributed switches: members may hold either while one spreads. */
  private sameLineage(a: string, b: string): boolean {
    const seen = new Set([a]);
    const queue = [a];
    while (queue.length > 0) {
      const hash = queue.pop()!;
      for (const pair of this.cluster.licenseSwitches) {
        const [from, to] = pair.split('>');
        const next = from === hash ? to : to === hash ? from : null;
        if (next !== null && !seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return seen.has(b);
  }

  /** State machine safety: all members agree on every committed entry. */
  checkCommittedPrefixes(): void {
    const logs = RANKS.map((rank) => this.cluster.nodes[rank].disk);
    for (const a of logs) {
      for (const b of logs) {
        const upTo = Math.min(a.commitIndex, b.commitIndex);
        for (let i = 0; i < upTo; i++) {
          if (JSON.stringify(a.log[i]) !== JSON.stringify(b.log[i])) this.fail(`committed entry ${i + 1} differs between members`);
        }
      }
    }
  }

  fail(message: string): never {
    throw new SimViolation(`${message} (at ${(this.cluster.now / 1000).toFixed(3)} s)`);
  }
}
