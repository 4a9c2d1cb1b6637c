// CLI: import components from a GeoJSON FeatureCollection or a CSV file (server/services/import-components.ts),
// streaming the file with a progress bar on stderr and a report on stdout.
//   npm run import -- --file F --class-code 01013 --id-field FIELD [--format geojson|csv] [--source NS]
//     [--map status=FIELD,class_code=FIELD,note=FIELD,survey_date=FIELD,change_date=FIELD,data_source=FIELD]
//     [--status-values WORD=STATUS,…] [--lon-field X --lat-field Y] [--crs wgs84|gcj02] [--default-status S]
//     [--data-source S] [--survey-date YYYY-MM-DD] [--batch-size N] [--atomic] [--show N] [--json]
//     [--database-url URL | --data-dir DIR]
// Without --database-url or --data-dir it uses DATABASE_URL, else PGlite under GRIDLINE_DATA_DIR (./var/data).
// Example (the Cambridge hydrants, once Cambridge's grids are loaded):
//   npm run import -- --file /work/shared/data/cambridge-ma/INFRA_Hydrants.geojson --class-code 01013 \
//     --id-field HYDRANT_ID --source cambridge:hydrants --map status=LIFECYCLESTATUS,survey_date=INSTALLDATE \
//     --status-values MITFL=damaged
import { createReadStream, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { rejectionText } from '../server/domain/import/reasons.js';
import { migrate } from '../server/db/migrate.js';
import * as gridsDb from '../server/db/grids.js';
import type { Db } from '../server/db/types.js';
import { loadClasses } from '../server/services/classes.js';
import { importComponents, type ImportFormat, type ImportOptions, type ImportProgress, type ImportReport } from '../server/services/import-components.js';
import {
  COMPONENT_STATUSES, DATA_SOURCES, parseFieldMap, parseStatusValues, type ComponentStatus, type DataSource,
} from '../server/domain/import/vocabulary.js';

const USAGE = `usage: npm run import -- --file F --class-code 01013 --id-field FIELD [--format geojson|csv] [--source NS]
  [--map status=FIELD,class_code=FIELD,note=FIELD,survey_date=FIELD,change_date=FIELD,data_source=FIELD]
  [--status-values WORD=STATUS,...] [--lon-field X] [--lat-field Y] [--crs wgs84|gcj02] [--default-status S]
  [--data-source S] [--survey-date YYYY-MM-DD] [--batch-size N] [--atomic] [--show N] [--json] [--lang zh|en]
  [--database-url URL | --data-dir DIR]`;

const n = (v: number) => Math.round(v).toLocaleString('en');

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
    : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A progress printer for ImportProgress: on a terminal one line redrawn in place (bar, %, rows, rows/s, counts,
 * time left), otherwise a plain line every few seconds. Writes to `out` (stderr), so stdout keeps the report.
 */
export function progressPrinter(out: NodeJS.WriteStream = process.stderr, label = 'import'): (p: ImportProgress) => void {
  const tty = Boolean(out.isTTY);
  let lastLine = 0;
  return (p) => {
    const now = performance.now();
    if (!tty && !p.done && now - lastLine < 3000) return;
    lastLine = now;
    const secs = p.elapsed_ms / 1000;
    const rate = secs > 0 ? p.rows / secs : 0;
    const share = p.total_bytes ? Math.min(1, p.bytes / p.total_bytes) : null;
    const width = 24;
    const bar = share === null ? '' : `[${'█'.repeat(Math.round(share * width)).padEnd(width, '░')}] ${(share * 100).toFixed(1).padStart(5)}%  `;
    const left = share && share > 0 && !p.done ? `, ~${clock((p.elapsed_ms / share) * (1 - share))} left` : '';
    const line = `${label}: ${bar}${n(p.rows)} rows  ${n(rate)} rows/s  imported ${n(p.imported)}  updated ${n(p.updated)}  rejected ${n(p.rejected)}  ${clock(p.elapsed_ms)}${left}`;
    if (tty) out.write(`\r${line}\x1b[K${p.done ? '\n' : ''}`);
    else out.write(line + '\n');
  };
}

/** The final report: totals, then per reason the count and the first `show` rows. */
export function formatReport(r: ImportReport, show = 5, lang: 'zh' | 'en' = 'en'): string {
  const secs = r.elapsed_ms / 1000;
  const lines = [
    `${n(r.rows)} rows (${r.format}) in ${secs.toFixed(1)} s, ${n(secs > 0 ? r.rows / secs : r.rows)} rows/s, ${r.batches} batches`,
    `  imported  ${n(r.imported)}`,
    `  updated   ${n(r.updated)}${r.updated ? ` (${n(r.unchanged)} unchanged)` : ''}`,
    `  rejected  ${n(r.rejected_total)}`,
  ];
  const codes = Object.entries(r.rejected_by_code).sort((a, b) => b[1]!.count - a[1]!.count);
  for (const [code, e] of codes) {
    lines.push(`    ${code.padEnd(22)} ${n(e!.count)}`);
    // English: the importer's detailed sentence; zh: the reason said from its code and params (domain/import/reasons.ts).
    for (const x of e!.first.slice(0, show)) lines.push(lang === 'zh' ? `      第 ${x.row} 行：${rejectionText('zh', x)}` : `      row ${x.row}: ${x.reason}`);
    if (e!.count > show) lines.push(`      … ${n(e!.count - Math.min(show, e!.first.length))} more`);
  }
  return lines.join('\n');
}

function fail(message: string): never {
  console.error(`import: ${message}\n${USAGE}`);
  process.exit(2);
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) fail(`--${name} must be one of ${allowed.join(', ')}; got "${v}"`);
  return v as T;
}

