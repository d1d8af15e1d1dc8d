import type { Lease } from '../../../src/core/pool';
import type { QuorumConfig, QuorumMachine, Rank, SnapshotSettings } from '../../../src/core/quorum';
import { AdminLockout } from '../../../src/core/server/licensing/adminLockout';
import { LicensingService } from '../../../src/core/server/licensing/licensing';
import { TriadDriver } from '../../../src/core/server/triad/triadDriver';
import type { MasterAddress } from '../../../src/core/server/seams';
import { openMemoryStore, type MemoryStore, type Store } from '../../../src/core/store';
import { HOST_IDS, HOSTS, identityOf, servingConfigOf, type LicenseCatalog } from './licenses';
import { RANK_LETTER, type SimNetwork } from './network';
import { memberScheduler, SimClock, type Lifetime, type SimWorld } from './world';

/**
 * One triad member: a machine (its clocks and its disk survive a crash) running one process at a
 * time, which is the real TriadDriver and the real LicensingService on an in-memory SQLite store
 * with the same repositories and migrations. Faults act where they act on a real machine: the
 * process (crash, exit, pause), the disk (wiped, rolled back to an older copy, failed or slow
 * writes) and the wall clock (steps).
 */

export interface MemberSettings {
  heartbeatMs: number;
  driftBound: number;
  primaryIsMaster: boolean;
  tickMs: number;
  clientHeartbeatMs: number;
  /** Committed log entries kept in memory (small, so reading back from disk is exercised). */
  logMemoryEntries: number;
  /** Compaction thresholds and snapshot frame size (small, so every run compacts and sends snapshots). */
  snapshots: SnapshotSettings;
  /** Replaces the quorum engine, e.g. with a broken one to show the checker has teeth. */
  makeMachine?: (config: QuorumConfig) => QuorumMachine;
}

/** How the next write to the disk fails: before anything is written, or after (a failed fsync). */
export type WriteFault = 'none' | 'lost' | 'unsynced';

/** How the debug line of an installed snapshot starts (logLines.installedSnapshot). */
const INSTALLED_SNAPSHOT = 'Installed a snapshot from ';

const ADDRESSES = HOSTS.map((host): MasterAddress => ({ host, port: 27000 })) as unknown as readonly [MasterAddress, MasterAddress, MasterAddress];

export class SimMember implements Lifetime {
  life = 0;
  pausedUntil = 0;
  diskLatencyMs = 0;
  writeFault: WriteFault = 'none';
  readonly clock: SimClock;
  disk: MemoryStore;
  /** The license file on this machine's disk. */
  license = 1;
  /** License versions distributed switches installed here. */
  readonly switchedTo: number[] = [];
  driver: TriadDriver | null = null;
  service: LicensingService | null = null;
  /** Older copies of the disk, for a restore from backup. */
  readonly backups: Buffer[] = [];
  /** The disk is not the one the member last ran on (restored or wiped): tell the next start. */
  diskReplaced = false;
  readonly debugLines: string[] = [];
  /** The commit index or snapshot on disk moved since the checker last looked (or the disk was replaced). */
  commitChanged = true;
  /** Times this member's log was compacted on disk, by itself or by a snapshot it installed. */
  compactions = 0;
  /** Snapshots from a peer this member installed. */
  snapshotsInstalled = 0;
  /** fsyncs the driver asked of the disk: a synchronous (FULL) commit, or an explicit sync of the log. */
  syncs = 0;
  private writeDepth = 0;
  private ids = 0;

  constructor(
    readonly rank: Rank,
    private readonly world: SimWorld,
    private readonly network: SimNetwork,
    private readonly licenses: LicenseCatalog,
    private readonly settings: MemberSettings,
    /** Leases some member applied a committed release (checkin, reclaim, remove) of. */
    private readonly released: Set<string>,
  ) {
    this.clock = new SimClock(world, 1 + world.rng.between(-0.5, 0.5) * settings.driftBound, world.rng.between(1.7e12, 1.8e12));
    this.disk = openMemoryStore();
  }

