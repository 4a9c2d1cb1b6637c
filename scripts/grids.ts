// CLI: draw unit grids (server/services/draw-grids.ts) and print the summary.
//   npm run grids -- --load-cambridge                     load Cambridge, MA (regions + roads) and draw its grids
//   npm run grids -- --communities 900001005 --valid-from 2026-03-01 --target 10000 --min 2000 --max 20000
// Without --database-url or --data-dir it uses DATABASE_URL, else PGlite under GRIDLINE_DATA_DIR (./var/data).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { migrate } from '../server/db/migrate.js';
import type { Db } from '../server/db/types.js';
import { currentGridsGeoJson } from '../server/db/drawing.js';
import { CAMBRIDGE_DISTRICT, drawGrids, loadCambridgeRegions, readCambridgeBlocks } from '../server/services/draw-grids.js';
import { formatSummary } from '../server/domain/drawing.js';
import type { GeoJsonGeometry } from '../server/db/drawing.js';

const USAGE = `usage: npm run grids -- [--load-cambridge] [--no-draw] [--communities CODE,…] [--valid-from YYYY-MM-DD]
  [--target M2] [--min M2] [--max M2] [--consolidate-below M2] [--row-height M] [--srid EPSG]
  [--blocks FILE.geojson | --no-blocks] [--out grids.geojson] [--database-url URL | --data-dir DIR]
  --communities takes district (6), street (9) or community (12) codes; default: Cambridge (${CAMBRIDGE_DISTRICT.code}).
  Blocks default to data/cambridge/blocks.geojson when drawing inside Cambridge.`;

function fail(message: string): never {
  console.error(`grids: ${message}\n${USAGE}`);
  process.exit(2);
}

function num(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number; got "${raw}"`);
  return n;
}

function readBlocks(file: string): { id: string; geometry: GeoJsonGeometry }[] {
  const fc = JSON.parse(readFileSync(file, 'utf8')) as { features: { id?: unknown; properties?: Record<string, unknown>; geometry: GeoJsonGeometry }[] };
  return fc.features.filter((f) => f.geometry).map((f, i) => ({ id: String(f.id ?? f.properties?.id ?? f.properties?.UNQ_ID2 ?? i + 1), geometry: f.geometry }));
}

async function main() {
  const { values } = parseArgs({
    options: {
      'load-cambridge': { type: 'boolean' },
      'no-draw': { type: 'boolean' },
      communities: { type: 'string' },
      'valid-from': { type: 'string' },
      target: { type: 'string' },
      min: { type: 'string' },
      max: { type: 'string' },
      'consolidate-below': { type: 'string' },
      'row-height': { type: 'string' },
      srid: { type: 'string' },
      blocks: { type: 'string' },
      'no-blocks': { type: 'boolean' },
      out: { type: 'string' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(USAGE);
  if (values['database-url'] && values['data-dir']) fail('give --database-url or --data-dir, not both');
  const communities = (values.communities ?? CAMBRIDGE_DISTRICT.code).split(',').map((c) => c.trim()).filter(Boolean);
  if (communities.some((c) => !/^(\d{6}|\d{9}|\d{12})$/.test(c))) fail(`--communities takes 6-, 9- or 12-digit codes; got "${values.communities}"`);
  const validFrom = values['valid-from'] ?? new Date().toISOString().slice(0, 10);
  const inCambridge = communities.every((c) => c.startsWith(CAMBRIDGE_DISTRICT.code));
  const blocks = values['no-blocks'] ? undefined : values.blocks ? readBlocks(values.blocks) : inCambridge ? readCambridgeBlocks() : undefined;
  const consolidate = values['consolidate-below'] === '0' ? 0 : num('consolidate-below', values['consolidate-below']);
  const params = {
    target_area_m2: num('target', values.target), min_area_m2: num('min', values.min), max_area_m2: num('max', values.max),
    consolidate_below_m2: consolidate, row_height_m: num('row-height', values['row-height']),
    use_blocks: values['no-blocks'] ? false : undefined,
  };
  const srid = values.srid === undefined ? undefined : Number(values.srid);
  if (srid !== undefined && !Number.isInteger(srid)) fail(`--srid must be an EPSG code; got "${values.srid}"`);

  const url = values['database-url'] ?? (values['data-dir'] ? undefined : process.env.DATABASE_URL || undefined);
  let db: Db;
  if (url) {
    const { openPostgres } = await import('../server/db/postgres.js');
    console.log(`grids: PostgreSQL ${url.replace(/\/\/[^@/]*@/, '//…@')}`);
    db = await openPostgres(url, 2);
  } else {
    const dir = values['data-dir'] ?? (process.env.GRIDLINE_DATA_DIR || './var/data');
    console.log(`grids: PGlite in ${dir} (starting PostGIS takes a few seconds)`);
    const { openPglite } = await import('../server/db/pglite.js');
    db = await openPglite(dir);
  }
  try {
    const applied = await migrate(db);
    if (applied.length) console.log(`grids: migrations applied: ${applied.join(', ')}`);
    if (values['load-cambridge']) {
      const t = performance.now();
      const r = await loadCambridgeRegions(db);
      console.log(
        `grids: Cambridge loaded as district ${r.district}: ${r.streets.length} streets, ${r.communities.length} communities ` +
          `(${r.pieces_merged} neighbourhood × precinct slivers merged), ${r.roads_added} roads added, ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    }
    if (values['no-draw']) return;
    const summary = await drawGrids(db, {
      ...params, communities, valid_from: validFrom, srid, blocks,
      log: (line) => console.log(`grids: ${line}`),
    });
    for (const line of formatSummary(summary)) console.log(line);
    if (values.out) {
      const { count, text } = await currentGridsGeoJson(db, communities);
      writeFileSync(values.out, text);
      console.log(`grids: ${count} current grids written to ${values.out}`);
    }
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(`grids: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
