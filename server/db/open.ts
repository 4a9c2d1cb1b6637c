// Opens the configured engine: PostgreSQL when a URL is given, else embedded PGlite under dataDir.
import type { Db } from './types.js';

export async function openDb(p: { database_url: string | null; data_dir?: string }): Promise<Db> {
  if (p.database_url) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(p.database_url);
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite(p.data_dir);
}
