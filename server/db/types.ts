// The one database interface; pglite.ts and postgres.ts implement it and nothing above db/ knows which runs.
import type { CommitWork } from './commit-work.js';
import type { TransactionOptions } from './retry.js';

export type Engine = 'pglite' | 'postgres';

/** A statement PostgreSQL prepares once per connection and reuses (hot, fixed SQL: grid lookup, tiles). */
export type Prepared = { readonly name: string; readonly text: string };
export type Sql = string | Prepared;

export interface Queryable {
  readonly engine: Engine;
  /** One parameterised statement ($1, $2 …). */
  query<T = Record<string, unknown>>(sql: Sql, params?: readonly unknown[]): Promise<{ rows: T[] }>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs fn in a transaction (a SAVEPOINT when already inside one); rolls back if fn throws. With `retry`, a
   * transaction the database cancelled for a deadlock or a serialization failure is run again (db/retry.ts).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /** COPY rows into a table: `text` is COPY text format (tab-separated, \N for null, one row a line). */
  copyFrom(table: string, columns: readonly string[], text: string): Promise<void>;
  /**
   * Work writers leave for the end of this handle's transaction (db/commit-work.ts: the tile generations' bumps), run
   * just before it commits; on a handle outside any transaction (a pool, PGlite itself) it runs at once. A wrapper of
   * a Queryable forwards it.
   */
  commitWork(): CommitWork;
}

export type ListenOptions = { onState?: (listening: boolean) => void };

export interface Db extends Queryable {
  close(): Promise<void>;
  /**
   * LISTEN on a channel (NOTIFY is delivered at commit); returns the function that stops listening. A lost
   * listening connection is reopened (backing off up to a few seconds); what was announced while it was down is
   * not heard, so `onState` is told false when it is lost and true each time it listens again. Without onState, a
   * first connection that fails throws; with it, that too is retried.
   */
  listen(channel: string, onPayload: (payload: string) => void, opts?: ListenOptions): Promise<() => Promise<void>>;
}