  get running(): boolean {
    return this.driver !== null;
  }

  get letter(): string {
    return RANK_LETTER[this.rank];
  }

  /** Seats this member answers heartbeats for right now (it does only while it is the master). */
  answeredSeats(): Lease[] {
    if (!this.driver || !this.service || this.world.now < this.pausedUntil || this.driver.role() !== 'master') return [];
    const mono = this.clock.monoMs();
    return this.service.leases().filter((lease) => lease.lingerUntilMs === null || lease.lingerUntilMs > mono);
  }

  start(): void {
    if (this.running) return;
    this.life += 1;
    this.pausedUntil = 0;
    this.clock.processStarted();
    const license = this.licenses.get(this.license);
    this.world.trace(`${this.letter} starts (license v${license.version}${this.diskReplaced ? ', replaced disk' : ''})`);
    const store = this.faultyDisk();
    const scheduler = memberScheduler(this.world, this);
    const config: QuorumConfig = {
      self: this.rank,
      hosts: HOSTS,
      memberKeys: HOST_IDS,
      newTriadId: `triad-${this.letter}${this.life}`,
      heartbeatIntervalMs: this.settings.heartbeatMs,
      driftBound: this.settings.driftBound,
      primaryIsMaster: this.settings.primaryIsMaster,
      identity: identityOf(license),
      daemons: { lmgrd: 'lmgrd', vendor: 'ibmratl' },
      logMemoryEntries: this.settings.logMemoryEntries,
      snapshots: this.settings.snapshots,
    };
    const life = this.life;
    const debug = (daemon: string, message: string) => {
      if (message.startsWith(INSTALLED_SNAPSHOT)) this.snapshotsInstalled += 1;
      this.debugLines.push(`(${daemon}) ${message}`);
      if (this.debugLines.length > 200) this.debugLines.splice(0, 100);
      this.world.trace(`${this.letter} log (${daemon}) ${message}`);
    };
    const driver = new TriadDriver({
      store,
      config,
      addresses: ADDRESSES,
      network: this.network.endpointFor(this.rank, this),
      clock: this.clock,
      scheduler,
      debug,
      requestShutdown: (reason) => this.exitSoon(life, reason),
      reread: () => void this.service?.rereadForPeer(),
      installLicense: (payload) => {
        this.license = (payload as { version: number }).version;
        this.switchedTo.push(this.license);
        this.world.trace(`${this.letter} installs distributed license v${this.license}`);
        this.service?.rereadForPeer();
      },
      tickMs: this.settings.tickMs,
      makeMachine: this.settings.makeMachine,
      diskReplaced: this.diskReplaced,
    });
    this.driver = driver;
    try {
      driver.start();
    } catch (error) {
      // the disk failed while the process started: it exits, as `triad serve` would
      this.world.trace(`${this.letter} fails to start: ${error instanceof Error ? error.message : String(error)}`);
      this.end();
      return;
    }
    this.diskReplaced = false;
    const service = new LicensingService(
      servingConfigOf(license, this.rank),
      { host: HOSTS[this.rank], port: 27000, version: 'sim', clientHeartbeatIntervalMs: this.settings.clientHeartbeatMs, allowRemoteAdmin: false },
      {
        clock: this.clock,
        log: driver,
        gate: driver,
        debug,
        // the report log bypasses the disk's injected faults: those are for the quorum's writes
        report: (row) => void this.disk.reportLog.append(row),
        audit: () => undefined,
        adminToken: 'sim-token',
        adminLockout: new AdminLockout(),
        requestShutdown: (reason) => this.exitSoon(life, reason),
        reread: () => {
          const current = this.licenses.get(this.license);
          driver.useLicense(identityOf(current));
          return servingConfigOf(current, this.rank);
        },
        changed: () => {},
        decorateStatus: (status) => driver.decorateStatus(status),
        ids: { leaseId: () => `L${this.letter}${life}-${++this.ids}`, resumeToken: () => `R${this.letter}${life}-${this.ids}` },
      },
    );
    this.service = service;
    scheduler.every(service.sweepEveryMs, () => void service.sweep());
  }

