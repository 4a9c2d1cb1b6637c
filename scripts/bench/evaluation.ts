// npm run bench:evaluation (also the last part of npm run bench): the leader's figures on a year of cases.
// On PostgreSQL (DATABASE_URL) with 1,000,000 cases and their trails, and on PGlite with 100,000:
//   - the evaluation of all departments and of all regions (streets, communities) for a year, through HTTP, against
//     the same aggregation as bare SQL (throughput ratio; targets ≤ 2 s and ≥ 0.5);
//   - the year's unit-grid choropleth (target ≤ 500 ms);
//   - a drill-down list (target ≤ 200 ms).
// The cases are synthetic, generated set-based in SQL (not through the workflow: a million cases through the engine
// would take the bench's whole budget); their facts rows follow the shapes domain/facts.ts produces.
//   npm run bench:evaluation -- [--pg-cases N] [--pglite-cases N] [--grids N] [--only pglite|postgres] [--runs R]
import { performance } from 'node:perf_hooks';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import type { Db } from '../../server/db/types.js';
import { migrate } from '../../server/db/migrate.js';
import { recountDays } from '../../server/db/grid-counts.js';
import { loadClasses } from '../../server/services/classes.js';
import { loadDemo } from '../../server/services/demo.js';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { benchArgs } from './args.js';

const { args, num } = benchArgs();
const RUNS = num('runs', 5);
const say = (s: string) => console.log(s);
const table: [string, string, string, string][] = [];

const YEAR = { from: '2026-01-01', to: '2026-12-31', start: '2025-12-31T16:00:00Z', end: '2026-12-31T16:00:00Z' }; // Asia/Shanghai

