import { HOST_IDS, type LicenseCatalog } from './licenses';
import type { Oracle } from './clients';
import type { SimMember } from './member';
import type { SimWorld } from './world';

/**
 * QUORUM.md's checks, run after every event against ground truth: simulated real time, what each
 * real driver and licensing service would answer at that instant, what clients were told, and
 * what is on each member's disk.
 */

export class SimViolation extends Error {}

export class WorldChecker {
  /** Entries some member had committed, by index, as JSON: a committed entry never changes. */
  private readonly committed = new Map<number, { epoch: number; text: string }>();
  private readonly verified = new Map<SimMember, { disk: unknown; upTo: number }>();
  /** Each member disk's report rows read so far, by lease and event: a row is never written twice. */
  private readonly reported = new Map<SimMember, { disk: unknown; afterId: number; seen: Set<string> }>();
  /** The term each member last served as master in: a new one is a new master. */
  private readonly servedTerm = new Map<SimMember, string>();

  constructor(
    private readonly world: SimWorld,
    private readonly members: readonly SimMember[],
    private readonly oracle: Oracle,
    private readonly licenses: LicenseCatalog,
    private readonly released: ReadonlySet<string>,
  ) {}

  masters(): SimMember[] {
    return this.members.filter((member) => member.driver?.role() === 'master');
  }

  check(): void {
    const masters = this.masters();
    // 1. at most one master at any instant of real time
    if (masters.length > 1) this.fail(`two masters serving at once: ${masters.map((m) => m.letter).join(' and ')}`);
    // 3. the tertiary never becomes master
    if (masters.some((member) => member.rank === 2)) this.fail('the tertiary became master');
    for (const member of this.members) {
      // 8. a running triad never switches to a file that reorders or replaces its SERVER lines
      const reordering = member.switchedTo.find((version) => this.licenses.get(version).serverOrder.some((id, i) => id !== HOST_IDS[i]));
      if (reordering !== undefined) this.fail(`${member.letter} switched to license v${reordering}, whose SERVER lines reorder the triad's members`);
      if (masters.includes(member)) {
        // within its term a master's seats include its own decisions not yet committed (a
        // checkin, a reclaim); a new term must hold everything a client was told
        const term = `${member.life}:${member.driver!.term()}`;
        if (this.servedTerm.get(member) !== term) this.checkNewMasterHoldsGrants(member);
        this.servedTerm.set(member, term);
      }
      this.checkCommittedEntries(member);
    }
    this.checkSeatsOut();
    if (this.oracle.liveSeatsLost.length > 0) this.fail(`a client lost a seat it kept alive: ${this.oracle.liveSeatsLost[0]}`);
  }

  /** 5. every seat a client was told of is held by every later master, until released. */
  private checkNewMasterHoldsGrants(member: SimMember): void {
    const held = new Set(member.service!.leases().map((lease) => lease.leaseId));
    for (const grant of this.oracle.grants.values()) {
      if (this.released.has(grant.leaseId) || held.has(grant.leaseId)) continue;
      this.fail(`${member.letter} became master without the acknowledged seat ${grant.leaseId} (told at ${(grant.toldAt / 1000).toFixed(3)} s)`);
    }
  }

  /**
   * 4. seats out never above the licensed count, counting every seat some member would still
   * answer a heartbeat for (not only what a log says).
   */
  private checkSeatsOut(): void {
    const seats = new Map<string, number>();
    for (const member of this.members) for (const lease of member.answeredSeats()) seats.set(lease.leaseId, lease.count);
    const out = [...seats.values()].reduce((sum, count) => sum + count, 0);
    const licensed = this.licenses.maxSeats();
    if (out > licensed) this.fail(`${out} seats out (answered for by the serving members), only ${licensed} licensed: ${[...seats.keys()].join(', ')}`);
  }

  /**
   * 2. what a member has committed on its disk agrees with every other commit of that index.
   * Entries compacted away are no longer there to compare; the snapshot that replaced them says
   * the epoch of its last one, which must agree too, and a snapshot is only ever of committed
   * entries.
   */
  private checkCommittedEntries(member: SimMember): void {
    if (!member.commitChanged) return;
    member.commitChanged = false;
    const disk = member.disk;
    let record = this.verified.get(member);
    if (!record || record.disk !== disk) {
      record = { disk, upTo: 0 };
      this.verified.set(member, record);
    }
    this.checkReportRowsOnce(member);
    const commitIndex = disk.quorum.state().commitIndex;
    const snapshot = disk.quorum.snapshot();
    if (snapshot.index > commitIndex) this.fail(`${member.letter} compacted its log up to ${snapshot.index}, beyond its commit index ${commitIndex}`);
    const known = this.committed.get(snapshot.index);
    if (known && known.epoch !== snapshot.epoch) {
      const what = `${member.letter}'s snapshot ends at entry ${snapshot.index} of epoch ${snapshot.epoch}`;
      this.fail(`${what}, but the entry committed there is of epoch ${known.epoch}`);
    }
    if (commitIndex <= record.upTo) return;
    // (compacted entries are gone: the rows read start at the snapshot, so the count does not bound them)
    for (const row of disk.quorum.readFrom(record.upTo + 1, commitIndex - record.upTo).filter((row) => row.idx <= commitIndex)) {
      const text = JSON.stringify({ epoch: row.epoch, op: row.op });
      const before = this.committed.get(row.idx);
      if (before === undefined) this.committed.set(row.idx, { epoch: row.epoch, text });
      else if (before.text !== text) {
        this.fail(`committed entry ${row.idx} on ${member.letter} differs from the one committed before: ${text} vs ${before.text}`);
      }
    }
    record.upTo = commitIndex;
  }

  /**
   * 9. a member's report log holds each lease's OUT, IN, RECLAIM or REMOVE at most once: the row is
   * written with the apply of its op, atomically with the commit index, so a restart that
   * re-applies committed entries does not record them again.
   */
  private checkReportRowsOnce(member: SimMember): void {
    let record = this.reported.get(member);
    if (!record || record.disk !== member.disk) {
      record = { disk: member.disk, afterId: 0, seen: new Set() };
      this.reported.set(member, record);
    }
    for (const row of member.disk.reportLog.query({ afterId: record.afterId, limit: 100_000 })) {
      record.afterId = row.id;
      if (row.leaseId === null) continue;
      const key = `${row.event} ${row.leaseId}`;
      if (record.seen.has(key)) this.fail(`${member.letter}'s report log has ${key} twice`);
      record.seen.add(key);
    }
  }

  fail(message: string): never {
    throw new SimViolation(`${message} (at ${(this.world.now / 1000).toFixed(3)} s)`);
  }
}
