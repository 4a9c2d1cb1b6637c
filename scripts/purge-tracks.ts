// CLI: deletes patrol positions (巡查轨迹) older than the retention, and old idempotency keys of patrol requests.
// The server does the same every hour; this is for a cron job or a server that was down.
//   npm run patrol:purge -- [--days N] [--dry-run]
// N defaults to GRIDLINE_TRACK_RETENTION_DAYS, else 90. The database is DATABASE_URL, else GRIDLINE_DATA_DIR.
// Exit code 0 when done, 2 on a usage or connection error.
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { openDb } from '../server/db/open.js';
import { countPurgeable, purgeTracks } from '../server/services/patrol.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { days: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
  const config = loadConfig(process.env); // validates GRIDLINE_TRACK_RETENTION_DAYS
  const raw = values.days ?? String(config.track_retention_days);
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1) throw new Error(`the retention must be a whole number of days ≥ 1; got "${raw}"`);
  const deps = { clock: { now: () => new Date() }, retention_days: Number(raw) };
  const db = await openDb(config);
  try {
    if (values['dry-run']) {
      const r = await countPurgeable({ ...deps, db });
      console.log(`patrol:purge: ${r.positions} positions older than ${raw} days (before ${r.cutoff.toISOString()}) would be deleted`);
      return 0;
    }
    const r = await purgeTracks({ ...deps, db });
    console.log(`patrol:purge: deleted ${r.positions} positions older than ${raw} days (before ${r.cutoff.toISOString()}) and ${r.keys} old request keys`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`patrol:purge: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
});
