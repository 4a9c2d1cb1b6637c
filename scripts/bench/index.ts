// npm run bench: figures and ratios measured side by side in one run (DEVELOPERS.md), on PGlite and, when
// DATABASE_URL is set, on PostgreSQL + PostGIS. Not a test: targets are printed next to the figures.
//   npm run bench -- [--grids N] [--components M] [--pg-grids N] [--pg-components M] [--seconds S]
//                    [--concurrency C] [--only pglite|postgres]
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import type { Db } from '../../server/db/types.js';
import { migrate } from '../../server/db/migrate.js';
import { loadClasses } from '../../server/services/classes.js';
import { loadDemo } from '../../server/services/demo.js';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { readFileSync } from 'node:fs';
import { prepared } from '../../server/db/prepared.js';
import { seedDemoUsers } from '../../server/services/demo-users.js';
import { randomUUID } from 'node:crypto';
import * as casesDb from '../../server/db/cases.js';
import * as classesDb from '../../server/db/classes.js';
import * as gridsDb from '../../server/db/grids.js';
import * as placesDb from '../../server/db/places.js';
import * as departmentsDb from '../../server/db/departments.js';
import * as auditDb from '../../server/db/audit.js';
import { renderTile, tileLayers, postgresLayerSql, pgliteLayerSql, defaultEncoder } from '../../server/db/tiles.js';
import { benchTileCache } from './tile-cache.js';
import { benchArgs } from './args.js';

const { args, num } = benchArgs();
const SECONDS = num('seconds', 3);
const CONCURRENCY = num('concurrency', 4);

type Row = [string, string, string, string];
const rows: Row[] = [];
const say = (s: string) => console.log(s);

type Stats = { ops: number; p50: number; p99: number; n: number };

function stats(lat: number[]): Stats {
  lat.sort((a, b) => a - b);
  const total = lat.reduce((s, v) => s + v, 0);
  return { ops: lat.length / (total / 1000), p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)], n: lat.length };
}

/** Latencies (ms) of fn run back to back for `seconds`. */
async function run(fn: (i: number) => Promise<unknown>, seconds: number, start = 0): Promise<number[]> {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  let i = start;
  while (performance.now() < end) {
    const t0 = performance.now();
    await fn(i++);
    lat.push(performance.now() - t0);
  }
  return lat;
}

const ROUNDS = 5;

/**
 * Measures the given workloads side by side: after a warm-up, ROUNDS rounds each give every workload 1/ROUNDS of
 * the time in turn, so a burst of load from elsewhere on this shared machine hits all of them alike.
 */
async function compare(fns: ((i: number) => Promise<unknown>)[], seconds = SECONDS): Promise<Stats[]> {
  for (const fn of fns) for (let i = 0; i < 20; i++) await fn(i);
  const lats: number[][] = fns.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < fns.length; k++) lats[k].push(...(await run(fns[k], seconds / ROUNDS, lats[k].length)));
  }
  return lats.map(stats);
}

/** An HTTP workload: a worker thread requests the paths one after another for `seconds`; returns its latencies. */
function httpLoad(base: string, paths: string[], seconds: number, start: number): Promise<{ count: number; ms: number }> {
  const worker = new Worker(new URL('./http-load.mjs', import.meta.url), { workerData: { base, paths, seconds, start, concurrency: CONCURRENCY } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => { resolve(m); void worker.terminate(); });
    worker.once('error', reject);
  });
}

