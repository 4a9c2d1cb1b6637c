// withSharedTestApp(backend, fn, env): as withTestApp (tests/helpers/app.ts), each test in its own rolled-back
// transaction, but the app itself (buildApp: every route's validators and serializers compiled, a few seconds on a
// loaded machine) is built once per test file, engine and env, and its database switched to each test's transaction.
// For files whose tests keep no state in the app between them: the in-memory counters (anonymous intake throttle,
// tile cache) carry over from test to test, so a file that counts on a fresh app per test uses withTestApp.
// Between tests (a live hub's background read after an answer) the app reads the committed fixture outside any
// test's transaction. Call closeSharedTestApps in the file's afterAll.
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../server/app.js';
import type { Queryable } from '../../server/db/types.js';
import { CommitWork } from '../../server/db/commit-work.js';
import { committedDb, withTestDb, type Backend } from './backends.js';
import { testConfig } from './app.js';

type Shared = { app: Promise<FastifyInstance>; current: { db: Queryable | null } };

const shared = new Map<string, Shared>();

/** A Queryable that forwards to the running test's transaction, or to the committed database between tests. */
function switching(backend: Backend, current: { db: Queryable | null }): Queryable {
  const target = async () => current.db ?? committedDb(backend);
  const q: Queryable = {
    engine: backend,
    query: async (sql, params) => (await target()).query(sql, params),
    exec: async (sql) => (await target()).exec(sql),
    transaction: async (fn, opts) => (await target()).transaction(fn, opts),
    copyFrom: async (table, columns, text) => (await target()).copyFrom(table, columns, text),
    // between tests: the committed database, outside any transaction, where a writer's work runs at once
    commitWork: () => current.db?.commitWork() ?? outside,
  };
  const outside = new CommitWork(q);
  return q;
}

/**
 * Runs fn with the file's shared app on a rolled-back transaction. `deps` (a clock, work rules) are fixed when the
 * app is built, by the first test of that key: give a clock the tests can set rather than a new one per test.
 */
export function withSharedTestApp<T>(
  backend: Backend,
  fn: (ctx: { app: FastifyInstance; db: Queryable }) => Promise<T>,
  env: Record<string, string> = {},
  deps: Omit<AppDeps, 'db'> = {},
  key = '',
): Promise<T> {
  const id = `${backend}\0${JSON.stringify(env)}\0${key}`;
  let s = shared.get(id);
  if (!s) {
    const current = { db: null as Queryable | null };
    s = { current, app: buildApp(testConfig(env), { ...deps, db: switching(backend, current) }) };
    shared.set(id, s);
  }
  const { app: built, current } = s;
  // built before the test's transaction opens: PGlite serves one transaction at a time, and the build reads outside it
  return built.then((app) => withTestDb(backend, async (db) => {
    current.db = db;
    try {
      return await fn({ app, db });
    } finally {
      current.db = null;
    }
  }));
}

/** Closes the apps this file built (for its afterAll). */
export async function closeSharedTestApps(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map(async (s) => (await s.app.catch(() => null))?.close()));
}
