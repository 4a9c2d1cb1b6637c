// PostgreSQL + PostGIS through a node `pg` pool.
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CommitWork } from './commit-work.js';
import { quoteIdent } from './copy-text.js';
import { retryTransaction, type TransactionOptions } from './retry.js';
import type { Db, Queryable, Sql } from './types.js';

/** Plain text runs as an unnamed statement; a Prepared one is parsed and planned once per connection. */
function toConfig(sql: Sql, params: readonly unknown[]): pg.QueryConfig {
  return typeof sql === 'string' ? { text: sql, values: params as unknown[] } : { name: sql.name, text: sql.text, values: params as unknown[] };
}

// Return bigint and numeric as JS numbers (ids and counts stay well inside 2^53), timestamps as Date.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

let savepoints = 0;

/** A lost LISTEN connection is reopened after this long, doubling up to the max while it keeps failing. */
const LISTEN_RETRY_MIN_MS = 200;
const LISTEN_RETRY_MAX_MS = 5000;

/**
 * A Queryable on one checked-out client that is already inside BEGIN. `work`: what that transaction runs before its
 * COMMIT (db/commit-work.ts). Without it (a test's rolled-back transaction: to the application it stands outside any
 * transaction, each of its savepoints is a transaction) a note runs at once, in a savepoint, and a savepoint's notes
 * at its release.
 */
export function wrapClient(client: pg.PoolClient, work: CommitWork | null = null): Queryable {
  const q: Queryable = {
    engine: 'postgres',
    async query<T>(sql: Sql, params: readonly unknown[] = []) {
      const r = await client.query(toConfig(sql, params));
      return { rows: r.rows as T[] };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const name = `sp_${++savepoints}`;
      await client.query(`savepoint ${name}`);
      const inner = new CommitWork();
      let out: T;
      try {
        out = await fn(wrapClient(client, inner));
        await client.query(`release savepoint ${name}`);
      } catch (e) {
        await client.query(`rollback to savepoint ${name}`);
        throw e;
      }
      await own.absorb(inner); // released: its notes are the transaction's (a rolled-back one's are dropped)
      return out;
    },
    copyFrom: (table, columns, text) => copyInto(client, table, columns, text),
    commitWork: () => own,
  };
  const own = work ?? new CommitWork(q);
  return q;
}

async function copyInto(client: pg.PoolClient, table: string, columns: readonly string[], text: string) {
  const sql = `copy ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) from stdin`;
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

export async function openPostgres(url: string, max = 10): Promise<Db & { pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {}); // idle client errors surface on the next query instead of crashing the process
  const db: Db & { pool: pg.Pool } = {
    engine: 'postgres',
    pool,
    async query<T>(sql: Sql, params: readonly unknown[] = []) {
      const r = await pool.query(toConfig(sql, params));
      return { rows: r.rows as T[] };
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
      const once = async () => {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const work = new CommitWork();
          const tx = wrapClient(client, work);
          const out = await fn(tx);
          await work.run(tx); // what the writers noted (tile generations): the last statements before COMMIT
          await client.query('commit');
          return out;
        } catch (e) {
          await client.query('rollback').catch(() => {});
          throw e;
        } finally {
          client.release();
        }
      };
      return opts.retry ? retryTransaction(once) : once();
    },
    async copyFrom(table, columns, text) {
      const client = await pool.connect();
      try {
        await copyInto(client, table, columns, text);
      } finally {
        client.release();
      }
    },
    commitWork: () => outside,
    close: () => pool.end(),
    async listen(channel, onPayload, opts = {}) {
      // A dedicated connection outside the pool (LISTEN belongs to a session), reopened when lost. Its
      // application_name says what it listens to (pg_stat_activity; the tests end it there to check the fallback).
      let stopped = false;
      let client: pg.Client | null = null;
      let retry: NodeJS.Timeout | null = null;
      let delay = LISTEN_RETRY_MIN_MS;
      const attempt = async (first: boolean): Promise<void> => {
        const c = new pg.Client({ connectionString: url, application_name: `gridline listen ${channel}`.slice(0, 63) });
        let lost = false;
        const onLost = () => {
          if (lost) return;
          lost = true;
          const wasUp = client === c;
          if (wasUp) client = null;
          c.end().catch(() => {});
          if (stopped) return;
          if (wasUp) opts.onState?.(false);
          retry = setTimeout(() => { retry = null; void attempt(false); }, delay);
          delay = Math.min(delay * 2, LISTEN_RETRY_MAX_MS);
        };
        c.on('notification', (n) => { if (n.channel === channel) onPayload(n.payload ?? ''); });
        c.on('error', onLost);
        c.on('end', onLost);
        try {
          await c.connect();
          await c.query(`listen ${pg.escapeIdentifier(channel)}`);
        } catch (e) {
          if (first && !opts.onState) { lost = true; await c.end().catch(() => {}); throw e; }
          onLost();
          return;
        }
        if (lost) return;
        if (stopped) { lost = true; await c.end().catch(() => {}); return; }
        client = c;
        delay = LISTEN_RETRY_MIN_MS;
        opts.onState?.(true);
      };
      await attempt(true);
      return async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        await client?.end().catch(() => {});
      };
    },
  };
  const outside = new CommitWork(db); // outside a transaction: each note runs at once, in a transaction of its own
  return db;
}