  /** kill -9: nothing more is written, nothing more is sent. */
  crash(): void {
    if (!this.running) return;
    this.world.trace(`${this.letter} crashes`);
    this.end();
  }

  /** A stop the process asked for: it writes what it decided, its sockets flush, then it exits. */
  private exitSoon(life: number, reason: string): void {
    this.world.at(this.world.now + 100, () => this.life === life && this.exit(reason));
  }

  /** The process stops by itself (lmdown, a failed write): what it decided is written first. */
  exit(reason: string): void {
    if (!this.running) return;
    this.world.trace(`${this.letter} exits: ${reason}`);
    try {
      this.driver!.stop();
    } catch {
      // a disk that fails the final flush: the process is gone all the same
    }
    this.end();
  }

  private end(): void {
    this.life += 1;
    this.driver = null;
    this.service = null;
    this.network.leave(this.rank);
  }

  /** Keeps a copy of the disk as it is now (a backup an admin might restore). */
  backUp(): void {
    this.backups.push(this.disk.image());
    if (this.backups.length > 4) this.backups.shift();
  }

  /** The machine's disk is replaced by an empty one (the member must be down). */
  wipeDisk(): void {
    this.world.trace(`${this.letter} disk wiped`);
    this.disk = openMemoryStore();
    this.diskReplaced = true;
    this.commitChanged = true;
  }

  /** The disk is restored from an older copy (the member must be down); false without one. */
  restoreBackup(): boolean {
    const image = this.backups.length > 0 ? this.world.rng.pick(this.backups) : undefined;
    if (!image) return false;
    this.world.trace(`${this.letter} disk restored from an older copy`);
    this.disk = openMemoryStore(image);
    this.diskReplaced = true;
    this.commitChanged = true;
    return true;
  }

  /** A write as the nemesis lets it happen: the next one fails, before or after it commits. */
  private faultyWrite<T>(disk: Store, fn: () => T, synced: boolean): T {
    // an outermost synchronous commit is one fsync; a nested one is a savepoint of its caller's
    if (synced && this.writeDepth === 0) this.syncs += 1;
    const fault = this.writeFault;
    if (fault === 'none') {
      this.writeDepth += 1;
      try {
        return disk.transaction(fn);
      } finally {
        this.writeDepth -= 1;
      }
    }
    this.writeFault = 'none';
    this.world.trace(`${this.letter} write fails (${fault})`);
    if (fault === 'unsynced') disk.transaction(fn);
    throw new Error(fault === 'lost' ? 'disk I/O error' : 'fsync failed');
  }

  /**
   * The disk as the driver sees it: a write can fail as the nemesis says, and committed releases
   * of seats (checkin, reclaim, remove) are noted for the checker as the driver applies them.
   */
  private faultyDisk(): Store {
    const disk = this.disk;
    const leases = disk.leases;
    const quorum = disk.quorum;
    const released = this.released;
    return {
      ...disk,
      quorum: {
        ...quorum,
        setCommitIndex: (commitIndex) => {
          this.commitChanged = true;
          quorum.setCommitIndex(commitIndex);
        },
        compact: (snapshot) => {
          this.commitChanged = true;
          if (snapshot.index > 0) this.compactions += 1;
          quorum.compact(snapshot);
        },
      },
      leases: {
        ...leases,
        delete: (leaseId) => {
          released.add(leaseId);
          return leases.delete(leaseId);
        },
        checkin: (leaseId, atMs) => {
          released.add(leaseId);
          leases.checkin(leaseId, atMs);
        },
      },
      transaction: <T>(fn: () => T): T => this.faultyWrite(disk, fn, true),
      transactionUnsynced: <T>(fn: () => T): T => this.faultyWrite(disk, fn, false),
      syncLog: async () => {
        this.syncs += 1;
        await disk.syncLog();
      },
      syncLogNow: () => {
        this.syncs += 1;
        disk.syncLogNow();
      },
    };
  }
}
