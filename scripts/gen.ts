// CLI: generate the synthetic Dongcheng district and bulk-load it (server/services/load-district.ts).
//   npm run gen -- --grids 10000 --components 500000 --seed 1 [--database-url URL | --data-dir DIR]
// Without either option it uses DATABASE_URL, else PGlite under GRIDLINE_DATA_DIR (./var/data).
import { parseArgs } from 'node:util';
import { migrate } from '../server/db/migrate.js';
import * as gridsDb from '../server/db/grids.js';
import type { Db } from '../server/db/types.js';
import { loadClasses } from '../server/services/classes.js';
import { demoDongcheng, loadDistrict } from '../server/services/load-district.js';

const USAGE = 'usage: npm run gen -- --grids N --components M --seed S [--database-url URL | --data-dir DIR] [--source-dir data/dongcheng]';

function intArg(name: string, raw: string | undefined, def: number | null): number {
  if (raw === undefined) {
    if (def === null) fail(`--${name} is required`);
    return def!;
  }
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} must be a non-negative integer; got "${raw}"`);
  return n;
}

function fail(message: string): never {
  console.error(`gen: ${message}\n${USAGE}`);
  process.exit(2);
}

async function main() {
  const { values } = parseArgs({
    options: {
      grids: { type: 'string' },
      components: { type: 'string' },
      seed: { type: 'string' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
      'source-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const grids = intArg('grids', values.grids, null);
  const components = intArg('components', values.components, 0);
  const seed = intArg('seed', values.seed, 1);
  if (values['database-url'] && values['data-dir']) fail('give --database-url or --data-dir, not both');

  const started = performance.now();
  // Generate first: bad sizes are reported before any database is opened or created.
  const district = demoDongcheng({ seed, grids, components, dataDir: values['source-dir'] });

  const url = values['database-url'] ?? (values['data-dir'] ? undefined : process.env.DATABASE_URL || undefined);
  let db: Db;
  if (url) {
    const { openPostgres } = await import('../server/db/postgres.js');
    console.log(`gen: PostgreSQL ${url.replace(/\/\/[^@/]*@/, '//…@')}`);
    db = await openPostgres(url, 2);
  } else {
    const dir = values['data-dir'] ?? (process.env.GRIDLINE_DATA_DIR || './var/data');
    console.log(`gen: PGlite in ${dir} (starting PostGIS takes a few seconds)`);
    const { openPglite } = await import('../server/db/pglite.js');
    db = await openPglite(dir);
  }
  try {
    const applied = await migrate(db);
    if (applied.length) console.log(`gen: migrations applied: ${applied.join(', ')}`);
    const n = await loadClasses(db); // the components' class codes must exist (foreign key)
    if (n) console.log(`gen: ${n} standard classes loaded`);
    const existing = await gridsDb.count(db);
    if (existing > 0) {
      console.error(`gen: the database already holds ${existing} grids; refusing to load a second district. Use an empty database (or drop its tables) and run again.`);
      process.exitCode = 1;
      return;
    }

    const loadStart = performance.now();
    const tty = process.stdout.isTTY;
    let lastShown = -1;
    const summary = await loadDistrict(db, district, {
      onProgress(done, total) {
        const pct = Math.floor((done / total) * 100);
        const s = ((performance.now() - loadStart) / 1000).toFixed(1);
        if (tty) process.stdout.write(`\rgen: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} rows (${pct}%) ${s} s`);
        else if (pct >= lastShown + 10 || done === total) {
          lastShown = pct;
          console.log(`gen: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} rows (${pct}%) ${s} s`);
        }
      },
    });
    if (tty) process.stdout.write('\n');
    const secs = (performance.now() - loadStart) / 1000;
    const rowsTotal = summary.regions + summary.grids + summary.components;
    console.log(
      `gen: loaded ${summary.regions} regions, ${summary.grids.toLocaleString('en')} grids, ` +
        `${summary.components.toLocaleString('en')} components in ${summary.classes} classes (seed ${seed}) ` +
        `in ${secs.toFixed(1)} s, ${Math.round(rowsTotal / secs).toLocaleString('en')} rows/s ` +
        `(${((performance.now() - started) / 1000).toFixed(1)} s with startup)`,
    );
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(`gen: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
