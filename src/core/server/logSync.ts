import type { Store } from '../store';

type AfterSync = (error: Error | null) => void;

/** fsyncs in flight at once: each covers the commits made before it started. */
const MAX_SYNCS_IN_FLIGHT = 2;

/**
 * Durability for group commits made with `store.transactionUnsynced`: `afterSync(fn)` runs `fn`
 * once an fsync of the WAL that started after the caller's commit has finished. Each group commit
 * starts its own fsync at once (up to MAX_SYNCS_IN_FLIGHT; beyond that the next one to start
 * covers every commit waiting), so a reply waits for one fsync, not for the one before it too.
 * Callbacks run in the order they were registered, so replies leave in commit order: a finished
 * fsync also releases every earlier commit, whose data was written before it started.
 */
export class LogSync {
  /** Registered callbacks, oldest first, each with the first fsync that covers it. */
  private pending: { then: AfterSync; coveredBy: number }[] = [];
  /** Number of the next fsync to start. */
  private nextSync = 1;
  private inFlight = 0;

  /** `callbackFailed` hears a callback's exception after the others ran (by default it is thrown: a bug). */
  constructor(
    private readonly store: Pick<Store, 'syncLog' | 'syncLogNow'>,
    private readonly callbackFailed: (error: unknown) => void = (error) => {
      throw error;
    },
  ) {}

  afterSync(then: AfterSync): void {
    this.pending.push({ then, coveredBy: this.nextSync });
    if (this.inFlight < MAX_SYNCS_IN_FLIGHT) this.start();
  }

  /** Shutdown: fsyncs on this thread and runs every pending callback now. */
  syncNow(): void {
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0) return;
    let failure: Error | null = null;
    try {
      this.store.syncLogNow();
    } catch (error) {
      failure = asError(error);
    }
    this.runAll(pending, failure);
  }

  private start(): void {
    const id = this.nextSync++;
    this.inFlight++;
    this.store.syncLog().then(
      () => this.finish(id, null),
      (error: unknown) => this.finish(id, asError(error)),
    );
  }

  private finish(id: number, failure: Error | null): void {
    this.inFlight--;
    // coveredBy never decreases along the queue: the covered callbacks are a prefix
    let covered = 0;
    while (covered < this.pending.length && this.pending[covered].coveredBy <= id) covered++;
    const done = this.pending.splice(0, covered);
    // commits registered while every slot was busy have no fsync yet
    if (this.pending.at(-1)?.coveredBy === this.nextSync && this.inFlight < MAX_SYNCS_IN_FLIGHT) this.start();
    this.runAll(done, failure);
  }

  /** Every callback runs even if one throws, so one bug does not leave the others' clients waiting. */
  private runAll(callbacks: readonly { then: AfterSync }[], failure: Error | null): void {
    let thrown: { error: unknown } | null = null;
    for (const { then } of callbacks) {
      try {
        then(failure);
      } catch (error) {
        thrown ??= { error };
      }
    }
    if (thrown) this.callbackFailed(thrown.error);
  }
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
