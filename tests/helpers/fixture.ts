// The fixture district every db/http test starts from: a small synthetic Dongcheng (real codes), committed once
// per engine; each test then works inside a transaction that is rolled back.
import { migrate } from '../../server/db/migrate.js';
import { loadClasses } from '../../server/services/classes.js';
import { loadDemo } from '../../server/services/demo.js';
import type { Queryable } from '../../server/db/types.js';

export const FIXTURE = { demo: 'dongcheng' as const, demo_grids: 250, demo_components: 3000 };

export async function seedFixture(db: Queryable): Promise<void> {
  await migrate(db);
  await loadClasses(db);
  await loadDemo(db, FIXTURE);
}

/** Drops and rebuilds the public schema of a test database; refuses any database whose name lacks "test". */
export async function resetAndSeedPostgres(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/test/i.test(name)) throw new Error(`TEST_DATABASE_URL must name a database containing "test"; got "${name}" (it is wiped)`);
  const { openPostgres } = await import('../../server/db/postgres.js');
  const db = await openPostgres(url, 2);
  try {
    await db.exec('drop schema if exists public cascade; create schema public;');
    await seedFixture(db);
  } finally {
    await db.close();
  }
}
