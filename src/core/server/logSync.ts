import type { Store } from '../store';

type AfterSync = (error: Error | null) => void;

/**
 * Durability for group commits made with `store.transactionUnsynced`: `afterSync(fn)` runs `fn`
 * once an fsync of the WAL that started after the caller's commit has finished. One fsync is in
 * flight at a time, so they finish in the order they started and an error reaches the callbacks
 * it concerns (Linux reports a write-back error to one fsync only); every commit made meanwhile
 * shares the next one. Callbacks run in registration order, so replies leave in commit order.
 * A failed fsync is final: what was committed may not be on disk, so every callback from then on
 * hears the error and `syncFailed` is called once (the server stops).
 */
export class LogSync {
  /** Committed, waiting for an fsync that has not started yet. */
  private waiting: AfterSync[] = [];
  /** Covered by the fsync in flight. */
  private inFlight: AfterSync[] = [];
  private syncing = false;
  private failure: Error | null = null;

  /** `callbackFailed` hears a callback's exception after the others ran (by default it is thrown: a bug). */
  constructor(
    private readonly store: Pick<Store, 'syncLog' | 'syncLogNow'>,
    private readonly syncFailed: (error: Error) => void = () => {},
    private readonly callbackFailed: (error: unknown) => void = (error) => {
      throw error;
    },
  ) {}

  afterSync(then: AfterSync): void {
    if (this.failure) return this.runAll([then]);
    this.waiting.push(then);
    this.start();
  }

  /** Shutdown: fsyncs on this thread and runs every pending callback now. */
  syncNow(): void {
    const pending = [...this.inFlight, ...this.waiting];
    this.inFlight = [];
    this.waiting = [];
    if (pending.length === 0) return;
    if (!this.failure) {
      try {
        this.store.syncLogNow();
      } catch (error) {
        this.fail(error);
      }
    }
    this.runAll(pending);
  }

  private start(): void {
    if (this.syncing || this.waiting.length === 0) return;
    this.syncing = true;
    this.inFlight = this.waiting;
    this.waiting = [];
    this.store.syncLog().then(
      () => this.finish(),
      (error: unknown) => {
        this.fail(error);
        this.finish();
      },
    );
  }

  private finish(): void {
    // syncNow may have run these already
    const done = this.inFlight;
    this.inFlight = [];
    this.syncing = false;
    try {
      this.runAll(done);
    } finally {
      if (this.failure) this.runAll(this.waiting.splice(0));
      else this.start();
    }
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.syncFailed(this.failure);
  }

  /** Every callback runs even if one throws, so one bug does not leave the others' clients waiting. */
  private runAll(callbacks: readonly AfterSync[]): void {
    let thrown: { error: unknown } | null = null;
    for (const then of callbacks) {
      try {
        then(this.failure);
      } catch (error) {
        thrown ??= { error };
      }
    }
    if (thrown) this.callbackFailed(thrown.error);
  }
}
