import { RANKS, electionTimeoutMs, quorumTimings, type QuorumConfig, type QuorumMachine, type Rank, type SnapshotSettings } from '../../../src/core/quorum';
import { WorldChecker, SimViolation } from './checker';
import { SimClients } from './clients';
import { LicenseCatalog, identityOf } from './licenses';
import { SimMember, type MemberSettings } from './member';
import { SimNetwork } from './network';
import { SimWorld } from './world';

/**
 * A whole simulated triad: the world, its network, three members running the real driver and
 * licensing service, clients and the checker, wired so that a scenario or the nemesis can drive
 * them. `distribute` and `importOn` are the two ways an admin changes license files at run time.
 */

export interface TriadWorldOptions {
  seed: number;
  seats?: number;
  clients?: number;
  heartbeatMs?: number;
  primaryIsMaster?: boolean;
  fullTrace?: boolean;
  makeMachine?: (config: QuorumConfig) => QuorumMachine;
  snapshots?: SnapshotSettings;
}

/**
 * Tiny compaction thresholds and frames of a few seats: every run compacts, a member that falls
 * a little behind gets a snapshot in several frames.
 */
export const SIM_SNAPSHOTS: SnapshotSettings = { compactAfterEntries: 20, keepEntries: 4, chunkBytes: 1000 };

export const DRIFT = 0.01;
export const TICK_MS = 50;

export class TriadWorld {
  readonly world: SimWorld;
  readonly network: SimNetwork;
  readonly licenses: LicenseCatalog;
  readonly members: SimMember[];
  readonly clients: SimClients;
  readonly checker: WorldChecker;
  readonly released = new Set<string>();
  readonly settings: MemberSettings;

  constructor(readonly options: TriadWorldOptions) {
    const heartbeatMs = options.heartbeatMs ?? 1000;
    this.world = new SimWorld(options.seed, options.fullTrace);
    this.network = new SimNetwork(this.world, heartbeatMs);
    this.licenses = new LicenseCatalog(options.seats ?? 3);
    this.settings = {
      heartbeatMs,
      driftBound: DRIFT,
      primaryIsMaster: options.primaryIsMaster ?? false,
      tickMs: TICK_MS,
      // a seat lives 3 heartbeats (6 s) without one: longer than any fault on its client's path
      clientHeartbeatMs: 2000,
      logMemoryEntries: 32,
      snapshots: options.snapshots ?? SIM_SNAPSHOTS,
      makeMachine: options.makeMachine,
    };
    this.members = RANKS.map((rank) => new SimMember(rank, this.world, this.network, this.licenses, this.settings, this.released));
    this.clients = new SimClients(this.world, this.members, options.clients ?? 6, this.settings.clientHeartbeatMs);
    this.checker = new WorldChecker(this.world, this.members, this.clients.oracle, this.licenses, this.released);
    this.world.afterEvent = () => this.checker.check();
  }

  member(rank: Rank): SimMember {
    return this.members[rank];
  }

  /** E for the secondary: what QUORUM.md's bound on recovery after a heal is made of. */
  electionMs(): number {
    return electionTimeoutMs(quorumTimings(this.settings.heartbeatMs, DRIFT), 1);
  }

  /** The admin imports a new license file on the master and distributes it to all three. */
  distribute(seats: number, serverOrder?: readonly string[]): boolean {
    const master = this.checker.masters()[0];
    if (!master?.driver) return false;
    const license = this.licenses.issue(seats, serverOrder);
    this.world.trace(
      `${master.letter} distributes license v${license.version} (${seats} seats${serverOrder ? `, SERVER lines ${serverOrder.join(' ')}` : ''})`,
    );
    master.driver.distributeLicense({ version: license.version }, identityOf(license)).then(
      () => this.world.trace(`license v${license.version} distributed`),
      (error: Error) => this.world.trace(`license v${license.version} not distributed: ${error.message}`),
    );
    return true;
  }

  /** The admin imports a license file on one member only (its License files screen, no distribution). */
  importOn(rank: Rank, seats: number): void {
    const member = this.member(rank);
    const license = this.licenses.issue(seats);
    member.license = license.version;
    this.world.trace(`${member.letter} imports license v${license.version} by hand (${seats} seats)`);
    member.service?.rereadForPeer();
  }

  /**
   * The fault model allows one member with lost state at a time: this one may lose its disk
   * only if every other member holds its triad's state and votes (is not catching up).
   */
  mayLoseState(member: SimMember): boolean {
    return this.members.every((other) => {
      if (other === member) return true;
      const state = other.disk.quorum.state();
      return !other.diskReplaced && state.triadId !== null && !state.learner;
    });
  }

  /** Runs until `untilMs`; a violation is returned, not thrown. */
  async run(untilMs: number): Promise<string | null> {
    try {
      await this.world.runUntil(untilMs);
      return null;
    } catch (error) {
      if (error instanceof SimViolation) return error.message;
      throw error;
    }
  }
}
