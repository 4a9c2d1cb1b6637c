// The tile cache's bench (issue 10): cached vs uncached tile throughput over HTTP (two apps on one database, one with
// GRIDLINE_TILE_CACHE_MB=0), and one z14 grid tile at a time end to end, uncached vs from the cache. Part of
// `npm run bench` (index.ts calls benchTileCache per engine); alone: `npx tsx scripts/bench/tile-cache.ts
// [--grids N] [--components M] [--seconds S] [--concurrency C] [--only pglite|postgres]` (PostgreSQL when
// DATABASE_URL is set).
//
// The requests come from another process (http-load.mjs, forked: keep-alive connections, HTTP/1.1 written by hand),
// so that this process's CPU goes to serving alone and the client costs the machine as little as it can: on two shared
// cores a heavy client caps the cached side at its own speed, not the server's. Both sides get the same client, the
// same paths and the same concurrency, in alternating rounds. Next to the throughput, the server process's CPU per
// tile (process.cpuUsage; on PostgreSQL the database's own backends are not in it) says where a tile's time goes
// whatever else the machine is doing.
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
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

type Load = { count: number; ms: number; bytes: number; lat?: number[]; cpu_us: number };

/**
 * Requests over `paths` from a child process (http-load.mjs), `concurrency` in flight, for `seconds` (and at least
 * `min_requests`); `cpu_us`: this process's CPU meanwhile. `latencies`: each request's time too.
 */
async function load(base: string, paths: string[], seconds: number, concurrency: number,
  more: { start?: number; latencies?: boolean; min_requests?: number } = {}): Promise<Load> {
  const child = fork(new URL('./http-load.mjs', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((resolve) => child.once('spawn', resolve));
  const c0 = process.cpuUsage();
  try {
    const m = await new Promise<{ count: number; ms: number; bytes: number; lat?: number[]; error?: string }>((resolve, reject) => {
      child.once('message', (msg) => resolve(msg as never));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`http-load.mjs exited (${code}) without an answer`)));
      child.send({ base, paths, seconds, start: 0, concurrency, ...more });
    });
    if (m.error) throw new Error(`http-load.mjs: ${m.error}`);
    const cpu = process.cpuUsage(c0);
    return { ...m, cpu_us: cpu.user + cpu.system };
  } finally {
    child.kill();
  }
}

/** `xs` in an order that looks random and is the same at every run (a seeded xorshift). */
function shuffled<T>(xs: T[]): T[] {
  const out = [...xs];
  let seed = 0x9e3779b9;
  const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 2 ** 32; };
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
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
    // In a fixed shuffled order, and each side goes on where its last round stopped: a side that gets through only a
    // few tiles in its time (uncached on PGlite) still asks for the same mix of sets and zooms as the other.
    const paths = shuffled((['grids', 'components'] as const).flatMap((set) => tiles.map((t) => `/api/tiles/${set}/${t.z}/${t.x}/${t.y}.mvt`)));
    await load(warmBase, paths.slice(0, 1), 0, 1, { min_requests: 1 }); // the client's code read once
    for (const p of paths) await fetch(warmBase + p).then((r) => r.arrayBuffer()); // every tile in the cache
    const load0 = loadavg()[0];
    // Throughput, cold and warm alternating in rounds so both see the same machine.
    const ROUNDS = 4;
    let coldN = 0, coldMs = 0, coldCpu = 0, coldB = 0, warmN = 0, warmMs = 0, warmCpu = 0, warmB = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const c = await load(coldBase, paths, opts.seconds / ROUNDS, opts.concurrency, { start: coldN });
      coldN += c.count; coldMs += c.ms; coldCpu += c.cpu_us; coldB += c.bytes;
      const w = await load(warmBase, paths, opts.seconds / ROUNDS, opts.concurrency, { start: warmN });
      warmN += w.count; warmMs += w.ms; warmCpu += w.cpu_us; warmB += w.bytes;
    }
    const coldOps = coldN / (coldMs / 1000);
    const warmOps = warmN / (warmMs / 1000);
    // The mean bytes per answer tell that both sides served the same tiles (a refusal would have failed the run).
    const cpu = (us: number, n: number, b: number) => `${(b / n).toFixed(0)} B/tile; server process CPU ${(us / n).toFixed(0)} µs/tile`;
    rows.push([label, `tiles z14–16 (grids + components) over HTTP, uncached (GRIDLINE_TILE_CACHE_MB=0), ${opts.concurrency} in flight`, `${coldOps.toFixed(0)} tiles/s`,
      cpu(coldCpu, coldN, coldB) + (label === 'postgres' ? ' (+ the database\'s)' : '')]);
    rows.push([label, `tiles z14–16 over HTTP, from the tile cache, ${opts.concurrency} in flight`, `${warmOps.toFixed(0)} tiles/s`, cpu(warmCpu, warmN, warmB)]);
    rows.push([label, 'cached ÷ uncached tile throughput (target ≥ 10×)', `${(warmOps / coldOps).toFixed(1)}×`, warmOps / coldOps >= 10 ? 'meets target' : 'MISSES target']);

    // One z14 grid tile at a time, end to end (request written → last byte read, in the client process), uncached vs cached.
    const z14 = pts.slice(0, 60).map((p) => tileAt(p, 14)).map((t) => `/api/tiles/grids/${t.z}/${t.x}/${t.y}.mvt`);
    const timed = async (base: string) => (await load(base, z14, opts.seconds / 2, 1, { latencies: true, min_requests: z14.length })).lat!;
    const coldLat = await timed(coldBase);
    const warmLat = await timed(warmBase);
    rows.push([label, 'z14 grid tile end to end, uncached, one at a time', `p50 ${pct(coldLat, 0.5).toFixed(2)} ms`, `p99 ${pct(coldLat, 0.99).toFixed(2)} ms`]);
    rows.push([label, 'z14 grid tile end to end, from the cache (target ≤ 2 ms)', `p50 ${pct(warmLat, 0.5).toFixed(2)} ms`,
      `p99 ${pct(warmLat, 0.99).toFixed(2)} ms; ${pct(warmLat, 0.5) <= 2 ? 'meets target' : 'MISSES target'}`]);
    rows.push([label, 'machine load (1-minute average, 2 cores shared) at the start and end of the tile bench', `${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`, '']);
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
