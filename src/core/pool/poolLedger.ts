/**
 * The leases of one pool, indexed so that a checkout or checkin costs O(1) amortized instead of
 * a scan of every lease. Leases that are not lingering sit in DUP_GROUP buckets with a running
 * total of the seats they hold. Lingering leases are kept apart: whether they still hold a seat
 * depends on the time, and they are few, so they are counted when a decision is made.
 */
import { holdsSeat, shareKey } from './seats';
import type { Lease } from './types';

/** Leases sharing one DUP_GROUP key: the bucket holds as many seats as its largest lease. */
interface Bucket {
  /** lease count -> how many leases of the bucket have it */
  counts: Map<number, number>;
  max: number;
}

/** Seats held by the active (not lingering) leases of a pool, kept up to date on every change. */
class ActiveSeats {
  total = 0;
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly dupGroup: string | null) {}

  add(lease: Lease): void {
    const key = shareKey(this.dupGroup, lease);
    if (key === null) {
      this.total += lease.count;
      return;
    }
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { counts: new Map(), max: 0 };
      this.buckets.set(key, bucket);
    }
    bucket.counts.set(lease.count, (bucket.counts.get(lease.count) ?? 0) + 1);
    if (lease.count > bucket.max) {
      this.total += lease.count - bucket.max;
      bucket.max = lease.count;
    }
  }

  remove(lease: Lease): void {
    const key = shareKey(this.dupGroup, lease);
    if (key === null) {
      this.total -= lease.count;
      return;
    }
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    const left = (bucket.counts.get(lease.count) ?? 0) - 1;
    if (left > 0) {
      bucket.counts.set(lease.count, left);
      return;
    }
    bucket.counts.delete(lease.count);
    if (bucket.counts.size === 0) {
      this.buckets.delete(key);
      this.total -= bucket.max;
      return;
    }
    // distinct counts in a bucket are few: recomputing the largest is cheap
    const max = Math.max(...bucket.counts.keys());
    this.total -= bucket.max - max;
    bucket.max = max;
  }

  /** Seats the bucket of `key` holds (0 for a lease that shares with nobody). */
  heldBy(key: string | null): number {
    return key === null ? 0 : (this.buckets.get(key)?.max ?? 0);
  }
}

export class PoolLedger {
  /** Every lease of the pool, lingering ones included, in grant order. */
  private readonly all = new Map<string, Lease>();
  private readonly lingering = new Map<string, Lease>();
  /** Built at the first decision: a lease may arrive (restore) before its pool is known. */
  private active: ActiveSeats | null = null;

  get size(): number {
    return this.all.size;
  }

  get(leaseId: string): Lease | undefined {
    return this.all.get(leaseId);
  }

  /** Adds or replaces in place (a checkin that starts a linger swaps in the lingering copy). */
  set(lease: Lease): void {
    const previous = this.all.get(lease.leaseId);
    if (previous) this.unaccount(previous);
    this.all.set(lease.leaseId, lease);
    if (lease.lingerUntilMs !== null) this.lingering.set(lease.leaseId, lease);
    else this.active?.add(lease);
  }

  delete(leaseId: string): Lease | undefined {
    const lease = this.all.get(leaseId);
    if (!lease) return undefined;
    this.all.delete(leaseId);
    this.unaccount(lease);
    return lease;
  }

  private unaccount(lease: Lease): void {
    if (lease.lingerUntilMs !== null) this.lingering.delete(lease.leaseId);
    else this.active?.remove(lease);
  }

  /** Leases holding a seat now, in grant order. */
  *held(monoMs: number): Generator<Lease> {
    for (const lease of this.all.values()) if (holdsSeat(lease, monoMs)) yield lease;
  }

  /** Lingering leases that still hold a seat now. */
  lingeringHeld(monoMs: number): Lease[] {
    return [...this.lingering.values()].filter((lease) => holdsSeat(lease, monoMs));
  }

  /**
   * Seats in use now, leaving out the leases in `except` (lingering leases a new grant takes
   * over), and the seats already held in the bucket `candidate` would join.
   */
  seats(
    dupGroup: string | null,
    monoMs: number,
    except: readonly string[] = [],
    candidate?: Pick<Lease, 'user' | 'host' | 'display'>,
  ): { used: number; heldByCandidate: number } {
    const active = this.activeSeats(dupGroup);
    const candidateKey = candidate ? shareKey(dupGroup, candidate) : null;
    let used = active.total;
    let heldByCandidate = active.heldBy(candidateKey);
    if (this.lingering.size === 0) return { used, heldByCandidate };
    // a lingering lease adds seats only where it exceeds its bucket's active leases
    const lingerMax = new Map<string, number>();
    for (const lease of this.lingering.values()) {
      if (!holdsSeat(lease, monoMs) || except.includes(lease.leaseId)) continue;
      const key = shareKey(dupGroup, lease);
      if (key === null) used += lease.count;
      else lingerMax.set(key, Math.max(lingerMax.get(key) ?? 0, lease.count));
    }
    for (const [key, count] of lingerMax) {
      used += Math.max(0, count - active.heldBy(key));
      if (key === candidateKey) heldByCandidate = Math.max(heldByCandidate, count);
    }
    return { used, heldByCandidate };
  }

  private activeSeats(dupGroup: string | null): ActiveSeats {
    if (!this.active) {
      this.active = new ActiveSeats(dupGroup);
      for (const lease of this.all.values()) if (lease.lingerUntilMs === null) this.active.add(lease);
    }
    return this.active;
  }
}
