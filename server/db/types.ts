// The one database interface; pglite.ts and postgres.ts implement it and nothing above db/ knows which runs.
export type Engine = 'pglite' | 'postgres';

export interface Queryable {
  readonly engine: Engine;
  /** One parameterised statement ($1, $2 …). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn in a transaction (a SAVEPOINT when already inside one); rolls back if fn throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** COPY rows into a table: `text` is COPY text format (tab-separated, \N for null, one row a line). */
  copyFrom(table: string, columns: readonly string[], text: string): Promise<void>;
}

export interface Db extends Queryable {
  close(): Promise<void>;
}