function lonLatToTile(lon: number, lat: number, z: number) {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return { z, x: Math.floor(((lon + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n) };
}

async function benchEngine(label: string, db: Db, grids: number, components: number) {
  say(`\n== ${label}: loading ${grids.toLocaleString()} grids, ${components.toLocaleString()} components …`);
  await migrate(db);
  await loadClasses(db);
  const { rows: existing } = await db.query<{ n: number }>('select count(*)::int as n from grids');
  if (existing[0].n === 0) {
    const t0 = performance.now();
    await loadDemo(db, { demo: 'dongcheng', demo_grids: grids, demo_components: components });
    const s = (performance.now() - t0) / 1000;
    rows.push([label, 'load (generate + COPY + index + departments)', `${s.toFixed(1)} s`, `${Math.round((grids + components) / s).toLocaleString()} rows/s`]);
  }
  await db.exec('analyze');
  const { rows: counts } = await db.query<{ g: number; c: number }>('select (select count(*) from grids)::int as g, (select count(*) from components)::int as c');
  say(`   ${counts[0].g.toLocaleString()} grids, ${counts[0].c.toLocaleString()} components in the database`);

  // Sample points inside grids, spread over the district.
  const { rows: pts } = await db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from (select geom from grids order by md5(code) limit 500) g) s`);
  const locateSql = prepared(readFileSync(new URL('../../server/db/sql/locate-grid.sql', import.meta.url), 'utf8'));
  const selectOne = prepared('select 1');

  const [one, loc] = await compare([
    () => db.query(selectOne),
    (i) => db.query(locateSql, [pts[i % pts.length].lon, pts[i % pts.length].lat]),
  ]);
  rows.push([label, 'select 1 round trip', `${one.ops.toFixed(0)} ops/s`, `p50 ${one.p50.toFixed(3)} ms`]);
  rows.push([label, 'unit-grid lookup of a point', `${loc.ops.toFixed(0)} ops/s`, `p50 ${loc.p50.toFixed(3)} ms`]);
  rows.push([label, 'lookup ÷ round trip (target ≤ 3×)', `${(one.ops / loc.ops).toFixed(2)}×`, one.ops / loc.ops <= 3 ? 'meets target' : 'MISSES target']);

  // Tiles: z14–z16 tiles around the sample points.
  const tiles = [14, 15, 16].flatMap((z) => pts.slice(0, 60).map((p) => lonLatToTile(p.lon, p.lat, z)));
  // The tile cache off: the endpoint is compared with its own SQL here; the cache has its own figures below.
  const app = await buildApp(loadConfig({ GRIDLINE_DEMO: '0', GRIDLINE_CLIENT_DIR: '/nonexistent', GRIDLINE_TILE_CACHE_MB: '0' }), { db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const encoder = defaultEncoder(db);
  for (const set of ['grids', 'components'] as const) {
    const paths = tiles.map((t) => `/api/tiles/${set}/${t.z}/${t.x}/${t.y}.mvt`);
    const rawSql = async (i: number) => {
      const t = tiles[i % tiles.length];
      for (const l of tileLayers(set, t.z)) await db.query(prepared(encoder === 'postgis' ? postgresLayerSql(l) : pgliteLayerSql(l)), [t.z, t.x, t.y]);
    };
    const rendered = (i: number) => { const t = tiles[i % tiles.length]; return renderTile(db, set, t.z, t.x, t.y); };
    // Throughput with CONCURRENCY requests in flight on both sides (a pool for the raw SQL, keep-alive
    // connections for HTTP), alternating in rounds so both see the same machine.
    let rawCount = 0, rawTime = 0, httpCount = 0, httpTime = 0;
    for (let i = 0; i < 20; i++) { await rawSql(i); await rendered(i); }
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      const counts = await Promise.all(Array.from({ length: CONCURRENCY }, (_, k) => run(rawSql, SECONDS / ROUNDS, k * 7)));
      rawTime += performance.now() - t0;
      rawCount += counts.reduce((n, l) => n + l.length, 0);
      const h = await httpLoad(base, paths, SECONDS / ROUNDS, r * 13);
      httpTime += h.ms;
      httpCount += h.count;
    }
    const rawOps = rawCount / (rawTime / 1000);
    const httpOps = httpCount / (httpTime / 1000);
    // The slowest tile: the median of 5 runs of each tile's SQL, the worst over all sampled z14–16 tiles.
    const perTile: number[] = [];
    for (let k = 0; k < tiles.length; k++) {
      const ms: number[] = [];
      for (let j = 0; j < 5; j++) { const t0 = performance.now(); await rawSql(k); ms.push(performance.now() - t0); }
      perTile.push(ms.sort((a, b) => a - b)[2]);
    }
    const worst = Math.max(...perTile);
    const renderedStats = stats(await run(rendered, SECONDS));
    rows.push([label, `${set} z14–16 tile: raw SQL, ${CONCURRENCY} in flight`, `${rawOps.toFixed(0)} tiles/s`, '']);
    rows.push([label, `${set} z14–16 tile: HTTP endpoint, ${CONCURRENCY} in flight`, `${httpOps.toFixed(0)} tiles/s`, '']);
    rows.push([label, `${set} endpoint ÷ raw SQL throughput (target ≥ 0.7)`, `${(httpOps / rawOps).toFixed(2)}`, httpOps / rawOps >= 0.7 ? 'meets target' : 'MISSES target']);
    rows.push([label, `${set} z14–16 tile: renderTile (SQL + encode), one at a time`, `p50 ${renderedStats.p50.toFixed(2)} ms`, `p99 ${renderedStats.p99.toFixed(2)} ms`]);
    rows.push([label, `${set} slowest z14–16 tile's SQL (median of 5; target ≤ 10 ms)`, `${worst.toFixed(2)} ms`,
      `${perTile.filter((v) => v <= 10).length}/${perTile.length} tiles ≤ 10 ms`]);
  }
  // Low-zoom tile sizes: the whole district at z10–12.
  const c = pts[0];
  for (const z of [10, 12]) {
    const t = lonLatToTile(c.lon, c.lat, z);
    for (const set of ['grids', 'components'] as const) {
      const t0 = performance.now();
      const buf = await renderTile(db, set, t.z, t.x, t.y);
      rows.push([label, `${set} z${z} tile size (budget 500 KB)`, `${(buf.length / 1024).toFixed(1)} KB`, `${(performance.now() - t0).toFixed(0)} ms`]);
    }
  }
  rows.push(...await benchTileCache(label, db, pts, { seconds: SECONDS, concurrency: CONCURRENCY }));
  await benchCases(label, db, base, pts);
  await app.close();
}

