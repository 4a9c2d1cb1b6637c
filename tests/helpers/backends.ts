// withTestDb(backend, fn): every db/http test on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
// fn gets a Queryable inside a transaction that is always rolled back (graphile's pattern, docs/style.md §2.7).
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { Queryable } from '../../server/db/types.js';
import { seedFixture } from './fixture.js';
import { readTemplate, templateKey, writeTemplate } from './pglite-template.js';

export type Backend = 'pglite' | 'postgres';

/**
 * The engines each db/http test runs on: PGlite, and PostgreSQL when TEST_DATABASE_URL is set.
 * GRIDLINE_TEST_ENGINES=postgres runs only the PostgreSQL side (a third engine such as a Citus coordinator, whose
 * PGlite side the main run already covered); it refuses to run with no engine at all.
 */
export function testBackends(): Backend[] {
  const all: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  const only = process.env.GRIDLINE_TEST_ENGINES;
  if (!only) return all;
  const wanted = only.split(',').map((s) => s.trim());
  const picked = all.filter((b) => wanted.includes(b));
  if (!picked.length) throw new Error(`GRIDLINE_TEST_ENGINES=${only} selects none of ${all.join(', ')} (set TEST_DATABASE_URL for postgres)`);
  return picked;
}

let pglite: Promise<PGlite> | null = null;
let pool: Promise<pg.Pool> | null = null;

/**
 * One migrated, seeded in-memory PGlite per worker (each costs ~1 GiB; the db project runs with isolate: false, so a
 * worker's files share it, and tests/helpers/db-setup.ts starts it in a hook): started from the fixture's image when
 * one matches the code (tests/helpers/pglite-template.ts), else migrated and seeded here and its image stored.
 */
export function sharedPglite(): Promise<PGlite> {
  pglite ??= (async () => {
    const { openPglite } = await import('../../server/db/pglite.js');
    const key = templateKey();
    const image = readTemplate(key);
    if (image) return (await openPglite(undefined, { loadDataDir: image })).raw;
    const db = await openPglite();
    await seedFixture(db);
    await writeTemplate(key, await db.raw.dumpDataDir('none'));
    return db.raw;
  })();
  return pglite;
}

export function sharedPool(): Promise<pg.Pool> {
  pool ??= (async () => {
    const { openPostgres } = await import('../../server/db/postgres.js');
    return (await openPostgres(process.env.TEST_DATABASE_URL!, 4)).pool;
  })();
  return pool;
}

class Rollback extends Error {}

export async function withTestDb<T>(backend: Backend, fn: (db: Queryable) => Promise<T>): Promise<T> {
  if (backend === 'pglite') {
    const root = await sharedPglite();
    const { wrapPgliteTx } = await import('../../server/db/pglite.js');
    let out!: T;
    await root
      .transaction(async (tx) => {
        out = await fn(wrapPgliteTx(tx, root));
        throw new Rollback();
      })
      .catch((e) => { if (!(e instanceof Rollback)) throw e; });
    return out;
  }
  const client = await (await sharedPool()).connect();
  const { wrapClient } = await import('../../server/db/postgres.js');
  try {
    await client.query('begin');
    return await fn(wrapClient(client));
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

/**
 * A Queryable whose writes commit, for tests of real concurrency (transactions racing on a pool). Use data that
 * no other test counts on: what these tests write stays in the worker's database.
 */
export async function committedDb(backend: Backend): Promise<Queryable> {
  if (backend === 'pglite') {
    const { wrapPglite } = await import('../../server/db/pglite.js');
    return wrapPglite(await sharedPglite());
  }
  const { openPostgres } = await import('../../server/db/postgres.js');
  committed ??= openPostgres(process.env.TEST_DATABASE_URL!, 8);
  return committed;
}
let committed: Promise<Queryable> | null = null;
