// Work a transaction leaves for its end (issue 12, docs/citus.md "The plan", step 1): a writer notes it on the handle
// it writes through (Queryable.commitWork), and the transaction runs all of it once, just before COMMIT, whatever
// order the writes came in; a rolled-back transaction or savepoint drops its notes. The tile-cache generations
// (db/tile-bumps.ts) are the first such work: their row locks, taken at the end in one order by every transaction,
// are the last locks it takes, so they can form no cycle with another transaction's; and no trigger is needed
// (Citus runs none on its tables).
import { retryTransaction } from './retry.js';
import type { Queryable } from './types.js';

/** A kind of work left for the end of a transaction: how its notes start and add up, and what runs at commit. */
export type CommitTask<T> = {
  /** Empty notes. */
  start(): T;
  /** A released savepoint's notes (`from`) joining those of the transaction around it (`into`). */
  merge(into: T, from: T): void;
  /** The work, run in the committing transaction just before COMMIT. */
  run(tx: Queryable, notes: T): Promise<void>;
};

/**
 * The notes of one transaction (or savepoint), per task. A handle outside any transaction has one that runs each
 * note at once instead, in a transaction of its own on `now`, after the write it follows.
 */
export class CommitWork {
  private readonly notes = new Map<CommitTask<unknown>, unknown>();

  /**
   * `now`: where work noted here runs at once (a handle outside any transaction: the pool, PGlite itself, or a test's
   * rolled-back transaction, whose savepoints stand for the application's transactions). Without it the notes wait
   * for run().
   */
  constructor(private readonly now: Queryable | null = null) {}

  /** Notes work of `task` (`add` writes into these notes), or runs it at once outside a transaction. */
  async note<T>(task: CommitTask<T>, add: (notes: T) => void): Promise<void> {
    if (!this.now) {
      add(this.of(task));
      return;
    }
    const once = new CommitWork();
    add(once.of(task));
    await once.runIn(this.now);
  }

  /** A savepoint of this handle released: its notes become this transaction's, or run now outside one. */
  async absorb(inner: CommitWork): Promise<void> {
    if (this.now) {
      await inner.runIn(this.now);
      return;
    }
    for (const [task, notes] of inner.notes) task.merge(this.of(task), notes);
  }

  /** Runs each task noted, in the order they were first noted, in `tx` (the transaction about to commit). */
  async run(tx: Queryable): Promise<void> {
    for (const [task, notes] of this.notes) await task.run(tx, notes);
  }

  private of<T>(task: CommitTask<T>): T {
    const key = task as CommitTask<unknown>;
    if (!this.notes.has(key)) this.notes.set(key, task.start());
    return this.notes.get(key) as T;
  }

  /**
   * In a transaction of its own on `db` (a SAVEPOINT when `db` is itself in one: it may hold rows the work locks,
   * taken by earlier work in another order, so it is taken again after a deadlock cancel, db/retry.ts).
   */
  private async runIn(db: Queryable): Promise<void> {
    if (!this.notes.size) return;
    await retryTransaction(() => db.transaction((tx) => this.run(tx)));
  }
}
