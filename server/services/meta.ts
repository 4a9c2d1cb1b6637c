// Health of the server for /api/health: routes call services, and only db/ holds SQL (docs/style.md, the rings).
import type { Engine, Queryable } from '../db/types.js';
import { postgisVersion } from '../db/health.js';

/** The engine and its PostGIS version; throws when the database does not answer. */
export async function health(db: Queryable): Promise<{ engine: Engine; postgis: string }> {
  return { engine: db.engine, postgis: await postgisVersion(db) };
}
