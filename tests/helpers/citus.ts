// The Citus side of the db tests (tests/server/db/citus*.test.ts): a coordinator given by CITUS_TEST_DATABASE_URL
// (.ci/run starts one), reset and seeded by the file unless it is also TEST_DATABASE_URL (the global setup did it),
// and each test on one connection in a transaction that is rolled back.
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { wrapClient } from '../../server/db/postgres.js';
import type { Queryable, Sql } from '../../server/db/types.js';
import { resetAndSeedPostgres } from './fixture.js';

export const citusUrl = process.env.CITUS_TEST_DATABASE_URL;
/** TEST_DATABASE_URL is the coordinator itself (.ci/run's third engine runs the whole db project there). */
export const onCoordinator = !!citusUrl && citusUrl === process.env.TEST_DATABASE_URL;

/**
 * Registers the enclosing describe's hooks on the coordinator at `url` (migrations, the distribution step and the
 * fixture district, unless the global setup did it already) and returns `inTx`: fn on one connection inside a
 * transaction that is rolled back; `notices` collects what the server said.
 */
export function coordinatorTx(url: string): <T>(fn: (db: Queryable, notices: string[]) => Promise<T>) => Promise<T> {
  let pool: pg.Pool;
  beforeAll(async () => {
    if (!onCoordinator) await resetAndSeedPostgres(url);
    pool = new pg.Pool({ connectionString: url, max: 2 });
  }, 600_000);
  afterAll(async () => { await pool?.end(); });
  return async (fn) => {
    const client = await pool.connect();
    const notices: string[] = [];
    const hear = (m: { message?: string }) => { notices.push(m.message ?? ''); };
    client.on('notice', hear);
    try {
      await client.query('begin');
      return await fn(wrapClient(client), notices);
    } finally {
      await client.query('rollback').catch(() => {});
      client.off('notice', hear);
      client.release();
    }
  };
}

/** A statement's plan (`explain (costs off)`), one text. */
export async function explain(db: Queryable, sql: string, params: readonly unknown[] = []): Promise<string> {
  return (await db.query<{ 'QUERY PLAN': string }>(`explain (costs off) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** Every Task Count of a plan (a statement with subplans has several). */
export const taskCounts = (plan: string): number[] => [...plan.matchAll(/Task Count: (\d+)/g)].map((m) => Number(m[1]));

/** The worker ports a plan's tasks run on (with `citus.explain_all_tasks`, every task's). */
export const nodePorts = (plan: string): number[] => [...plan.matchAll(/Node: host=\S+ port=(\d+)/g)].map((m) => Number(m[1]));

/** db as the application sees it, recording every statement it sends (text and parameters), in its transactions too. */
export function recording(db: Queryable, into: { sql: string; params: readonly unknown[] }[]): Queryable {
  const wrap = (q: Queryable): Queryable => new Proxy(q, {
    get(target, key) {
      if (key === 'query') {
        return (sql: Sql, params: readonly unknown[] = []) => {
          into.push({ sql: typeof sql === 'string' ? sql : sql.text, params });
          return target.query(sql, params);
        };
      }
      if (key === 'transaction') return <T>(fn: (tx: Queryable) => Promise<T>) => target.transaction((tx) => fn(wrap(tx)));
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return wrap(db);
}
