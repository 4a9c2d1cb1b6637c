// The tile cache's bench (issue 10): cached vs uncached tile throughput over HTTP (two apps on one database, one with
// GRIDLINE_TILE_CACHE_MB=0), and one z14 grid tile at a time end to end, uncached vs from the cache. Part of
// `npm run bench` (index.ts calls benchTileCache per engine); alone: `npx tsx scripts/bench/tile-cache.ts
// [--grids N] [--components M] [--seconds S] [--only pglite|postgres]` (PostgreSQL when DATABASE_URL is set).
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { Db } from '../../server/db/types.js';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { benchArgs } from './args.js';

type Row = [string, string, string, string];
type Point = { lon: number; lat: number };

function tileAt(p: Point, z: number) {
  const n = 2 ** z;
  const r = (p.lat * Math.PI) / 180;
  return { z, x: Math.floor(((p.lon + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n) };
}

/** Requests over `paths` from a worker thread (http-load.mjs), `concurrency` in flight, for `seconds`. */
function load(base: string, paths: string[], seconds: number, concurrency: number): Promise<{ count: number; ms: number }> {
  const worker = new Worker(new URL('./http-load.mjs', import.meta.url), { workerData: { base, paths, seconds, start: 0, concurrency } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => { resolve(m); void worker.terminate(); });
    worker.once('error', reject);
  });
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

/**
 * Figures for one engine: `pts` are sample points inside grids (their z14–16 tiles are requested). About
 * 4 × `seconds` of measuring.
 */
export async function benchTileCache(label: string, db: Db, pts: Point[], opts: { seconds: number; concurrency: number }): Promise<Row[]> {
  const rows: Row[] = [];
  const config = (mb: string) => loadConfig({ GRIDLINE_DEMO: '0', GRIDLINE_CLIENT_DIR: '/nonexistent', GRIDLINE_TILE_CACHE_MB: mb });
  const cold = await buildApp(config('0'), { db });
  const warm = await buildApp(config('256'), { db });
  try {
    const bases: string[] = [];
    for (const app of [cold, warm]) {
      await app.listen({ port: 0, host: '127.0.0.1' });
      bases.push(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`);
    }
    const [coldBase, warmBase] = bases;
    const tiles = [14, 15, 16].flatMap((z) => pts.slice(0, 60).map((p) => tileAt(p, z)));
    const paths = (['grids', 'components'] as const).flatMap((set) => tiles.map((t) => `/api/tiles/${set}/${t.z}/${t.x}/${t.y}.mvt`));
    await load(warmBase, paths, 0.001, 1); // opens the worker's code once
    for (const p of paths) await fetch(warmBase + p).then((r) => r.arrayBuffer()); // every tile in the cache
    // Throughput, cold and warm alternating in rounds so both see the same machine.
    const ROUNDS = 4;
    let coldN = 0, coldMs = 0, warmN = 0, warmMs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const c = await load(coldBase, paths, opts.seconds / ROUNDS, opts.concurrency);
      coldN += c.count; coldMs += c.ms;
      const w = await load(warmBase, paths, opts.seconds / ROUNDS, opts.concurrency);
      warmN += w.count; warmMs += w.ms;
    }
    const coldOps = coldN / (coldMs / 1000);
    const warmOps = warmN / (warmMs / 1000);
    rows.push([label, `tiles z14–16 (grids + components) over HTTP, uncached (GRIDLINE_TILE_CACHE_MB=0), ${opts.concurrency} in flight`, `${coldOps.toFixed(0)} tiles/s`, '']);
    rows.push([label, `tiles z14–16 over HTTP, from the tile cache, ${opts.concurrency} in flight`, `${warmOps.toFixed(0)} tiles/s`, '']);
    rows.push([label, 'cached ÷ uncached tile throughput (target ≥ 10×)', `${(warmOps / coldOps).toFixed(1)}×`, warmOps / coldOps >= 10 ? 'meets target' : 'MISSES target']);

    // One z14 grid tile at a time, end to end (fetch → bytes), uncached vs cached.
    const z14 = pts.slice(0, 60).map((p) => tileAt(p, 14)).map((t) => `/api/tiles/grids/${t.z}/${t.x}/${t.y}.mvt`);
    const timed = async (base: string) => {
      const ms: number[] = [];
      const end = performance.now() + (opts.seconds * 1000) / 2;
      for (let i = 0; performance.now() < end || i < z14.length; i++) {
        const t0 = performance.now();
        await fetch(base + z14[i % z14.length]).then((r) => r.arrayBuffer());
        ms.push(performance.now() - t0);
      }
      return ms;
    };
    const coldLat = await timed(coldBase);
    const warmLat = await timed(warmBase);
    rows.push([label, 'z14 grid tile end to end, uncached, one at a time', `p50 ${pct(coldLat, 0.5).toFixed(2)} ms`, `p99 ${pct(coldLat, 0.99).toFixed(2)} ms`]);
    rows.push([label, 'z14 grid tile end to end, from the cache (target ≤ 2 ms)', `p50 ${pct(warmLat, 0.5).toFixed(2)} ms`,
      `p99 ${pct(warmLat, 0.99).toFixed(2)} ms; ${pct(warmLat, 0.5) <= 2 ? 'meets target' : 'MISSES target'}`]);
  } finally {
    await cold.close();
    await warm.close();
  }
  return rows;
}

async function main() {
  const { args, num } = benchArgs();
  const { openPglite } = await import('../../server/db/pglite.js');
  const { openPostgres } = await import('../../server/db/postgres.js');
  const { migrate } = await import('../../server/db/migrate.js');
  const { loadClasses } = await import('../../server/services/classes.js');
  const { loadDemo } = await import('../../server/services/demo.js');
  const rows: Row[] = [];
  const one = async (label: string, db: Db) => {
    await migrate(db);
    await loadClasses(db);
    const { rows: [n] } = await db.query<{ n: number }>('select count(*)::int as n from grids');
    if (n.n === 0) await loadDemo(db, { demo: 'dongcheng', demo_grids: num('grids', 5000), demo_components: num('components', 100_000) });
    await db.exec('analyze');
    const { rows: pts } = await db.query<Point>(
      `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from (select geom from grids where valid_to is null order by md5(code) limit 60) g) s`);
    rows.push(...await benchTileCache(label, db, pts, { seconds: num('seconds', 6), concurrency: num('concurrency', 4) }));
  };
  if (args.get('only') !== 'postgres') {
    const db = await openPglite();
    await one('pglite', db);
    await db.close();
  }
  if (process.env.DATABASE_URL && args.get('only') !== 'pglite') {
    const db = await openPostgres(process.env.DATABASE_URL, 8);
    await one('postgres', db);
    await db.close();
  }
  console.log('\n| engine | measure | figure | note |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main().catch((e) => { console.error(e); process.exit(1); });
