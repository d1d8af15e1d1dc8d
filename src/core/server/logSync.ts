import type { Store } from '../store';

type AfterSync = (error: Error | null) => void;

/**
 * Durability for group commits made with `store.transactionUnsynced`: `afterSync(fn)` runs `fn`
 * once an fsync of the WAL that started after the caller's commit has finished. One fsync is in
 * flight at a time; every commit made meanwhile shares the next one, so under load the fsync
 * rate stays bounded by the disk while the event loop keeps answering. Callbacks run in the
 * order they were registered, so replies leave in commit order.
 */
export class LogSync {
  /** Committed, waiting for an fsync that has not started yet. */
  private waiting: AfterSync[] = [];
  /** Covered by the fsync in flight. */
  private inFlight: AfterSync[] = [];
  private syncing = false;

  /** `callbackFailed` hears a callback's exception after the others ran (by default it is thrown: a bug). */
  constructor(
    private readonly store: Pick<Store, 'syncLog' | 'syncLogNow'>,
    private readonly callbackFailed: (error: unknown) => void = (error) => {
      throw error;
    },
  ) {}

  afterSync(then: AfterSync): void {
    this.waiting.push(then);
    this.start();
  }

  /** Shutdown: fsyncs on this thread and runs every pending callback now. */
  syncNow(): void {
    const pending = [...this.inFlight, ...this.waiting];
    this.inFlight = [];
    this.waiting = [];
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
    if (this.syncing || this.waiting.length === 0) return;
    this.syncing = true;
    this.inFlight = this.waiting;
    this.waiting = [];
    this.store.syncLog().then(
      () => this.finish(null),
      (error: unknown) => this.finish(asError(error)),
    );
  }

  private finish(failure: Error | null): void {
    // syncNow may have run these already
    const done = this.inFlight;
    this.inFlight = [];
    this.syncing = false;
    this.start();
    this.runAll(done, failure);
  }

  /** Every callback runs even if one throws, so one bug does not leave the others' clients waiting. */
  private runAll(callbacks: readonly AfterSync[], failure: Error | null): void {
    let thrown: { error: unknown } | null = null;
    for (const then of callbacks) {
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
