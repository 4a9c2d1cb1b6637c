// withTestApp(backend, fn): the real app (buildApp) on a rolled-back test transaction; requests go through app.inject.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import type { Queryable } from '../../server/db/types.js';
import { withTestDb, type Backend } from './backends.js';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ GRIDLINE_DEMO: '0', GRIDLINE_CLIENT_DIR: '/nonexistent', ...env });
}

export function withTestApp<T>(
  backend: Backend,
  fn: (ctx: { app: FastifyInstance; db: Queryable }) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  return withTestDb(backend, async (db) => {
    const app = await buildApp(testConfig(env), { db });
    try {
      return await fn({ app, db });
    } finally {
      await app.close();
    }
  });
}

/** Logs each demo user in (password `demo`) and returns their Authorization headers by username. */
export async function loginHeaders<U extends string>(app: FastifyInstance, users: readonly U[]): Promise<Record<U, Record<string, string>>> {
  const h = {} as Record<U, Record<string, string>>;
  for (const u of users) {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
    h[u] = { authorization: `Bearer ${res.json().token}` };
  }
  return h;
}