/** Fills `n` synthetic cases of 2026 with trails, dispatches and steps (only what is missing). */
async function fillCases(db: Db, n: number) {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from cases where description = 'bench'`);
  if (rows[0].n >= n) return;
  say(`   generating ${n.toLocaleString()} cases with trails and facts …`);
  const t0 = performance.now();
  await db.exec(`select setseed(0.4242)`);
  await db.exec(`
    drop table if exists bench_grids; drop table if exists bench_classes;
    create table bench_grids as select row_number() over (order by code) as n, code, community_code, street_code, district_code,
      st_pointonsurface(geom) as p, (select r.code from responsibility_grid_members m join responsibility_grids r on r.code = m.responsibility_code where m.grid_code = g.code) as resp
      from grids g where valid_to is null;
    create table bench_classes as select row_number() over (order by c.code) as n, c.code, c.matter_kind, d.department_id
      from classes c join class_departments d on d.kind = c.kind and d.class_code = c.code where c.kind = 'matter' and c.matter_kind is not null;`);
  const { rows: u } = await db.query<{ insp: number; disp: number; op: number; lead: number; ng: number; nc: number; ndep: number }>(
    `select (select id from users where username = 'inspector1')::int as insp, (select id from users where username = 'dispatcher1')::int as disp,
            (select id from users where username = 'operator1')::int as op, (select id from users where username = 'shiftlead1')::int as lead,
            (select count(*) from bench_grids)::int as ng, (select count(*) from bench_classes)::int as nc, (select max(id) from departments)::int as ndep`);
  const x = u[0];
  const batch = 100_000;
  const { rows: have } = await db.query<{ n: number }>(`select count(*)::int as n from cases where description = 'bench'`);
  for (let from = have[0].n; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    await db.transaction(async (tx) => {
      // Cases: a year spread evenly, hot grids (squared random), 78 % closed, 4 % void, the rest open in a step.
      await tx.exec(`
        create temp table bench_new on commit drop as
        select gen_random_uuid() as id, i,
               timestamptz '${YEAR.start}' + (i::float8 / ${n}) * interval '365 days' + random() * interval '2 hours' as created_at,
               1 + floor(power(random(), 2) * ${x.ng})::int as gn, 1 + floor(random() * ${x.nc})::int as cn,
               random() as r_status, random() as r_source, random() as r_late, random() as r_wrong, random() as r_hours
          from generate_series(${from + 1}, ${to}) i;
        -- ids naming their district, as the application makes them (domain/case-ids.ts: UUIDv8, the district's digits first)
        update bench_new b set id = overlay(overlay(b.id::text placing g.district_code from 1) placing '8' from 15)::uuid from bench_grids g where g.n = b.gn;
        insert into cases (id, case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code,
                           responsibility_code, reporter_id, department_id, suggested_department_id, suggestion_taken, filed_at,
                           dispatched_at, closed_at, closing_type, handled_late, trail_head, created_at, updated_at, origin, description,
                           step, step_started_at, step_deadline_at, yellow_at, red_at)
        select b.id, g.district_code || 'B' || lpad(b.i::text, 9, '0'), -- a number starts with its district (0063)
               case when r_status < 0.78 then 'closed' when r_status < 0.82 then 'void' when r_status < 0.90 then 'handling'
                    when r_status < 0.94 then 'pending_dispatch' else 'pending_acceptance' end,
               case when r_source < 0.7 then 'inspector' when r_source < 0.85 then 'public' else 'hotline' end,
               c.matter_kind, c.code, g.p, g.district_code, g.street_code, g.community_code, g.code, g.resp,
               case when r_source < 0.7 then ${x.insp} end,
               case when r_status < 0.78 or (r_status >= 0.82 and r_status < 0.90) then c.department_id end,
               c.department_id, r_wrong >= 0.05,
               case when r_status < 0.94 then b.created_at + interval '30 minutes' end,
               case when r_status < 0.78 or (r_status >= 0.82 and r_status < 0.90) then b.created_at + interval '40 minutes' end,
               case when r_status < 0.82 then b.created_at + (1 + r_hours * 60) * interval '1 hour' end,
               case when r_status < 0.78 then case when r_late < 0.12 then 'overdue' else 'normal' end end,
               r_status < 0.78 and r_late < 0.12,
               md5(b.id::text) || md5(b.i::text), b.created_at, b.created_at, 'simulated', 'bench',
               case when r_status >= 0.82 and r_status < 0.90 then 'handling' when r_status >= 0.90 and r_status < 0.94 then 'dispatch' when r_status >= 0.94 then 'accept' end,
               case when r_status >= 0.82 then b.created_at end,
               case when r_status >= 0.82 then b.created_at + interval '30 hours' end,
               case when r_status >= 0.82 then b.created_at + interval '24 hours' end,
               case when r_status >= 0.82 then b.created_at + interval '30 hours' end
          from bench_new b join bench_grids g on g.n = b.gn join bench_classes c on c.n = b.cn;
        -- Dispatches: one per dispatched case; 5 % first went to a wrong department and came back (returned).
        insert into case_dispatches (case_id, district_code, seq, case_status, department_id, dispatcher_id, suggested, dispatched_at, deadline_at, ended_at, outcome,
                                     on_time, rework, sent_on, natural_hours, working_hours, extension_count, extension_hours, suspension_count, late_return)
        select c.id, c.district_code, 5, c.status, 1 + (abs(hashtext(c.id::text)) % ${x.ndep}), ${x.disp}, false, c.dispatched_at, c.dispatched_at + interval '30 hours',
               c.dispatched_at + interval '2 hours', 'returned', null, false, true, null, null, 0, 0, 0, false
          from cases c join bench_new b on b.id = c.id where c.dispatched_at is not null and b.r_wrong < 0.05;
        insert into case_dispatches (case_id, district_code, seq, case_status, department_id, dispatcher_id, suggested, dispatched_at, deadline_at, ended_at, outcome,
                                     on_time, rework, sent_on, natural_hours, working_hours, extension_count, extension_hours, suspension_count, late_return)
        select c.id, c.district_code, 7, c.status, c.department_id, ${x.disp}, true, c.dispatched_at, c.dispatched_at + interval '30 hours',
               case when c.status = 'closed' then c.closed_at - interval '20 minutes' end,
               case when c.status = 'closed' then 'feedback' end,
               case when c.status = 'closed' then not c.handled_late end,
               b.r_hours < 0.03, false,
               case when c.status = 'closed' then extract(epoch from (c.closed_at - interval '20 minutes' - c.dispatched_at)) / 3600 end,
               case when c.status = 'closed' then extract(epoch from (c.closed_at - interval '20 minutes' - c.dispatched_at)) / 3600 / 3 end,
               (b.r_late < 0.03)::int, case when b.r_late < 0.03 then 8 else 0 end, (b.r_late > 0.99)::int, false
          from cases c join bench_new b on b.id = c.id where c.department_id is not null;
        -- Steps of the centre: accept, file, dispatch, send_check, check, close (done ones), with their actors.
        insert into case_steps (case_id, district_code, seq, case_status, step, started_at, deadline_at, ended_at, end_seq, action, actor_id, role, on_time)
        select c.id, c.district_code, s.seq, c.status, s.step, c.created_at + s.off, c.created_at + s.off + interval '1 hour',
               case when s.done then c.created_at + s.off + (0.2 + b.r_late * 1.1) * interval '1 hour' end,
               case when s.done then s.seq + 1 end, case when s.done then s.action end,
               case when s.done then s.actor end, s.role, case when s.done then b.r_late < 0.9 end
          from cases c join bench_new b on b.id = c.id
          cross join lateral (values
            (1, 'accept', interval '0', c.status <> 'pending_acceptance', 'accept', ${x.op}, 'operator'),
            (2, 'file', interval '10 minutes', c.filed_at is not null, 'file', ${x.lead}, 'shift_leader'),
            (3, 'dispatch', interval '30 minutes', c.dispatched_at is not null, 'dispatch', ${x.disp}, 'dispatcher'),
            (8, 'send_check', interval '3 hours', c.status = 'closed', 'send_check', ${x.op}, 'operator'),
            (9, 'check', interval '4 hours', c.status = 'closed', 'check', ${x.insp}, 'inspector'),
            (10, 'close', interval '5 hours', c.status = 'closed', 'close', ${x.lead}, 'shift_leader')
          ) as s(seq, step, off, done, action, actor, role)
         where s.done or s.seq = 1;
        -- The trail: an entry per step (hashes are placeholders: the bench measures reads, not the chain).
        insert into case_trail (case_id, district_code, seq, at, actor, role, action, from_status, to_status, prev_hash, hash)
        select c.id, c.district_code, s.seq, c.created_at + s.seq * interval '10 minutes', null, 'system', s.action, null, c.status,
               md5(c.id::text || (s.seq - 1)) || md5((s.seq - 1)::text), md5(c.id::text || s.seq) || md5(s.seq::text)
          from cases c join bench_new b on b.id = c.id
          cross join lateral (values (1, 'report'), (2, 'accept'), (3, 'file'), (4, 'dispatch'), (5, 'feedback'), (6, 'send_check'), (7, 'close')) as s(seq, action)
         where s.seq <= case c.status when 'closed' then 7 when 'void' then 3 when 'handling' then 4 when 'pending_dispatch' then 3 else 1 end;`);
    });
    process.stdout.write(`\r   ${to.toLocaleString()} / ${n.toLocaleString()} cases`);
  }
  process.stdout.write('\n');
  // The cases went in by this bench's own SQL: their per-grid day counts (the choropleth's rollup) recounted.
  for (const { d } of (await db.query<{ d: string }>('select distinct district_code as d from cases')).rows) await recountDays(db, d);
  await db.exec('drop table if exists bench_grids; drop table if exists bench_classes; analyze');
  table.push(['', `generate ${n.toLocaleString()} cases + trails + facts`, `${((performance.now() - t0) / 1000).toFixed(0)} s`, '']);
}

/** Median and best of `runs` timings of fn (ms). */
async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<{ median: number; best: number }> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); await fn(); t.push(performance.now() - t0); }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], best: t[0] };
}

const BARE_DEPARTMENTS = `
  select d.department_id,
         count(*) filter (where d.outcome is distinct from 'returned') as filed,
         count(*) filter (where d.outcome is distinct from 'returned' and d.case_status <> 'void') as due_close,
         count(*) filter (where d.outcome is distinct from 'returned' and d.case_status <> 'void' and d.case_status = 'closed') as closed,
         count(*) filter (where d.outcome is distinct from 'returned' and d.case_status <> 'void' and d.deadline_at is not null and (d.outcome in ('feedback', 'closed') or (d.outcome is null and d.deadline_at < least($2::timestamptz, $3::timestamptz)))) as due,
         count(*) filter (where d.outcome is distinct from 'returned' and d.case_status <> 'void' and d.deadline_at is not null and (d.outcome in ('feedback', 'closed') or (d.outcome is null and d.deadline_at < least($2::timestamptz, $3::timestamptz))) and d.on_time) as on_time,
         count(*) filter (where d.outcome = 'feedback') as handled, count(*) filter (where d.outcome = 'feedback' and d.rework) as rework,
         count(*) filter (where d.outcome is null and d.case_status <> 'void') as pending, count(*) filter (where d.outcome is null and d.case_status <> 'void' and d.deadline_at < $3) as pending_overdue,
         count(*) filter (where d.outcome = 'feedback' and d.on_time = false) as overdue_handled, count(*) filter (where d.outcome = 'returned') as returns,
         count(*) filter (where d.late_return) as late_returns, sum(d.extension_count), sum(d.extension_hours), sum(d.suspension_count),
         avg(d.working_hours) filter (where d.outcome = 'feedback'), avg(d.natural_hours) filter (where d.outcome = 'feedback')
    from case_dispatches d
   where d.dispatched_at >= $1 and d.dispatched_at < $2 group by 1`;

const bareRegions = (col: string) => `
  select c.${col},
         count(*) filter (where c.status <> 'void') as filed, count(*) filter (where c.status <> 'void' and c.source in ('public', 'hotline', 'media')) as public,
         count(*) filter (where c.status not in ('void', 'suspended')) as counted, count(*) filter (where c.status <> 'void' and c.status = 'closed') as closed,
         count(*) filter (where c.status <> 'void' and c.status = 'closed' and not c.handled_late) as on_time
    from cases c where c.filed_at >= $1 and c.filed_at < $2 group by 1`;

async function benchEngine(label: string, db: Db, cases: number, grids: number) {
  say(`\n== ${label}: ${cases.toLocaleString()} cases over a year`);
  await migrate(db);
  await loadClasses(db);
  const { rows: g } = await db.query<{ n: number }>('select count(*)::int as n from grids');
  if (g[0].n === 0) await loadDemo(db, { demo: 'dongcheng', demo_grids: grids, demo_components: 0 });
  await fillCases(db, cases);
  const { rows: c } = await db.query<{ c: number; t: number; d: number; s: number; g: number }>(
    `select (select count(*) from cases)::int as c, (select count(*) from case_trail)::int as t, (select count(*) from case_dispatches)::int as d,
            (select count(*) from case_steps)::int as s, (select count(*) from grids where valid_to is null)::int as g`);
  say(`   ${c[0].c.toLocaleString()} cases, ${c[0].t.toLocaleString()} trail entries, ${c[0].d.toLocaleString()} dispatches, ${c[0].s.toLocaleString()} steps, ${c[0].g.toLocaleString()} grids`);

  const now = new Date('2027-01-15T00:00:00Z');
  const app = await buildApp(loadConfig({ GRIDLINE_DEMO: '0', GRIDLINE_CLIENT_DIR: '/nonexistent' }), { db, clock: { now: () => now } });
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader1', password: 'demo' } });
  const headers = { authorization: `Bearer ${login.json().token}` };
  const get = async (url: string) => {
    const r = await app.inject({ url, headers });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
    return r;
  };
  const q = `from=${YEAR.from}&to=${YEAR.to}`;
  const params = [new Date(YEAR.start), new Date(YEAR.end), now];
  const row = (what: string, ms: { median: number; best: number }, target: number) =>
    table.push([label, what, `${ms.median.toFixed(0)} ms (best ${ms.best.toFixed(0)})`, `target ≤ ${target} ms: ${ms.median <= target ? 'meets' : 'MISSES'}`]);
  const ratio = (what: string, api: { median: number }, bare: { median: number }) =>
    table.push([label, `${what}: throughput API ÷ bare SQL`, (bare.median / api.median).toFixed(2), `target ≥ 0.5: ${bare.median / api.median >= 0.5 ? 'meets' : 'MISSES'}`]);

  const depApi = await time(() => get(`/api/evaluation/departments?${q}`));
  const depBare = await time(() => db.query(BARE_DEPARTMENTS, params));
  row('evaluation of all departments, a year (HTTP)', depApi, 2000);
  row('  the same aggregation as bare SQL', depBare, 2000);
  ratio('departments', depApi, depBare);
  for (const level of ['street', 'community'] as const) {
    const api = await time(() => get(`/api/evaluation/regions?${q}&level=${level}`));
    const bare = await time(() => db.query(bareRegions(`${level}_code`), params.slice(0, 2)));
    row(`evaluation of all ${level === 'street' ? 'streets' : 'communities'}, a year (HTTP)`, api, 2000);
    row('  the same aggregation as bare SQL', bare, 2000);
    ratio(`${level} regions`, api, bare);
  }
  const posts = await time(() => get(`/api/evaluation/posts?${q}&post=dispatcher`));
  row('evaluation of dispatchers, a year (HTTP)', posts, 2000);
  const head = await time(() => get(`/api/evaluation/headline?${q}`));
  row('headline indicators, a year (HTTP)', head, 2000);

  const stats = await app.inject({ url: `/api/stats/choropleth?${q}&level=grid`, headers });
  if (stats.statusCode === 200) {
    row('the year\'s unit-grid choropleth (HTTP)', await time(() => get(`/api/stats/choropleth?${q}&level=grid`)), 500);
  } else {
    table.push([label, 'the year\'s unit-grid choropleth', `not measured: ${stats.statusCode}`, '']);
  }
  const dep = (await get(`/api/evaluation/departments?${q}`)).json().rows
    .sort((a: { indicators: { filed_count: { numerator: number } } }, b: typeof a) => b.indicators.filed_count.numerator - a.indicators.filed_count.numerator)[0];
  row(`drill-down: the largest department's closing-rate numerator (${dep.indicators.closing_rate.numerator.toLocaleString()} cases), first page`,
    await time(() => get(`/api/evaluation/departments/cases?${q}&key=${dep.key}&indicator=closing_rate&part=numerator&limit=50`)), 200);
  const street = (await get(`/api/evaluation/regions?${q}&level=street`)).json().rows[0];
  row('drill-down: a street\'s filed cases, first page',
    await time(() => get(`/api/evaluation/regions/cases?${q}&level=street&key=${street.key}&indicator=closing_rate&part=denominator&limit=50`)), 200);
  await app.close();
}

const only = args.get('only');
if (only !== 'pglite') {
  const url = process.env.DATABASE_URL;
  if (!url) say('\n(PostgreSQL skipped: set DATABASE_URL to a database this bench may fill)');
  else {
    const db = await openPostgres(url, 4);
    try { await benchEngine('PostgreSQL', db, num('pg-cases', 1_000_000), num('grids', 2000)); } finally { await db.close(); }
  }
}
if (only !== 'postgres') {
  const db = await openPglite();
  try { await benchEngine('PGlite', db, num('pglite-cases', 100_000), num('grids', 2000)); } finally { await db.close(); }
}
say('\n| engine | what | figure | against target |\n|---|---|---|---|');
for (const r of table) say(`| ${r.join(' | ')} |`);