async function main() {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' }, format: { type: 'string' }, 'class-code': { type: 'string' }, 'id-field': { type: 'string' },
      source: { type: 'string' }, map: { type: 'string' }, 'status-values': { type: 'string' },
      'lon-field': { type: 'string' }, 'lat-field': { type: 'string' }, crs: { type: 'string' },
      'default-status': { type: 'string' }, 'data-source': { type: 'string' }, 'survey-date': { type: 'string' },
      'batch-size': { type: 'string' }, atomic: { type: 'boolean' }, show: { type: 'string' }, json: { type: 'boolean' }, lang: { type: 'string' },
      'database-url': { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const file = values.file ?? fail('--file is required');
  const classCode = values['class-code'] ?? fail('--class-code is required (the class of rows that name none)');
  const idField = values['id-field'] ?? fail('--id-field is required (the property or column holding the source id)');
  if (values['database-url'] && values['data-dir']) fail('give --database-url or --data-dir, not both');
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    fail(`cannot read ${file}`);
  }
  const format: ImportFormat | undefined = oneOf('format', values.format, ['geojson', 'csv'] as const)
    ?? (/\.(geo)?json$/i.test(file) ? 'geojson' : /\.csv$/i.test(file) ? 'csv' : undefined);
  const batch = values['batch-size'] === undefined ? undefined : Number(values['batch-size'].replace(/_/g, ''));
  if (batch !== undefined && !(Number.isInteger(batch) && batch > 0)) fail(`--batch-size must be a positive integer; got "${values['batch-size']}"`);
  const show = values.show === undefined ? 5 : Number(values.show);
  const lang = oneOf('lang', values.lang, ['zh', 'en'] as const) ?? 'en';

  let opts: ImportOptions;
  try {
    opts = {
      format,
      class_code: classCode,
      id_field: idField,
      source: values.source ?? null,
      map: values.map ? parseFieldMap(values.map) : undefined,
      status_values: values['status-values'] ? parseStatusValues(values['status-values']) : undefined,
      lon_field: values['lon-field'] ?? null,
      lat_field: values['lat-field'] ?? null,
      crs: oneOf('crs', values.crs, ['wgs84', 'gcj02'] as const),
      default_status: oneOf<ComponentStatus>('default-status', values['default-status'], COMPONENT_STATUSES),
      data_source: oneOf<DataSource>('data-source', values['data-source'], DATA_SOURCES),
      survey_date: values['survey-date'] ?? null,
      batch_size: batch,
      atomic: values.atomic ?? false,
      total_bytes: size,
      onProgress: progressPrinter(),
    };
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }

  const url = values['database-url'] ?? (values['data-dir'] ? undefined : process.env.DATABASE_URL || undefined);
  let db: Db;
  if (url) {
    const { openPostgres } = await import('../server/db/postgres.js');
    console.error(`import: PostgreSQL ${url.replace(/\/\/[^@/]*@/, '//…@')}`);
    db = await openPostgres(url, 2);
  } else {
    const dir = values['data-dir'] ?? (process.env.GRIDLINE_DATA_DIR || './var/data');
    console.error(`import: PGlite in ${dir} (starting PostGIS takes a few seconds)`);
    const { openPglite } = await import('../server/db/pglite.js');
    db = await openPglite(dir);
  }
  try {
    const applied = await migrate(db);
    if (applied.length) console.error(`import: migrations applied: ${applied.join(', ')}`);
    await loadClasses(db);
    if ((await gridsDb.count(db, { current: true })) === 0) console.error('import: warning: the database has no current grids, so every row will be rejected as outside the district');
    const report = await importComponents(db, createReadStream(file, { highWaterMark: 1 << 20 }), opts);
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else console.log(`import: ${formatReport(report, show, lang)}`);
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(`\nimport: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
