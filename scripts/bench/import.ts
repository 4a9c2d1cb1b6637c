// Import bench: a synthetic CSV of N rows (1,000,000 by default) with points inside the current grids, imported by
// the real service (server/services/import-components.ts) with its progress bar, then the same file COPYed plain
// into a bare table with the same columns (no index, constraint or trigger): rows/s of both and the ratio. On
// PGlite and, when DATABASE_URL names a database whose name contains "bench", on PostgreSQL + PostGIS.
//   tsx scripts/bench/import.ts [--rows N] [--grids G] [--batch-size B] [--reimport] [--only pglite|postgres]
// The database needs grids: an empty one gets a synthetic district of G grids (10,000 by default; the points are
// then the generator's own components); otherwise the points are jittered around each current grid's point on
// surface. From the main bench: `rows.push(...(await benchImport(db, 'pglite', { rows: 1e6 })).rows)`.
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Db, Queryable } from '../../server/db/types.js';
import { migrate } from '../../server/db/migrate.js';
import { loadClasses } from '../../server/services/classes.js';
import { demoDongcheng, loadDistrict } from '../../server/services/load-district.js';
import { importComponents, DEFAULT_BATCH_SIZE, type ImportReport } from '../../server/services/import-components.js';
import { progressPrinter } from '../import.js';

export type ImportBenchOptions = { rows?: number; grids?: number; batch_size?: number; reimport?: boolean; say?: (s: string) => void };
export type ImportBenchResult = {
  rows: [string, string, string, string][];
  import: ImportReport;
  reimport: ImportReport | null;
  copy_ms: number;
};

const SEED = 7;
const SOURCE = 'bench-import';
const fmt = (v: number) => Math.round(v).toLocaleString('en');

