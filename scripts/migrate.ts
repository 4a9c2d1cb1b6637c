// CLI: applies the pending migrations (migrations/NNNN_*.sql) and reloads the standard's class tables.
//   npm run migrate [-- --database-url URL | --data-dir DIR]
// On a Citus coordinator it then distributes the tables (server/db/distribute.ts; GRIDLINE_DISTRIBUTED=citus|none|auto).
import { parseArgs } from 'node:util';
import { openDb } from '../server/db/open.js';
import { migrate } from '../server/db/migrate.js';
import { parseDistributionMode } from '../server/db/distribute.js';
import { loadClasses } from '../server/services/classes.js';

async function main() {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, 'data-dir': { type: 'string' } } });
  const db = await openDb({
    database_url: values['database-url'] ?? process.env.DATABASE_URL ?? null,
    data_dir: values['data-dir'] ?? process.env.GRIDLINE_DATA_DIR ?? './var/data',
  });
  try {
    const applied = await migrate(db, undefined, {
      distributed: parseDistributionMode(process.env.GRIDLINE_DISTRIBUTED),
      onDistributed: (done) => console.log(`migrate: citus: ${done.join(', ')}`),
    });
    await loadClasses(db);
    console.log(applied.length ? `migrate: applied ${applied.join(', ')}` : 'migrate: the database is up to date');
  } finally {
    await db.close();
  }
}

main().catch((e) => { console.error(`migrate: ${e instanceof Error ? e.message : e}`); process.exit(2); });
