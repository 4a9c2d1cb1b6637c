// CLI: import past cases of another system from a CSV (also .csv.gz) or GeoJSON file
// (server/services/import-cases.ts), streaming it with progress on stderr and the JSON report on stdout.
//   npm run import:cases -- --file F --source-system NAME --map source_id=…,type=…,opened=…[,…] --type-map MAPPING
//     [--channel-values MAPPING] [--status-values WORD=open|closed,…] [--default-channel C] [--time-zone ZONE]
//     [--format csv|geojson] [--crs wgs84|gcj02] [--batch-size N] [--atomic] [--preset boston311]
//     [--lattice CODE:NAME:minLon,minLat,maxLon,maxLat] [--database-url URL | --data-dir DIR]
// MAPPING is a file name in data/mappings/ (boston311-types), a path, or the mapping inline (JSON or KEY=VALUE,…).
// Without --database-url or --data-dir it uses DATABASE_URL, else PGlite under GRIDLINE_DATA_DIR (./var/data).
// Boston 2015 (a district over Boston is drawn first when the database has none there):
//   npm run import:cases -- --preset boston311 --file data/boston311/boston311_2015_citymgmt.csv.gz \
//     --lattice 990001:Boston:-71.19,42.23,-70.99,42.40
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { rejectionText } from '../server/domain/import/reasons.js';
import { migrate } from '../server/db/migrate.js';
import * as gridsDb from '../server/db/grids.js';
import type { Db } from '../server/db/types.js';
import { loadClasses } from '../server/services/classes.js';
import { loadWorkRules } from '../server/services/work-rules.js';
import { createLatticeDistrict } from '../server/db/lattice.js';
import { importCases, readMapping, type CaseImportFormat, type CaseImportOptions, type CaseImportReport } from '../server/services/import-cases.js';
import { CHANNELS, channelValues, parseCaseFieldMap, parseValueMap, statusValues, type Channel } from '../server/domain/case-import.js';
import { progressPrinter } from './import.js';

const USAGE = `usage: npm run import:cases -- --file F --source-system NAME --map source_id=COL,type=COL,opened=COL[,lon=,lat=,dispatched=,
  target=,closed=,status=,department=,channel=,description=,address=,closure=] --type-map MAPPING [--channel-values MAPPING]
  [--status-values WORD=open|closed,...] [--default-channel ${CHANNELS.join('|')}] [--time-zone ZONE] [--format csv|geojson]
  [--crs wgs84|gcj02] [--batch-size N] [--atomic] [--preset boston311] [--lattice CODE:NAME:minLon,minLat,maxLon,maxLat]
  [--database-url URL | --data-dir DIR] [--lang zh|en]
MAPPING: a file in data/mappings/ (e.g. boston311-types), a path to a CSV/JSON file, or inline JSON / KEY=VALUE,...`;

/** Ready-made options for known exports. */
const PRESETS: Record<string, { source_system: string; map: string; type_map: string; channel_values: string; time_zone: string }> = {
  boston311: {
    source_system: 'boston311',
    map: 'source_id=CASE_ENQUIRY_ID,type=TYPE,opened=OPEN_DT,target=TARGET_DT,closed=CLOSED_DT,status=CASE_STATUS,'
      + 'department=Department,channel=Source,description=CASE_TITLE,address=Location,closure=CLOSURE_REASON,lon=LONGITUDE,lat=LATITUDE',
    type_map: 'boston311-types',
    channel_values: 'boston311-channels',
    time_zone: 'America/New_York',
  },
};

function fail(message: string): never {
  console.error(`import:cases: ${message}\n${USAGE}`);
  process.exit(2);
}

/** A mapping option: an existing file path, else a name in data/mappings/ or the mapping inline. */
function mapping(value: string, what: string): Record<string, string> {
  if ((value.includes('/') || /\.(csv|json)$/i.test(value)) && existsSync(value) && statSync(value).isFile()) {
    return parseValueMap(readFileSync(value, 'utf8'), what);
  }
  return readMapping(value, what);
}

