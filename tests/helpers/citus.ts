// The Citus side of the db tests (tests/server/db/citus*.test.ts): a coordinator given by CITUS_TEST_DATABASE_URL
// (.ci/run starts one), reset and seeded by the file unless it is also TEST_DATABASE_URL (the global setup did it),
// and each test on one connection in a transaction that is rolled back.
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { wrapClient } from '../../server/db/postgres.js';
import type { Queryable } from '../../server/db/types.js';
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
