// The database's own health: what /api/health reports. Only db/ holds SQL (docs/style.md, the rings).
import type { Queryable } from './types.js';

/** The PostGIS library version the connection runs (fails when PostGIS is missing or the database is down). */
export async function postgisVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ v: string }>('select postgis_lib_version() as v');
  return rows[0].v;
}
