// CLI: deletes audit-log entries older than the retention (at least 184 days; anything less is refused), and as
// housekeeping sessions that ended before the same cut-off and login-failure counters that are already forgotten.
//   npm run audit:purge -- [--days N] [--dry-run]
// N defaults to GRIDLINE_AUDIT_RETENTION_DAYS, else 184. The database is DATABASE_URL, else GRIDLINE_DATA_DIR.
// A table trigger refuses deleting entries younger than 184 days as well, whatever runs the delete.
// Exit code 0 when done, 2 on a usage or connection error.
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { openDb } from '../server/db/open.js';
import * as audit from '../server/db/audit.js';
import * as sessions from '../server/db/sessions.js';
import { AUDIT_MIN_RETENTION_DAYS, auditPurgeBefore, forgetBefore } from '../server/domain/auth.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { days: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
  const raw = values.days ?? process.env.GRIDLINE_AUDIT_RETENTION_DAYS ?? String(AUDIT_MIN_RETENTION_DAYS);
  if (!/^[0-9]+$/.test(raw)) throw new Error(`the retention must be a whole number of days; got "${raw}"`);
  const before = auditPurgeBefore(new Date(), Number(raw)); // refuses < 184 before touching the database

  const db = await openDb(loadConfig(process.env));
  try {
    if (values['dry-run']) {
      const n = await audit.countBefore(db, before);
      console.log(`audit:purge: ${n} entries older than ${raw} days (before ${before.toISOString()}) would be deleted`);
      return 0;
    }
    const n = await audit.purgeBefore(db, before);
    const s = await sessions.purgeEndedBefore(db, before);
    const t = await sessions.pruneThrottle(db, forgetBefore(new Date()));
    console.log(`audit:purge: deleted ${n} entries older than ${raw} days (before ${before.toISOString()}), ${s} old sessions, ${t} stale login counters`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`audit:purge: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
});