function summary(r: CaseImportReport, lang: 'zh' | 'en' = 'en'): string {
  const secs = r.elapsed_ms / 1000;
  const lines = [
    `${r.rows.toLocaleString('en')} rows (${r.format}) in ${secs.toFixed(1)} s, ${r.batches} batches`,
    `  imported  ${r.imported.toLocaleString('en')}`,
    `  updated   ${r.updated.toLocaleString('en')}${r.updated ? ` (${r.unchanged.toLocaleString('en')} unchanged)` : ''}`,
    `  rejected  ${r.rejected_total.toLocaleString('en')}`,
  ];
  for (const [code, e] of Object.entries(r.rejected_by_code).sort((a, b) => b[1]!.count - a[1]!.count)) {
    lines.push(`    ${code.padEnd(26)} ${e!.count.toLocaleString('en')}`);
    for (const x of e!.first.slice(0, 3)) lines.push(lang === 'zh' ? `      第 ${x.row} 行：${rejectionText('zh', x)}` : `      row ${x.row}: ${x.reason}`);
  }
  return lines.join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' }, format: { type: 'string' }, 'source-system': { type: 'string' }, map: { type: 'string' },
      'type-map': { type: 'string' }, 'channel-values': { type: 'string' }, 'status-values': { type: 'string' },
      'default-channel': { type: 'string' }, 'time-zone': { type: 'string' }, crs: { type: 'string' },
      'batch-size': { type: 'string' }, atomic: { type: 'boolean' }, preset: { type: 'string' }, lattice: { type: 'string' },
      'database-url': { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' }, lang: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.lang !== undefined && values.lang !== 'zh' && values.lang !== 'en') fail(`--lang must be zh or en; got "${values.lang}"`);
  const lang = (values.lang ?? 'en') as 'zh' | 'en';
  const preset = values.preset === undefined ? undefined : PRESETS[values.preset] ?? fail(`unknown --preset "${values.preset}"; known: ${Object.keys(PRESETS).join(', ')}`);
  const file = values.file ?? fail('--file is required');
  const sourceSystem = values['source-system'] ?? preset?.source_system ?? fail('--source-system is required (e.g. boston311)');
  const map = values.map ?? preset?.map ?? fail('--map is required (source_id=COL,type=COL,opened=COL,…)');
  const typeMap = values['type-map'] ?? preset?.type_map ?? fail('--type-map is required (a file in data/mappings/ or inline)');
  const channels = values['channel-values'] ?? preset?.channel_values;
  if (values['database-url'] && values['data-dir']) fail('give --database-url or --data-dir, not both');
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    fail(`cannot read ${file}`);
  }
  const gz = /\.gz$/i.test(file);
  const bare = file.replace(/\.gz$/i, '');
  const format: CaseImportFormat | undefined = values.format === undefined
    ? (/\.(geo)?json$/i.test(bare) ? 'geojson' : /\.csv$/i.test(bare) ? 'csv' : undefined)
    : values.format === 'csv' || values.format === 'geojson' ? values.format : fail(`--format must be csv or geojson; got "${values.format}"`);
  const batch = values['batch-size'] === undefined ? undefined : Number(values['batch-size'].replace(/_/g, ''));
  if (batch !== undefined && !(Number.isInteger(batch) && batch > 0)) fail(`--batch-size must be a positive integer; got "${values['batch-size']}"`);
  const dc = values['default-channel'];
  if (dc !== undefined && !(CHANNELS as readonly string[]).includes(dc)) fail(`--default-channel must be one of ${CHANNELS.join(', ')}`);
  const crs = values.crs;
  if (crs !== undefined && crs !== 'wgs84' && crs !== 'gcj02') fail('--crs must be wgs84 or gcj02');
  let lattice: { code: string; name: string; bbox: [number, number, number, number] } | null = null;
  if (values.lattice) {
    const m = /^([0-9]{6}):([^:]+):(-?[\d.]+),(-?[\d.]+),(-?[\d.]+),(-?[\d.]+)$/.exec(values.lattice);
    if (!m) fail('--lattice must be CODE:NAME:minLon,minLat,maxLon,maxLat, e.g. 990001:Boston:-71.19,42.23,-70.99,42.40');
    lattice = { code: m[1], name: m[2], bbox: [Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])] };
  }

  let opts: Omit<CaseImportOptions, 'work'>;
  try {
    opts = {
      format,
      source_system: sourceSystem,
      map: parseCaseFieldMap(map),
      type_map: mapping(typeMap, 'type_map'),
      channel_values: channels ? channelValues(mapping(channels, 'channel_values')) : undefined,
      status_values: values['status-values'] ? statusValues(mapping(values['status-values'], 'status_values')) : undefined,
      default_channel: dc as Channel | undefined,
      time_zone: values['time-zone'] ?? preset?.time_zone,
      crs: crs as 'wgs84' | 'gcj02' | undefined,
      batch_size: batch,
      atomic: values.atomic ?? false,
      total_bytes: gz ? null : size,
      onProgress: progressPrinter(process.stderr, 'import:cases'),
      actor: null,
    };
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }

  const url = values['database-url'] ?? (values['data-dir'] ? undefined : process.env.DATABASE_URL || undefined);
  let db: Db;
  if (url) {
    const { openPostgres } = await import('../server/db/postgres.js');
    console.error(`import:cases: PostgreSQL ${url.replace(/\/\/[^@/]*@/, '//…@')}`);
    db = await openPostgres(url, 2);
  } else {
    const dir = values['data-dir'] ?? (process.env.GRIDLINE_DATA_DIR || './var/data');
    console.error(`import:cases: PGlite in ${dir} (starting PostGIS takes a few seconds)`);
    const { openPglite } = await import('../server/db/pglite.js');
    db = await openPglite(dir);
  }
  try {
    const applied = await migrate(db);
    if (applied.length) console.error(`import:cases: migrations applied: ${applied.join(', ')}`);
    await loadClasses(db);
    if (lattice) {
      const n = await gridsDb.count(db, { current: true, district_code: lattice.code });
      if (n > 0) console.error(`import:cases: district ${lattice.code} has ${n} grids already; no lattice drawn`);
      else {
        const t = performance.now();
        const out = await createLatticeDistrict(db, { district_code: lattice.code, name: lattice.name, bbox: lattice.bbox });
        console.error(`import:cases: drew district ${lattice.code} ${lattice.name}: ${out.streets} streets, ${out.communities} communities, ${out.grids} unit grids (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      }
    }
    if ((await gridsDb.count(db, { current: true })) === 0) console.error('import:cases: warning: the database has no current grids, so every row will be rejected as outside the district');
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    const report = await importCases(db, gz ? stream.pipe(createGunzip()) : stream, { ...opts, work: loadWorkRules() });
    console.error(`import:cases: ${summary(report, lang)}`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(`\nimport:cases: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