/** Writes the CSV (id,class_code,status,survey_date,lon,lat); returns its path. Points come from `points`. */
function writeCsv(path: string, points: Iterable<{ class_code: string; lon: number; lat: number }>): number {
  const fd = openSync(path, 'w');
  let n = 0;
  let buf = 'id,class_code,status,survey_date,lon,lat\n';
  try {
    for (const p of points) {
      n++;
      buf += `B${n},${p.class_code},${n % 50 === 0 ? '破损' : 'intact'},2026-01-15,${p.lon},${p.lat}\n`;
      if (buf.length > 1 << 20) { writeSync(fd, buf); buf = ''; }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  return n;
}

/** Points inside the current grids: a loaded synthetic district's own components, or jitter around each grid's point on surface. */
async function* jittered(db: Queryable, rows: number): AsyncGenerator<{ class_code: string; lon: number; lat: number }> {
  const { rows: grids } = await db.query<{ x: number; y: number }>(
    'select st_x(p) as x, st_y(p) as y from (select st_pointonsurface(geom) as p from grids where valid_to is null order by code) g');
  const classes = ['01001', '01002', '01013', '01037', '03005'];
  let seed = SEED;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
  for (let i = 0; i < rows; i++) {
    const g = grids[i % grids.length];
    yield { class_code: classes[i % classes.length], lon: g.x + rand() * 2e-6, lat: g.y + rand() * 2e-6 };
  }
}

/**
 * Runs the bench on an open database (migrated here if needed). Leaves the imported components behind (a bench
 * database is scratch) but removes earlier bench rows first, so every run imports rather than updates.
 */
export async function benchImport(db: Db, label: string, opts: ImportBenchOptions = {}): Promise<ImportBenchResult> {
  const say = opts.say ?? ((s: string) => console.log(s));
  const rows = opts.rows ?? 1_000_000;
  const gridsWanted = opts.grids ?? 10_000;
  const batch = opts.batch_size ?? DEFAULT_BATCH_SIZE;
  await migrate(db);
  await loadClasses(db);
  const dir = mkdtempSync(join(tmpdir(), 'gridline-import-bench-'));
  const file = join(dir, 'components.csv');
  try {
    const { rows: [g] } = await db.query<{ n: number }>('select count(*)::int as n from grids where valid_to is null');
    let written: number;
    if (g.n === 0) {
      say(`== ${label}: loading a synthetic district of ${fmt(gridsWanted)} grids …`);
      await loadDistrict(db, demoDongcheng({ seed: SEED, grids: gridsWanted, components: 0 }));
      const d = demoDongcheng({ seed: SEED, grids: gridsWanted, components: rows });
      written = writeCsv(file, d.components());
    } else {
      const points: { class_code: string; lon: number; lat: number }[] = [];
      for await (const p of jittered(db, rows)) points.push(p);
      written = writeCsv(file, points);
    }
    const size = statSync(file).size;
    const { rows: [grids] } = await db.query<{ n: number }>('select count(*)::int as n from grids where valid_to is null');
    say(`== ${label}: ${fmt(written)} rows, ${(size / 2 ** 20).toFixed(1)} MB of CSV, ${fmt(grids.n)} grids; batches of ${fmt(batch)}`);
    await db.query(`delete from components where source_id like $1`, [`${SOURCE}:%`]);
    await db.exec('vacuum analyze'); // outside a transaction: a fresh start for the figures

    const importOpts = {
      class_code: '01001', id_field: 'id', source: SOURCE, format: 'csv' as const, batch_size: batch,
      map: { class_code: 'class_code', status: 'status', survey_date: 'survey_date' }, total_bytes: size,
    };
    const report = await importComponents(db, createReadStream(file, { highWaterMark: 1 << 20 }), {
      ...importOpts, onProgress: progressPrinter(process.stderr, `${label} import`),
    });
    let reimport: ImportReport | null = null;
    if (opts.reimport) {
      reimport = await importComponents(db, createReadStream(file, { highWaterMark: 1 << 20 }), {
        ...importOpts, onProgress: progressPrinter(process.stderr, `${label} re-import`),
      });
    }

    // The same file COPYed plain, batch by batch as the import does, into a bare table with the file's columns.
    await db.exec('drop table if exists bench_import_plain; create unlogged table bench_import_plain (id text, class_code text, status text, survey_date date, lon float8, lat float8)');
    const t0 = performance.now();
    const cols = ['id', 'class_code', 'status', 'survey_date', 'lon', 'lat'];
    let carry = '';
    let header = true;
    let lines: string[] = [];
    const copy = async () => {
      if (lines.length) await db.transaction((tx) => tx.copyFrom('bench_import_plain', cols, lines.join('\n') + '\n'));
      lines = [];
    };
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' })) {
      const parts = (carry + chunk).split('\n');
      carry = parts.pop()!;
      for (const line of parts) {
        if (header) { header = false; continue; }
        lines.push(line.replaceAll(',', '\t'));
        if (lines.length >= batch) await copy();
      }
    }
    if (carry) lines.push(carry.replaceAll(',', '\t'));
    await copy();
    const copyMs = performance.now() - t0;
    const { rows: [plain] } = await db.query<{ n: number }>('select count(*)::int as n from bench_import_plain');
    await db.exec('drop table bench_import_plain');

    const importRate = report.rows / (report.elapsed_ms / 1000);
    const copyRate = plain.n / (copyMs / 1000);
    const out: [string, string, string, string][] = [
      [label, `import ${fmt(report.rows)} CSV rows (grid lookup, ids, COPY + insert)`, `${fmt(importRate)} rows/s`,
        `${(report.elapsed_ms / 1000).toFixed(1)} s; imported ${fmt(report.imported)}, rejected ${fmt(report.rejected_total)}`],
      [label, `plain COPY of the same ${fmt(plain.n)} rows into a bare table`, `${fmt(copyRate)} rows/s`, `${(copyMs / 1000).toFixed(1)} s`],
      [label, 'import ÷ plain COPY throughput', `${(importRate / copyRate).toFixed(2)}`, `plain COPY is ${(copyRate / importRate).toFixed(1)}× faster`],
    ];
    if (reimport) {
      out.push([label, `re-import of the same file (all unchanged: plan + compare, no writes)`, `${fmt(reimport.rows / (reimport.elapsed_ms / 1000))} rows/s`,
        `${(reimport.elapsed_ms / 1000).toFixed(1)} s; updated ${fmt(reimport.updated)}, unchanged ${fmt(reimport.unchanged)}`]);
    }
    return { rows: out, import: report, reimport, copy_ms: copyMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' }, grids: { type: 'string' }, 'batch-size': { type: 'string' }, reimport: { type: 'boolean' }, only: { type: 'string' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v.replace(/_/g, '')));
  const opts: ImportBenchOptions = { rows: num(values.rows), grids: num(values.grids), batch_size: num(values['batch-size']), reimport: values.reimport };
  const table: [string, string, string, string][] = [];
  if (values.only !== 'postgres') {
    const { openPglite } = await import('../../server/db/pglite.js');
    const db = await openPglite();
    try {
      table.push(...(await benchImport(db, 'pglite', opts)).rows);
    } finally {
      await db.close();
    }
  }
  const url = process.env.DATABASE_URL;
  if (url && values.only !== 'pglite') {
    const name = new URL(url).pathname.slice(1);
    if (!/bench/i.test(name)) throw new Error(`DATABASE_URL must name a scratch database containing "bench" (it gets ${opts.rows ?? 1_000_000} rows); got "${name}"`);
    const { openPostgres } = await import('../../server/db/postgres.js');
    const db = await openPostgres(url, 4);
    try {
      table.push(...(await benchImport(db, 'postgres', opts)).rows);
    } finally {
      await db.close();
    }
  }
  console.log('\n| engine | measure | figure | note |\n|---|---|---|---|');
  for (const r of table) console.log(`| ${r.join(' | ')} |`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
