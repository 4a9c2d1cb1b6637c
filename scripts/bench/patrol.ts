// Patrol benchmark (issue 9), part of npm run bench. Targets printed next to the figures:
//   position ingest: 1,000 inspectors each sending one fix every 10 s (100 fixes/s) through POST /api/patrol/positions
//     (auth, validation, idempotency key, duty lookup, insert) for --seconds, p99 ≤ 100 ms, side by side with the
//     same rows as plain INSERTs at the same rate (the ratio);
//   daily coverage of all inspectors of the district (a full day at the default 60 s interval) ≤ 1 s.
// On PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set, else on PGlite (and it says so).
//   tsx scripts/bench/patrol.ts [--seconds 30] [--inspectors 1000] [--every 10] [--grids 20000] [--fresh] [--keep]
// --fresh drops and rebuilds the public schema first (only a database whose name contains "test" or "bench").
// The bench inspectors (bench_patrol_NNNN), their responsibility grids, sessions and positions are removed at the end
// (--keep leaves them, to look at the plans in psql; the next run removes them first).
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createHash, randomBytes } from 'node:crypto';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import type { Db } from '../../server/db/types.js';
import { migrate } from '../../server/db/migrate.js';
import { loadClasses } from '../../server/services/classes.js';
import { loadDemo } from '../../server/services/demo.js';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { loadWorkRules } from '../../server/services/work-rules.js';
import { coverage, setDuty, type PatrolDeps } from '../../server/services/patrol.js';
import { localDateOf, localTime } from '../../server/domain/calendar.js';
import { benchArgs } from './args.js';

const { args, num } = benchArgs();
const SECONDS = num('seconds', 30);
const INSPECTORS = num('inspectors', 1000);
const EVERY_S = num('every', 10);
const say = (s: string) => console.log(s);
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;
const rows: [string, string, string, string][] = [];

async function open(): Promise<{ db: Db; label: string }> {
  const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  if (!url) {
    say('patrol bench: no BENCH_DATABASE_URL/DATABASE_URL, so on PGlite (in memory); the targets are for PostgreSQL');
    return { db: await openPglite(), label: 'pglite' };
  }
  const db = await openPostgres(url, 8);
  if (args.has('fresh')) {
    const name = new URL(url).pathname.slice(1);
    if (!/test|bench/i.test(name)) throw new Error(`--fresh wipes the database; its name must contain "test" or "bench"; got "${name}"`);
    await db.exec('drop schema if exists public cascade; create schema public;');
  }
  return { db, label: 'postgres' };
}

async function main() {
  const { db, label } = await open();
  const work = loadWorkRules();
  try {
    await migrate(db);
    await loadClasses(db);
    const { rows: [g] } = await db.query<{ n: number }>('select count(*)::int as n from grids where valid_to is null');
    if (g.n === 0) {
      const grids = num('grids', label === 'postgres' ? 20_000 : 5_000);
      say(`patrol bench: loading a demo district of ${grids.toLocaleString()} grids …`);
      await loadDemo(db, { demo: 'dongcheng', demo_grids: grids, demo_components: 1000 });
    }
    await run(db, label, work);
  } finally {
    say('\n| engine | measure | figure | note |\n|---|---|---|---|');
    for (const r of rows) say(`| ${r.join(' | ')} |`);
    if (!args.has('keep')) await cleanup(db).catch((e) => say(`patrol bench: cleanup failed: ${e}`));
    await db.close();
  }
}

async function cleanup(db: Db) {
  const ids = `select id from users where username like 'bench\\_patrol\\_%'`;
  await db.query(`delete from patrol_positions where user_id in (${ids})`);
  await db.query(`delete from patrol_duties where user_id in (${ids})`);
  await db.query(`delete from responsibility_grids where inspector_id in (${ids})`);
  await db.query(`delete from users where id in (${ids})`);
}

