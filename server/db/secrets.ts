// The only module that reads `server_secrets` (migrations/0025_photo_access.sql): keys generated once per database.
import type { Queryable } from './types.js';

/** The stored secret called `name`, or null when the database has none of that name. */
export async function get(db: Queryable, name: string): Promise<string | null> {
  const { rows } = await db.query<{ value: string }>('select value from server_secrets where name = $1', [name]);
  return rows[0]?.value ?? null;
}
