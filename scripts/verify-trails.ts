// CLI: verifies the hash chain of every case's trail and names any broken one (docs/workflow.md §Trail).
//   npm run verify-trails [-- --database-url URL | --data-dir DIR]
// Exit code 0 when every chain holds, 1 when any is broken, 2 on a usage or connection error.
import { parseArgs } from 'node:util';
import { openDb } from '../server/db/open.js';
import { verifyAllTrails } from '../server/services/cases.js';

async function main() {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, 'data-dir': { type: 'string' } } });
  const db = await openDb({
    database_url: values['database-url'] ?? process.env.DATABASE_URL ?? null,
    data_dir: values['data-dir'] ?? process.env.GRIDLINE_DATA_DIR ?? './var/data',
  });
  try {
    const t0 = performance.now();
    const { checked, broken } = await verifyAllTrails(db);
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    if (!broken.length) {
      console.log(`verify-trails: ${checked} case trails checked in ${s} s; every chain holds`);
      return 0;
    }
    console.log(`verify-trails: ${checked} case trails checked in ${s} s; ${broken.length} BROKEN:`);
    for (const b of broken) console.log(`  case ${b.case_no} (${b.id}): entry ${b.broken_at}: ${b.reason}`);
    return 1;
  } finally {
    await db.close();
  }
}

main().then((code) => process.exit(code), (e) => { console.error(`verify-trails: ${e instanceof Error ? e.message : e}`); process.exit(2); });
