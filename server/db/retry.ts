// The retry of a whole transaction the database cancelled for a deadlock or a serialization failure (issue 12): on
// Citus, the distributed deadlock detector cancels a waiter with 40P01 ("canceling the transaction since it was
// involved in a distributed deadlock"), PostgreSQL's own detector with 40P01 ("deadlock detected"), a serializable
// transaction fails with 40001. Either way the whole transaction was rolled back, so running it again is safe when
// its callback did nothing outside the database (no in-process notification, no file, no counter kept across
// attempts): the callers that say so pass `{ retry: true }` to Queryable.transaction.

/** SQLSTATEs after which the transaction was rolled back and may simply be run again. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40P01', '40001']);

/** Attempts in all (the first one and the retries). */
export const TX_ATTEMPTS = 4;

/** A retry waits about this long, doubling per attempt, times a random factor in [0.5, 1.5) (jitter). */
const BASE_DELAY_MS = 20;

export type TransactionOptions = {
  /**
   * Run fn again from the start (a fresh transaction, up to TX_ATTEMPTS in all, with a jittered pause) when the
   * database cancels the transaction for a deadlock (40P01) or a serialization failure (40001). Only for a callback
   * that does nothing outside the database and keeps no state across calls (reset what it collects at its start).
   * Ignored inside an enclosing transaction (a SAVEPOINT): there the enclosing transaction is lost as a whole.
   */
  retry?: boolean;
};

export function isRetryable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

export type RetryHooks = { sleep?: (ms: number) => Promise<void>; random?: () => number; attempts?: number };

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `attempt` (one whole transaction) until it succeeds, fails otherwise, or has failed retryably `attempts` times. */
export async function retryTransaction<T>(attempt: () => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  const attempts = hooks.attempts ?? TX_ATTEMPTS;
  const sleep = hooks.sleep ?? pause;
  const random = hooks.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (n >= attempts || !isRetryable(e)) throw e;
      await sleep(Math.round(BASE_DELAY_MS * 2 ** (n - 1) * (0.5 + random())));
    }
  }
}
