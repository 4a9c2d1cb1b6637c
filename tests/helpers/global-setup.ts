// Runs once before all workers: resets and migrates the PostgreSQL test database (when TEST_DATABASE_URL is set),
// then loads the classes and the small fixture district, so workers only open a pool.
import { resetAndSeedPostgres } from './fixture.js';

export default async function setup() {
  const url = process.env.TEST_DATABASE_URL;
  if (url) await resetAndSeedPostgres(url);
}