async function run(db: Db, label: string, work: ReturnType<typeof loadWorkRules>) {
  // 1,000 inspectors with a session each (tokens made here: logging in 1,000 users would time argon2, not patrol).
  await cleanup(db);
  const { rows: users } = await db.query<{ id: number }>(
    `insert into users (username, display_name, password_hash, roles)
     select 'bench_patrol_' || lpad(i::text, 4, '0'), 'Bench ' || i, '$argon2id$bench-no-login', array['inspector']
       from generate_series(1, $1::int) i returning id::int as id`, [INSPECTORS]);
  const ids = users.map((u) => u.id);
  // Their responsibility grids: the unit grids nobody patrols, community by community, 18 to an inspector.
  await db.query(
    `with free as (
       select g.code, g.community_code, (row_number() over (partition by g.community_code order by g.code) - 1) / 18 as chunk
         from grids g where g.valid_to is null
          and not exists (select 1 from responsibility_grid_members m where m.grid_code = g.code)),
     chunks as (
       select community_code, chunk, array_agg(code order by code) as codes,
              row_number() over (order by community_code, chunk) as n,
              (select coalesce(max(substr(r.code, 14)::int), 0) from responsibility_grids r where r.community_code = f.community_code) + chunk + 1 as seq
         from free f group by community_code, chunk),
     owned as (
       select c.*, ($1::bigint[])[c.n] as inspector_id from chunks c where c.n <= cardinality($1::bigint[]) and c.seq <= 99),
     rg as (
       insert into responsibility_grids (code, name, community_code, inspector_id)
       select community_code || 'R' || lpad(seq::text, 2, '0'), 'bench ' || n, community_code, inspector_id from owned returning code)
     insert into responsibility_grid_members (responsibility_code, grid_code)
     select o.community_code || 'R' || lpad(o.seq::text, 2, '0'), unnest(o.codes) from owned o`, [ids]);
  const tokens = ids.map(() => randomBytes(32).toString('base64url'));
  const now = new Date();
  await db.query(
    `insert into sessions (user_id, token_sha256, created_at, last_seen_at, expires_at)
     select u, t, $3, $3, $3::timestamptz + interval '1 day' from unnest($1::bigint[], $2::text[]) as x(u, t)`,
    [ids, tokens.map((t) => createHash('sha256').update(t).digest('hex')), now]);
  const { rows: pts } = await db.query<{ user_id: number; lon: number; lat: number; grids: number }>(
    `select u.id::int as user_id, coalesce(st_x(p.pt), 116.41) as lon, coalesce(st_y(p.pt), 39.91) as lat, coalesce(p.n, 0)::int as grids
       from unnest($1::bigint[]) with ordinality as u(id, k)
       left join lateral (select (array_agg(st_pointonsurface(g.geom) order by g.code))[1] as pt, count(*) as n
                            from responsibility_grids rg join responsibility_grid_members m on m.responsibility_code = rg.code
                            join grids g on g.code = m.grid_code and g.valid_to is null
                           where rg.inspector_id = u.id) p on true
      order by u.k`, [ids]);
  const withGrids = pts.filter((p) => p.grids > 0).length;
  say(`patrol bench (${label}): ${ids.length} inspectors, ${withGrids} of them with responsibility grids`);

  const config = loadConfig({ GRIDLINE_DEMO: '0', GRIDLINE_CLIENT_DIR: '/nonexistent', GRIDLINE_LOG: '0' });
  const pdeps: PatrolDeps = { db, clock: { now: () => new Date() }, work, retention_days: 90, interval_seconds: 60 };
  for (const id of ids) await setDuty(pdeps, { id, roles: ['inspector'] }, true, null);
  const { rows: duties } = await db.query<{ user_id: number; id: number }>(
    'select user_id::int as user_id, id::int as id from patrol_duties where ended_at is null and user_id = any ($1::bigint[])', [ids]);
  const dutyOf = new Map(duties.map((d) => [d.user_id, d.id]));
  const app = await buildApp(config, { db, work });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  try {
    const rate = INSPECTORS / EVERY_S;
    // Bare: the same rows as plain INSERTs (autocommit), at the same rate, open loop.
    say(`patrol bench: ${SECONDS} s of plain INSERTs at ${rate} fixes/s …`);
    const bare: number[] = [];
    const pending: Promise<unknown>[] = [];
    const start = performance.now();
    for (let i = 0; ; i++) {
      const due = start + (i / rate) * 1000;
      if (due > start + SECONDS * 1000) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const k = i % ids.length;
      const t0 = performance.now();
      const at = new Date();
      pending.push(db.query(
        `insert into patrol_positions (user_id, duty_id, fix_key, at, geom, grid_code, accuracy_m, received_at)
         select $1, $2, $3, $4, pt, (select code from grids where valid_to is null and st_covers(geom, pt) order by code limit 1), $7, $8
           from st_setsrid(st_makepoint($5, $6), 4326) pt`,
        [ids[k], dutyOf.get(ids[k]), `bare${i}`, at, pts[k].lon, pts[k].lat, 8, at]).then(() => bare.push(performance.now() - t0)));
    }
    await Promise.all(pending);
    const bareMs = performance.now() - start;

    say(`patrol bench: ${SECONDS} s of POST /api/patrol/positions at ${rate} fixes/s from ${INSPECTORS} phones …`);
    const http = await new Promise<{ lat: number[]; ms: number; failed: number; firstFailure: string | null }>((resolve, reject) => {
      const w = new Worker(new URL('./patrol-load.mjs', import.meta.url), {
        workerData: { base, tokens, points: pts.map((p) => [p.lon, p.lat]), seconds: SECONDS, every_s: EVERY_S },
      });
      w.once('message', (m) => { resolve(m); void w.terminate(); });
      w.once('error', reject);
    });
    if (http.firstFailure) say(`patrol bench: ${http.failed} requests refused or failed; the first: ${http.firstFailure}`);
    const p99 = pct(http.lat, 0.99);
    rows.push([label, `ingest: plain INSERT of one fix, ${rate}/s for ${SECONDS} s`, `p50 ${pct(bare, 0.5).toFixed(1)} ms`,
      `p99 ${pct(bare, 0.99).toFixed(1)} ms; ${(bare.length / (bareMs / 1000)).toFixed(0)} fixes/s achieved`]);
    rows.push([label, `ingest: POST /api/patrol/positions (1 fix, auth, key, duty, insert), ${INSPECTORS} phones every ${EVERY_S} s`,
      `p50 ${pct(http.lat, 0.5).toFixed(1)} ms`,
      `p99 ${p99.toFixed(1)} ms; ${(http.lat.length / (http.ms / 1000)).toFixed(0)} fixes/s achieved; ${http.failed} refused or failed`]);
    rows.push([label, 'ingest p99 (target ≤ 100 ms)', `${p99.toFixed(1)} ms`, p99 <= 100 ? 'meets target' : 'MISSES target']);
    rows.push([label, 'ingest endpoint ÷ bare INSERT latency', `p50 ${(pct(http.lat, 0.5) / pct(bare, 0.5)).toFixed(1)}×`,
      `p99 ${(p99 / pct(bare, 0.99)).toFixed(1)}×`]);
  } finally {
    await app.close();
  }

  // Coverage of a full day: yesterday 09:00–17:00 local on duty, a fix every 60 s (480 per inspector), walking its
  // responsibility grids one after another (27 minutes each).
  const yesterday = localDateOf(work.calendar, new Date(Date.now() - 86_400_000));
  const dayStart = localTime(work.calendar, `${yesterday} 09:00`);
  await db.query(
    `insert into patrol_duties (user_id, started_at, ended_at)
     select u, $2::timestamptz, $2::timestamptz + interval '8 hours' from unnest($1::bigint[]) u`, [ids, dayStart]);
  const t0 = performance.now();
  // Each fix at the point-on-surface of the grid walked, so its grid_code and step are known without 480,000 lookups
  // (the lookup and the step at ingest are timed above, in the endpoint's latency).
  await db.query(
    `insert into patrol_positions (user_id, duty_id, fix_key, at, geom, grid_code, accuracy_m, step_m, received_at)
     select d.user_id, d.id, 'day' || s, d.started_at + s * interval '60 seconds',
            a.pts[1 + (s / 27) % cardinality(a.pts)], a.codes[1 + (s / 27) % cardinality(a.pts)], 10,
            case when s = 0 then 0 else (select case when m <= 30 * 60 then m else 0 end from st_distancesphere(
              a.pts[1 + ((s - 1) / 27) % cardinality(a.pts)], a.pts[1 + (s / 27) % cardinality(a.pts)], 6371008.8) m) end,
            d.started_at + s * interval '60 seconds'
       from patrol_duties d
       cross join lateral (select array_agg(st_pointonsurface(g.geom) order by g.code) as pts, array_agg(g.code order by g.code) as codes
                             from responsibility_grids rg join responsibility_grid_members m on m.responsibility_code = rg.code
                             join grids g on g.code = m.grid_code and g.valid_to is null
                            where rg.inspector_id = d.user_id) a
       cross join generate_series(0, 479) s
      where d.user_id = any ($1::bigint[]) and d.started_at = $2 and cardinality(a.pts) > 0`, [ids, dayStart]);
  await db.exec('analyze patrol_positions; analyze patrol_duties; analyze responsibility_grids; analyze responsibility_grid_members');
  const { rows: [day] } = await db.query<{ n: number }>('select count(*)::int as n from patrol_positions where fix_key like $1', ['day%']);
  say(`patrol bench: ${day.n.toLocaleString()} fixes of ${yesterday} loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const ms: number[] = [];
  let items = 0, visited = 0;
  for (let i = 0; i < 5; i++) {
    const c0 = performance.now();
    const c = await coverage(pdeps, yesterday);
    ms.push(performance.now() - c0);
    items = c.items.length;
    visited = c.items.reduce((s, r) => s + r.visited_grids, 0);
  }
  const med = pct(ms, 0.5);
  rows.push([label, `daily coverage, ${items} inspectors, ${day.n.toLocaleString()} fixes (median of 5; target ≤ 1 s)`,
    `${(med / 1000).toFixed(2)} s`, `${med <= 1000 ? 'meets target' : 'MISSES target'}; slowest ${(Math.max(...ms) / 1000).toFixed(2)} s; ${visited} unit grids visited`]);
}

main().catch((e) => { console.error(e); process.exit(1); });
