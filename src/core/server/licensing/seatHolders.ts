import type { Session } from './listener';

/**
 * Which connection holds each seat (lease id -> session), and so who may act on it: a seat is
 * heartbeated and checked in only by the connection it was granted on, or by a connection that
 * presented the seat's resume token (which then becomes its holder). Lease ids are not secrets
 * a client must keep; knowing one gives no power over the seat.
 *
 * The map is per process: a restarted server or a new triad master knows no holders until each
 * client resumes with its token, which every client does after a reconnect.
 */
export class SeatHolders {
  private readonly byLease = new Map<string, Session>();
  private readonly seatsOf = new Map<string, number>();

  /** The session now holds the seat (granted on it, or resumed with the seat's token). */
  bind(leaseId: string, session: Session): void {
    if (this.byLease.get(leaseId) === session) return;
    this.release(leaseId);
    this.byLease.set(leaseId, session);
    this.seatsOf.set(session.id, (this.seatsOf.get(session.id) ?? 0) + 1);
  }

  /** The seat is gone (checked in, reclaimed, removed). */
  release(leaseId: string): void {
    const holder = this.byLease.get(leaseId);
    if (!holder) return;
    this.byLease.delete(leaseId);
    const left = (this.seatsOf.get(holder.id) ?? 1) - 1;
    if (left > 0) this.seatsOf.set(holder.id, left);
    else this.seatsOf.delete(holder.id);
  }

  holder(leaseId: string): Session | undefined {
    return this.byLease.get(leaseId);
  }

  owns(leaseId: string, session: Session): boolean {
    return this.byLease.get(leaseId) === session;
  }

  /** Whether the session holds any seat (a connection without one gets the short idle timeout). */
  holdsAny(session: Pick<Session, 'id'>): boolean {
    return this.seatsOf.has(session.id);
  }
}