function worker<T>(file: string, data: unknown, onReady?: () => void): Promise<T> {
  const w = new Worker(new URL(file, import.meta.url), { workerData: data });
  return new Promise((resolve, reject) => {
    w.on('message', (m) => { if (m.ready) onReady?.(); else { resolve(m); void w.terminate(); } });
    w.once('error', reject);
  });
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

/** Intake through the endpoint vs the same SQL run bare, and commit-to-SSE latency to many clients. */
async function benchCases(label: string, db: Db, base: string, pts: { lon: number; lat: number }[]) {
  await seedDemoUsers(db);
  const login = async (username: string) => ((await (await fetch(`${base}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }),
  })).json()) as { token: string }).token;
  const inspector = await login('inspector1');
  const dispatcher = await login('dispatcher1');
  const points = pts.map((p) => [p.lon, p.lat]);
  const C = 16;
  // "The same SQL run bare": the db-layer calls reportCase makes, in the same order, with values computed up front:
  // no HTTP, no session check, no validation, no deadline arithmetic, no hashing.
  const { rows: [insp] } = await db.query<{ id: number }>(`select id from users where username = 'inspector1'`);
  const bare = async (i: number) => {
    const p = pts[i % pts.length];
    const now = new Date();
    const id = randomUUID();
    const key = `bare-${id}`;
    await db.transaction(async (tx) => {
      await casesDb.lockKey(tx, 'bench', key);
      await casesDb.findKey(tx, 'bench', key);
      await classesDb.get(tx, 'matter', '06010');
      const g = (await gridsDb.locate(tx, p.lon, p.lat))!;
      const road = await placesDb.nearestRoad(tx, p.lon, p.lat);
      const resp = await gridsDb.responsibilityOf(tx, g.code);
      const suggested = await departmentsDb.suggestFor(tx, { class_code: '06010', component_id: null });
      const case_no = await casesDb.nextCaseNo(tx, g.district_code, '2026-11-23');
      const hash = '0'.repeat(64);
      const c = await casesDb.insert(tx, {
        id, case_no, status: 'pending_acceptance', source: 'inspector', kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat,
        address: road?.name ?? null, district_code: g.district_code, street_code: g.street_code, community_code: g.community_code,
        grid_code: g.code, responsibility_code: resp, reporter_id: Number(insp.id), suggested_department_id: suggested, step: 'accept',
        step_started_at: now, step_deadline_at: now, yellow_at: now, red_at: now, trail_head: hash, created_at: now, updated_at: now,
      }, now);
      await casesDb.appendTrail(tx, g.district_code, { case_id: id, seq: 1, at: now, actor: String(insp.id), role: 'inspector', action: 'report', from_status: null,
        to_status: 'pending_acceptance', note: null, photo_ids: null, deadline_at: now, data: null, prev_hash: hash, hash });
      await casesDb.appendEvent(tx, { case_id: id, district_code: g.district_code, version: 1, at: now, payload: { id, status: c.status } });
      await casesDb.saveKey(tx, { scope: 'bench', key, request_hash: hash, case_id: id, district_code: g.district_code, now });
      await auditDb.record(tx, { at: now, action: 'case.report', user_id: Number(insp.id), target: `case:${id}` });
    });
    await casesDb.nearbyOpen(db, { class_code: '06010', lon: p.lon, lat: p.lat, meters: 50, exclude: id }, now);
  };
  let bareCount = 0, bareMs = 0;
  const httpLat: number[] = [];
  let httpMs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const counts = await Promise.all(Array.from({ length: C }, (_, k) => run(bare, SECONDS / ROUNDS, k * 31)));
    bareMs += performance.now() - t0;
    bareCount += counts.reduce((n, l) => n + l.length, 0);
    const h = await worker<{ lat: number[]; ms: number }>('./post-load.mjs', { base, token: inspector, points, seconds: SECONDS / ROUNDS, concurrency: C });
    httpLat.push(...h.lat);
    httpMs += h.ms;
  }
  const bareOps = bareCount / (bareMs / 1000);
  const httpOps = httpLat.length / (httpMs / 1000);
  rows.push([label, `intake: the same SQL bare (db-layer calls only), ${C} in flight`, `${bareOps.toFixed(0)} reports/s`, '']);
  rows.push([label, `intake: POST /api/cases (validate, locate, insert, trail, notify, audit), ${C} in flight`, `${httpOps.toFixed(0)} reports/s`,
    `p50 ${pct(httpLat, 0.5).toFixed(1)} ms, p99 ${pct(httpLat, 0.99).toFixed(1)} ms`]);
  rows.push([label, 'intake ÷ bare SQL throughput (target ≥ 0.6)', `${(httpOps / bareOps).toFixed(2)}`, httpOps / bareOps >= 0.6 ? 'meets target' : 'MISSES target']);

  // Commit to SSE client: 200 clients connected, 100 changes a second for a few seconds.
  const CLIENTS = 200, RATE = 100, LIVE_SECONDS = Math.max(3, SECONDS);
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const clients = worker<{ delays: number[] }>('./live-clients.mjs', { base, token: dispatcher, clients: CLIENTS, seconds: LIVE_SECONDS + 3 }, () => ready());
  await isReady;
  const writes = await worker<{ lat: number[] }>('./post-load.mjs', { base, token: inspector, points, seconds: LIVE_SECONDS, rate: RATE });
  const { delays } = await clients;
  rows.push([label, `commit → SSE client, ${CLIENTS} clients, ${RATE} changes/s`, `p99 ${pct(delays, 0.99).toFixed(0)} ms`,
    `p50 ${pct(delays, 0.5).toFixed(0)} ms; ${delays.length} deliveries of ${writes.lat.length * CLIENTS} (target p99 ≤ 250 ms)`]);
}

async function main() {
  const only = args.get('only'); // pglite | postgres
  if (only !== 'postgres') {
    const pglite = await openPglite();
    await benchEngine('pglite', pglite, num('grids', 20_000), num('components', 400_000));
    await pglite.close();
  }
  if (process.env.DATABASE_URL && only !== 'pglite') {
    const pg = await openPostgres(process.env.DATABASE_URL, 8);
    await benchEngine('postgres', pg, num('pg-grids', 100_000), num('pg-components', 5_000_000));
    await pg.close();
  }
  say('\n| engine | measure | figure | note |\n|---|---|---|---|');
  for (const r of rows) say(`| ${r.join(' | ')} |`);
}

main().catch((e) => { console.error(e); process.exit(1); });
