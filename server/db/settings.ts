// Server settings the application depends on.
import type { Queryable } from './types.js';

/** PostgreSQL's durability settings (fsync, synchronous_commit). */
export async function durability(db: Queryable): Promise<{ fsync: string; synchronous_commit: string }> {
  const { rows } = await db.query<{ fsync: string; synchronous_commit: string }>(
    `select current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit`);
  return rows[0];
}
