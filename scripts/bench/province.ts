// Province bench (issue 12): one PostgreSQL against the local 3-node Citus cluster, the same synthetic province on
// both, the application's own hot paths timed side by side in one run, Citus ÷ PostgreSQL per measure.
//   npm run bench:province -- [--scale S] [--fresh] [--runs N] [--slow-runs N] [--import-rows N] [--seed N]
//                             [--only postgres|citus] [--load-only] [--pg URL] [--citus URL]
// The province: 20 districts (province 91, a prefix no real division has, as the demo's 900001; cities 9101–9104,
// districts 02–06 of each), each 6 streets × 5 communities in `regions`, 10,000 unit grids (≈100 m, the generator of
// server/demo/dongcheng.ts: codes per docs/domain.md, community + 001…999), 500,000 components of the generator's
// 24 standard classes, 50,000 cases over every status; the districts laid out 5 × 4 side by side. `--scale 0.1`
// divides grids, components and cases by ten. Loaded by the app's loader (services/load-district.ts: COPY, the
// component sequences raised) and one `insert … select generate_series` per district for the cases (numbered a
// block per local day from case_no_counters, origin 'simulated'; every check, foreign key and statement trigger of
// the schema fires). The data is deterministic (seeded) and cached: a table `bench_province` marks a loaded province
// (scale, seed); a different scale or `--fresh` truncates the province's tables and loads again.
//   Databases: postgres://postgres@127.0.0.1:5432/gridline_province_test (created when missing) and the coordinator
// of `GRIDLINE_CITUS_DB=gridline_province_test scripts/citus/cluster.sh start`; both migrated by server/db/migrate.ts,
// whose distribution step decides what is distributed on Citus: the bench reports it (pg_dist_partition) and needs
// no change when more tables are distributed.
//   Measures (p50/p95 over --runs, the engines alternating run by run so they share the machine's load): locate in a
// district (db/sql/locate-grid-in-district.sql) and without one as the application locates (services/grids.ts locate:
// the districts whose extent holds the point, the grids generation heard as a server hears it), a grids tile (z16) and a cases
// tile (z14, the district's filter) through db/tiles.ts, intake (services/cases.ts reportCase as a district-scoped
// inspector), one district's evaluation of its streets and the province's ranking of its 20 districts
// (services/evaluation.ts evaluate; --slow-runs), and the component import (services/import-components.ts) of
// --import-rows rows into one district against a plain COPY of the same rows, as scripts/bench/import.ts measures
// it (the faster of a COPY before and after the import). For each measure, on Citus, the statements its first 30
// runs ran (the timed runs' inputs) and their EXPLAIN routing (`Task Count`, the nodes of all its tasks; a statement
// routed differently from run to run, e.g. a grids tile on a district's edge, says how often each way).
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openPostgres } from '../../server/db/postgres.js';
import type { Db, Queryable, Sql } from '../../server/db/types.js';
import { migrate } from '../../server/db/migrate.js';
import { recountDays } from '../../server/db/grid-counts.js';
import { isCitus } from '../../server/db/distribute.js';
import { loadClasses } from '../../server/services/classes.js';
import { loadDistrict } from '../../server/services/load-district.js';
import { DEMO_COMPONENT_CLASSES, generateDistrict, type GeneratedDistrict, type MultiPolygonCoords, type Position } from '../../server/demo/dongcheng.js';
import * as gridsDb from '../../server/db/grids.js';
import * as casesDb from '../../server/db/cases.js';
import { districtsMeeting, renderTile } from '../../server/services/tiles.js';
import { locate as locateRouted } from '../../server/services/grids.js';
import { DistrictExtents } from '../../server/services/district-extents.js';
import { TileGenerations } from '../../server/services/tile-generations.js';
import { districtBoxes, type DistrictBox } from '../../server/db/tiles.js';
import { reportCase, type CaseUser } from '../../server/services/cases.js';
import { evaluate } from '../../server/services/evaluation.js';
import { loadWorkRules } from '../../server/services/work-rules.js';
import { createUser } from '../../server/services/auth.js';
import { importComponents, DEFAULT_BATCH_SIZE } from '../../server/services/import-components.js';
import { mulberry32 } from '../../server/demo/dongcheng.js';
import { benchArgs } from './args.js';

const { args, num } = benchArgs();
const SCALE = num('scale', 1);
const SEED = num('seed', 12);
const RUNS = num('runs', 30);
const SLOW_RUNS = num('slow-runs', 5);
const FRESH = args.has('fresh');
const LOAD_ONLY = args.has('load-only');
const ONLY = args.get('only');
const PG_URL = args.get('pg') ?? 'postgres://postgres@127.0.0.1:5432/gridline_province_test';
const CITUS_URL = args.get('citus') ?? 'postgres://postgres@127.0.0.1:5433/gridline_province_test';

const DISTRICTS = 20;
const STREETS = 6;
const COMMUNITIES_PER_STREET = 5;
const GRIDS = Math.round(10_000 * SCALE);
const COMPONENTS = Math.round(500_000 * SCALE);
const CASES = Math.round(50_000 * SCALE);
const IMPORT_ROWS = num('import-rows', Math.round(100_000 * SCALE));
/** Runs of each measure recorded on Citus for its EXPLAIN routing. */
const ROUTE_RUNS = 30;
/** The evaluation's year and the clock of the evaluation and the cases' times: fixed, so runs compare. */
const ANCHOR = new Date('2026-12-01T00:00:00Z');
const PERIOD = { from: '2025-12-01', to: '2026-11-30' };
const COLUMNS = 5;
const CITY_NAMES = ['北原市', '东川市', '南屏市', '西岭市'];
const DISTRICT_NAMES = ['东区', '西区', '南区', '北区', '中区'];
/** The province tables: truncated by --fresh (cascade reaches the case_* tables). */
const PROVINCE_TABLES = ['cases', 'case_no_counters', 'components', 'grids', 'regions', 'places', 'component_sequences', 'grid_component_counts', 'case_grid_days', 'bench_province'];

const fmt = (v: number) => Math.round(v).toLocaleString('en');
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : fmt(v));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const say = (s: string) => console.log(s);

// ---------------------------------------------------------------------------------------------------------------
// The synthetic province

type DistrictSpec = { code: string; name: string; index: number };

function districtSpecs(): DistrictSpec[] {
  return Array.from({ length: DISTRICTS }, (_, i) => {
    const city = Math.floor(i / 5);
    const k = i % 5;
    return { code: `91${String(city + 1).padStart(2, '0')}${String(k + 2).padStart(2, '0')}`, name: `${CITY_NAMES[city]}${DISTRICT_NAMES[k]}`, index: i };
  });
}

/** One district from the generator, moved to its place in the province's 5 × 4 layout. */
function provinceDistrict(spec: DistrictSpec, spacing: { dx: number; dy: number } | null): GeneratedDistrict {
  const streets = Array.from({ length: STREETS }, (_, s) => ({ code: `${spec.code}${String(s + 1).padStart(3, '0')}`, name: `${spec.name}第${s + 1}街道` }));
  const communities = streets.flatMap((st, s) => Array.from({ length: COMMUNITIES_PER_STREET }, (_, c) => ({
    code: `${st.code}${String(c + 1).padStart(3, '0')}`, name: `${st.name}第${c + 1}社区`, street_code: st.code,
  })));
  const d = generateDistrict({
    seed: SEED * 1000 + spec.index, grids: GRIDS, components: COMPONENTS, streets, communities, district: { code: spec.code, name: spec.name },
  });
  if (!spacing) return d;
  const dx = (spec.index % COLUMNS) * spacing.dx;
  const dy = -Math.floor(spec.index / COLUMNS) * spacing.dy;
  const p = ([x, y]: Position): Position => [Math.round((x + dx) * 1e7) / 1e7, Math.round((y + dy) * 1e7) / 1e7];
  const mp = (g: MultiPolygonCoords): MultiPolygonCoords => g.map((poly) => poly.map((ring) => ring.map(p)));
  const region = <T extends { geom: MultiPolygonCoords }>(r: T): T => ({ ...r, geom: mp(r.geom) });
  return {
    ...d,
    district: region(d.district), streets: d.streets.map(region), communities: d.communities.map(region), grids: d.grids.map(region),
    roads: d.roads.map((r) => ({ ...r, geom: r.geom.map(p) })),
    bbox: [d.bbox[0] + dx, d.bbox[1] + dy, d.bbox[2] + dx, d.bbox[3] + dy],
    *components() {
      for (const c of d.components()) {
        const [lon, lat] = p([c.lon, c.lat]);
        yield { ...c, lon, lat };
      }
    },
  };
}

/** The draws of one district's cases (i, h, r1–r4, created: md5 of (seed, district, i)); $1 district, $2 seed, $3 count, $4 anchor. */
const DRAWS_SQL = `
s as (
  select i, md5($2::text || ':' || $1 || ':' || i) as h from generate_series(1, $3::int) i),
r as (
  select i, h,
         ('x' || substr(h, 1, 7))::bit(28)::int as r1, ('x' || substr(h, 8, 7))::bit(28)::int as r2,
         ('x' || substr(h, 15, 7))::bit(28)::int % 100 as r3, ('x' || substr(h, 22, 7))::bit(28)::int % 100 as r4,
         $4::timestamptz - make_interval(mins => ('x' || substr(h, 29, 4))::bit(16)::int * 8) as created,
         to_char(($4::timestamptz - make_interval(mins => ('x' || substr(h, 29, 4))::bit(16)::int * 8)) at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day
    from s)`;

/** How many of the district's cases fall on each local day: the blocks of case numbers CASES_SQL needs. */
const DAYS_SQL = `with ${DRAWS_SQL} select day, count(*)::int as n from r group by day order by day`;

/** Cases of one district, set-based: grid, class, status, channel and times drawn from md5 of (seed, district, i);
 *  numbered per local day from the blocks taken before ($5 days, $6 each day's first serial), in i order. */
const CASES_SQL = `
with g as (
  select code, community_code, street_code, st_pointonsurface(geom) as p, (row_number() over (order by code) - 1)::int as rn
    from grids where district_code = $1 and valid_to is null),
n as (select count(*)::int as n from g),
m as (select array_agg(code order by code) as codes, array_agg(matter_kind order by code) as kinds from classes where kind = 'matter'),
${DRAWS_SQL},
f as (select * from unnest($5::text[], $6::bigint[]) as f(day, first)),
c as (
  select r.*, f.first + row_number() over (partition by r.day order by r.i) - 1 as serial, g.code as grid_code, g.community_code, g.street_code, g.p,
         m.codes[1 + r.r2 % array_length(m.codes, 1)] as class_code, m.kinds[1 + r.r2 % array_length(m.codes, 1)] as kind,
         case when r.r3 < 58 then 'closed' when r.r3 < 70 then 'handling' when r.r3 < 73 then 'pending_dispatch'
              when r.r3 < 76 then 'pending_check' when r.r3 < 78 then 'checking' when r.r3 < 81 then 'pending_closing'
              when r.r3 < 84 then 'pending_acceptance' when r.r3 < 87 then 'verifying' when r.r3 < 90 then 'pending_filing'
              when r.r3 < 93 then 'suspended' when r.r3 < 95 then 'pending_review' else 'void' end as status,
         case when r.r4 < 55 then 'inspector' when r.r4 < 75 then 'public' when r.r4 < 90 then 'hotline' when r.r4 < 93 then 'media'
              when r.r4 < 97 then 'video' when r.r4 < 99 then 'leader' else 'other' end as source
    from r join f on f.day = r.day cross join n cross join m join g on g.rn = r.r1 % n.n)
insert into cases (id, case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code,
                   handled_late, suspension_count, suspended_at, closing_type, void_reason, yellow_at, red_at,
                   filed_at, dispatched_at, closed_at, trail_head, created_at, updated_at, origin)
select overlay(overlay(overlay(md5('case:' || h) placing $1 from 1) placing '8' from 13) -- names its district (domain/case-ids.ts):
               placing translate(substr(md5('case:' || h), 17, 1), '0123456789abcdef', '89ab89ab89ab89ab') from 17)::uuid, -- UUIDv8, variant 10
       $1 || replace(day, '-', '') || lpad(serial::text, greatest(6, length(serial::text)), '0'), -- as domain/codes.ts caseNo
       status, source, kind, class_code,
       st_translate(p, ((r1 % 41) - 20) * 1e-6, ((r2 % 41) - 20) * 1e-6), $1, street_code, community_code, grid_code,
       status = 'closed' and r4 % 8 = 0, (status = 'suspended')::int, case when status = 'suspended' then created + interval '1 day' end,
       case when status = 'closed' then 'normal' end, case when status = 'void' then 'province bench: not a city problem' end,
       case when status not in ('closed', 'void', 'suspended') then created + interval '2 days' end,
       case when status not in ('closed', 'void', 'suspended') then created + interval '3 days' end,
       case when status not in ('pending_acceptance', 'verifying', 'pending_filing', 'void') then created + interval '30 minutes' end,
       case when status in ('handling', 'pending_check', 'checking', 'pending_closing', 'closed', 'suspended') then created + interval '1 hour' end,
       case when status = 'closed' then created + make_interval(hours => 2 + r1 % 200) end,
       h, created, case when status = 'closed' then created + make_interval(hours => 2 + r1 % 200) else created end, 'simulated'
  from c`;

type Marker = { scale: number; seed: number; districts: number; grids: number; components: number; cases: number; load_s: number };

async function marker(db: Queryable): Promise<Marker | null> {
  const { rows } = await db.query<{ t: string | null }>("select to_regclass('bench_province')::text as t");
  if (!rows[0].t) return null;
  const { rows: m } = await db.query<Marker>('select scale, seed, districts, grids, components, cases, load_s from bench_province');
  return m[0] ?? null;
}

/** Loads the province unless the marker says it is there (same scale and seed); returns the marker. */
async function ensureProvince(db: Db, label: string): Promise<Marker> {
  await migrate(db);
  await loadClasses(db);
  const have = await marker(db);
  if (have && !FRESH && Number(have.scale) === SCALE && Number(have.seed) === SEED) {
    say(`== ${label}: province already loaded (scale ${have.scale}, seed ${have.seed}; loaded in ${fmt(have.load_s)} s): kept (--fresh reloads)`);
    return have;
  }
  const t0 = performance.now();
  say(`== ${label}: ${have ? `province of scale ${have.scale} there; ` : ''}loading the province (scale ${SCALE}: ${DISTRICTS} districts × ${fmt(GRIDS)} grids, ${fmt(COMPONENTS)} components, ${fmt(CASES)} cases) at load ${load()}`);
  const { rows: present } = await db.query<{ t: string }>(`select t from unnest($1::text[]) t where to_regclass(t) is not null`, [PROVINCE_TABLES]);
  if (present.length) await db.exec(`truncate ${present.map((r) => r.t).join(', ')} cascade`);
  await db.exec(`create table if not exists bench_province (scale float8 not null, seed int not null, districts int not null, grids int not null,
    components int not null, cases int not null, load_s float8 not null, loaded_at timestamptz not null default now())`);
  const { rows: known } = await db.query<{ code: string }>("select code from classes where kind = 'component' and code = any($1::text[])", [DEMO_COMPONENT_CLASSES.map((c) => c.code)]);
  if (known.length !== DEMO_COMPONENT_CLASSES.length) throw new Error(`${label}: the generator's component classes are not all loaded (${known.length}/${DEMO_COMPONENT_CLASSES.length})`);
  let spacing: { dx: number; dy: number } | null = null;
  let grids = 0;
  let components = 0;
  for (const spec of districtSpecs()) {
    const t1 = performance.now();
    const first = spacing === null;
    if (first) {
      const probe = provinceDistrict(spec, null);
      spacing = { dx: (probe.bbox[2] - probe.bbox[0]) * 1.15, dy: (probe.bbox[3] - probe.bbox[1]) * 1.15 };
    }
    const d = provinceDistrict(spec, spacing);
    const gen = performance.now() - t1;
    const summary = await loadDistrict(db, d);
    const t2 = performance.now();
    await db.transaction(async (tx) => {
      // Numbers per (district, local day), a block each from the counters, as the bulk writers take them (db/cases.ts).
      const { rows: days } = await tx.query<{ day: string; n: number }>(DAYS_SQL, [spec.code, SEED, CASES, ANCHOR]);
      const last = await casesDb.takeCaseSerials(tx, days.map((d) => ({ district_code: spec.code, local_date: d.day, n: d.n })));
      await tx.query(CASES_SQL, [spec.code, SEED, CASES, ANCHOR, days.map((d) => d.day), days.map((d, k) => last[k] - d.n + 1)]);
      await recountDays(tx, spec.code); // the cases' per-grid day counts (written by this SQL, not by a case writer)
    });
    const t3 = performance.now();
    grids += summary.grids;
    components += summary.components;
    say(`   ${label} ${spec.code} ${spec.name}: generated ${ms(gen / 1000)} s, ${fmt(summary.grids)} grids + ${fmt(summary.components)} components ${ms((t2 - t1 - gen) / 1000)} s, ${fmt(CASES)} cases ${ms((t3 - t2) / 1000)} s (load ${load()})`);
  }
  for (const t of ['regions', 'grids', 'components', 'cases', 'grid_component_counts', 'case_grid_days']) await db.exec(`analyze ${t}`);
  const loadS = (performance.now() - t0) / 1000;
  const m: Marker = { scale: SCALE, seed: SEED, districts: DISTRICTS, grids, components, cases: DISTRICTS * CASES, load_s: loadS };
  await db.query('insert into bench_province (scale, seed, districts, grids, components, cases, load_s) values ($1, $2, $3, $4, $5, $6, $7)',
    [m.scale, m.seed, m.districts, m.grids, m.components, m.cases, m.load_s]);
  say(`== ${label}: province loaded in ${fmt(loadS)} s (${fmt(grids)} grids, ${fmt(components)} components, ${fmt(m.cases)} cases) at load ${load()}`);
  return m;
}

// ---------------------------------------------------------------------------------------------------------------
// Engines, routing

type Engine = { label: 'postgres' | 'citus'; db: Db; citus: boolean; marker: Marker; distributed: Map<string, string> };

/** What Citus knows of the province's tables: distributed (by which column), reference, Citus local; else plain. */
async function layout(db: Queryable): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!(await isCitus(db))) return out;
  const { rows } = await db.query<{ t: string; kind: string }>(
    `select c.relname as t,
            case when p.partmethod = 'h' then 'distributed by ' || column_to_column_name(p.logicalrelid, p.partkey) || ' (' ||
                   (select count(*) from pg_dist_shard s where s.logicalrelid = p.logicalrelid) || ' shards)'
                 when p.repmodel = 't' then 'reference' else 'Citus local (coordinator)' end as kind
       from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid where c.relnamespace = 'public'::regnamespace`);
  for (const r of rows) out.set(r.t, r.kind);
  return out;
}

type Recorded = { text: string; params: readonly unknown[] };

/** The db as the application sees it, recording every statement (text and parameters), also inside transactions. */
function recording(db: Queryable, into: Recorded[]): Queryable {
  const wrap = (q: Queryable): Queryable => ({
    engine: q.engine,
    query: (sql: Sql, params?: readonly unknown[]) => {
      into.push({ text: typeof sql === 'string' ? sql : sql.text, params: params ?? [] });
      return q.query(sql, params);
    },
    exec: (sql: string) => q.exec(sql),
    transaction: (fn) => q.transaction((tx) => fn(wrap(tx))),
    copyFrom: (table, columns, text) => q.copyFrom(table, columns, text),
    commitWork: () => q.commitWork(),
  }) as Queryable;
  return wrap(db);
}

/**
 * EXPLAIN of one recorded statement on Citus: its task count and the nodes of its tasks, or 'coordinator'. Every
 * task is shown (citus.explain_all_tasks), else a 32-task plan shows one task and names one worker as if it were all.
 * An INSERT … SELECT has no task of its own when its rows are computed on the coordinator (an `unnest` of
 * parameters): its method says so, and the rows then go to their shards.
 */
async function routing(db: Queryable, r: Recorded, ports: Map<string, string>): Promise<string> {
  try {
    const rows = await db.transaction(async (tx) => {
      await tx.exec('set local citus.explain_all_tasks to on');
      return (await tx.query<{ 'QUERY PLAN': string }>(`explain ${r.text}`, r.params)).rows;
    });
    const plan = rows.map((x) => x['QUERY PLAN']).join('\n');
    const counts = [...plan.matchAll(/Task Count: (\d+)/g)].map((m) => Number(m[1]));
    const method = plan.match(/INSERT\/SELECT method: (.+)/)?.[1].trim();
    const insertSelect = method ? `INSERT … SELECT, ${method}` : '';
    if (!counts.length) return insertSelect || 'coordinator, no Citus task';
    const nodes = [...new Set([...plan.matchAll(/Node: host=\S+ port=(\d+)/g)].map((m) => ports.get(m[1]) ?? `:${m[1]}`))];
    return `${insertSelect ? `${insertSelect}: ` : ''}Task Count ${counts.join('+')}${nodes.length ? ` (${nodes.join(', ')})` : ''}`;
  } catch (e) {
    return `not explained (${(e as Error).message.split('\n')[0].slice(0, 60)})`;
  }
}

const STATEMENT = /^\s*(with|select|insert|update|delete)\b/i;
const TOUCHES = /\b(cases|grids|components|regions|case_[a-z_]+|grid_component_counts|component_sequences|idempotency_keys|audit_log|places)\b/i;

/**
 * The routing of every distinct statement a measure ran (several runs recorded on Citus, the timed runs' inputs),
 * grouped: "3 × Task Count 1 (worker :5435)". A statement routed differently from run to run says how often each
 * way: a grids tile on a district's edge meets two districts and is not the single-shard statement of the others.
 */
async function routeSummary(db: Queryable, rec: Recorded[], ports: Map<string, string>): Promise<{ summary: string; lines: string[] }> {
  const seen = new Map<string, Map<string, number>>();
  const bare = (t: string) => t.replace(/^\s*--.*$/gm, '').trim(); // the .sql files open with comments
  for (const r of rec) {
    if (!STATEMENT.test(bare(r.text)) || !TOUCHES.test(r.text)) continue;
    const hows = seen.get(r.text) ?? new Map<string, number>();
    seen.set(r.text, hows);
    const how = await routing(db, r, ports);
    hows.set(how, (hows.get(how) ?? 0) + 1);
  }
  const groups = new Map<string, number>();
  const lines: string[] = [];
  for (const [text, hows] of seen) {
    const n = [...hows.values()].reduce((a, b) => a + b, 0);
    const how = hows.size === 1 ? [...hows.keys()][0] : [...hows].map(([k, c]) => `${k} in ${c} of ${n}`).join(', ');
    groups.set(how, (groups.get(how) ?? 0) + 1);
    lines.push(`      ${how.padEnd(44)} ${bare(text).replace(/\s+/g, ' ').slice(0, 100)}`);
  }
  return { summary: [...groups].map(([k, n]) => `${n} × ${k}`).join('; ') || '—', lines };
}

// ---------------------------------------------------------------------------------------------------------------
// Measures

type Ctx = {
  district: string; importDistrict: string; points: { lon: number; lat: number }[]; importPoints: { lon: number; lat: number }[];
  work: ReturnType<typeof loadWorkRules>;
};
type Measure = { name: string; slow?: boolean; run: (db: Queryable, e: Engine, i: number) => Promise<unknown> };

/** The tile (z, x, y) holding a point. */
function tileOf(z: number, lon: number, lat: number): [number, number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [z, Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

const users = new Map<Engine['label'], CaseUser>();
const boxes = new Map<Engine['label'], Promise<DistrictBox[]>>();

/**
 * Per engine, the districts' extents as app.ts keeps them for the locates: the grids generation heard on LISTEN (a
 * server with its tile cache on: no read of it while nothing is written through that server), the extents read once.
 */
const extentsOf = new Map<Engine['label'], Promise<{ gens: TileGenerations; extents: DistrictExtents }>>();
function districtExtents(e: Engine): Promise<{ gens: TileGenerations; extents: DistrictExtents }> {
  let x = extentsOf.get(e.label);
  if (!x) {
    x = (async () => {
      const gens = new TileGenerations(e.db);
      await gens.start();
      // trusted once the listener is up and a read of the generations started after it (services/tile-generations.ts)
      for (let i = 0; i < 100 && !gens.trusted(); i++) { await gens.generation('grids'); if (!gens.trusted()) await new Promise((r) => setTimeout(r, 20)); }
      return { gens, extents: new DistrictExtents(gens) };
    })();
    extentsOf.set(e.label, x);
  }
  return x;
}

async function inspectorOf(e: Engine, district: string): Promise<CaseUser> {
  const u = users.get(e.label);
  if (u) return u;
  const username = 'province_bench_inspector';
  const { rows } = await e.db.query<{ id: number }>('select id from users where username = $1', [username]);
  const id = rows[0]?.id ?? (await createUser({ db: e.db, clock: { now: () => new Date() } }, null,
    { username, password: 'Province-bench-2026-inspector', roles: ['inspector'], department_id: null }, { ip: null })).id;
  // The case service reads the reporter's district from the user object (db/visibility.ts districtOf), as a request's user carries it.
  const user: CaseUser = { id: Number(id), username, roles: ['inspector'], department_id: null, region_code: district };
  users.set(e.label, user);
  return user;
}

function measures(ctx: Ctx): Measure[] {
  const pt = (i: number) => ctx.points[i % ctx.points.length];
  const evalDeps = (db: Queryable) => ({ db, clock: { now: () => ANCHOR }, work: ctx.work });
  return [
    { name: `locate a point in district ${ctx.district} (locate-grid-in-district.sql)`, run: (db, _e, i) => gridsDb.locate(db, pt(i).lon, pt(i).lat, ctx.district) },
    {
      // As the application locates without a district (GET /api/grids/locate, intake of the public and of users of
      // every district): the districts whose extent holds the point, by services/grids.ts.
      name: 'locate a point, no district (services/grids.ts locate, routed by the districts\' extents)',
      run: async (db, e, i) => locateRouted(db, pt(i).lon, pt(i).lat, (await districtExtents(e)).extents),
    },
    {
      // As the tile route draws it: to the districts the tile meets (their extents read once, as per grids generation).
      name: 'grids tile z16 (db/tiles.ts), routed to the districts it meets',
      run: async (db, e, i) => {
        const [z, x, y] = tileOf(16, pt(i).lon, pt(i).lat);
        if (!boxes.has(e.label)) boxes.set(e.label, districtBoxes(db));
        return renderTile(db, 'grids', z, x, y, undefined, undefined, districtsMeeting(await boxes.get(e.label)!, z, x, y));
      },
    },
    { name: `cases tile z14, district ${ctx.district}'s filter`, run: (db, _e, i) => { const [z, x, y] = tileOf(14, pt(i).lon, pt(i).lat); return renderTile(db, 'cases', z, x, y, undefined, { now: ANCHOR, district: ctx.district }); } },
    {
      name: 'intake: reportCase by a district-scoped inspector',
      run: async (db, e, i) => reportCase({ db, clock: { now: () => new Date() }, work: ctx.work }, await inspectorOf(e, ctx.district),
        { kind: 'event', class_code: '06001', lon: pt(i + 7).lon, lat: pt(i + 7).lat, source: 'inspector', description: 'province bench report' }, null),
    },
    { name: `evaluation of district ${ctx.district}'s streets (evaluate, parent)`, slow: true, run: (db) => evaluate(evalDeps(db), 'regions', { level: 'street', parent: ctx.district, ...PERIOD }) },
    { name: 'province ranking of the 20 districts (evaluate, level district)', slow: true, run: (db) => evaluate(evalDeps(db), 'regions', { level: 'district', ...PERIOD }) },
  ];
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

/** Component import of --import-rows points in one district vs a plain COPY of the same rows, on one engine. */
async function importMeasure(e: Engine, ctx: Ctx): Promise<{ import_rate: number; copy_rate: number; imported: number; rejected: number; import_s: number; copy_s: number; error?: string }> {
  // A new source per run, so every run imports (a re-run of the same ids would update) and nothing is deleted: a
  // delete of components costs a scan of cases per row (cases.component_id's ON DELETE SET NULL has no index), hours
  // for 100,000 rows. Each run leaves its rows (1 % of the province's components per run at full scale).
  const source = `bench-province-${Date.now().toString(36)}`;
  const rand = mulberry32(SEED);
  let csv = 'id,class_code,status,survey_date,lon,lat\n';
  const tsv: string[] = [];
  const classes = DEMO_COMPONENT_CLASSES.map((c) => c.code);
  for (let i = 0; i < IMPORT_ROWS; i++) {
    const p = ctx.importPoints[i % ctx.importPoints.length];
    const lon = (p.lon + (rand() - 0.5) * 2e-6).toFixed(7);
    const lat = (p.lat + (rand() - 0.5) * 2e-6).toFixed(7);
    const cls = classes[i % classes.length];
    csv += `P${i + 1},${cls},intact,2026-01-15,${lon},${lat}\n`;
    tsv.push(`P${i + 1}\t${cls}\tintact\t2026-01-15\t${lon}\t${lat}`);
  }
  const plainCopy = async () => {
    await e.db.exec('drop table if exists bench_province_plain; create unlogged table bench_province_plain (id text, class_code text, status text, survey_date date, lon float8, lat float8)');
    const t0 = performance.now();
    for (let i = 0; i < tsv.length; i += DEFAULT_BATCH_SIZE) {
      await e.db.transaction((tx) => tx.copyFrom('bench_province_plain', ['id', 'class_code', 'status', 'survey_date', 'lon', 'lat'], tsv.slice(i, i + DEFAULT_BATCH_SIZE).join('\n') + '\n'));
    }
    const t = performance.now() - t0;
    await e.db.exec('drop table bench_province_plain');
    return t;
  };
  const before = await plainCopy();
  let report;
  try {
    report = await importComponents(e.db, csv, {
      class_code: '01001', id_field: 'id', source, format: 'csv', batch_size: DEFAULT_BATCH_SIZE,
      map: { class_code: 'class_code', status: 'status', survey_date: 'survey_date' },
    });
  } catch (err) {
    return { import_rate: NaN, copy_rate: IMPORT_ROWS / (before / 1000), imported: 0, rejected: 0, import_s: NaN, copy_s: before / 1000, error: (err as Error).message.split('\n')[0] };
  }
  const after = await plainCopy();
  const copy = Math.min(before, after);
  return {
    import_rate: report.rows / (report.elapsed_ms / 1000), copy_rate: IMPORT_ROWS / (copy / 1000), imported: report.imported, rejected: report.rejected_total,
    import_s: report.elapsed_ms / 1000, copy_s: copy / 1000,
  };
}

// ---------------------------------------------------------------------------------------------------------------

export const HONEST = `What this machine can and cannot show. The three Citus nodes (coordinator :5433, workers :5434 and :5435) are
three PostgreSQL servers on one 2-core machine with one disk, shared with the single PostgreSQL (:5432) and with
other sessions' jobs: a distributed query's tasks run on the same two cores as everything else, so Citus cannot
be faster here; what the ratios show is Citus's own cost (planning on the coordinator, a connection and a round
trip to a worker per task, the coordinator merging results) and which statements are routed to one shard. A
statement whose tables are still Citus local tables runs on the coordinator exactly as on PostgreSQL (the ratio
is then the planner hook's overhead only); only the tables listed as distributed spread over the workers.
With real worker machines: a district's hot paths (locate in a district, a case read or write, a district's tile
or evaluation) are single-shard: their time stays about what one PostgreSQL takes for one district's rows plus one
network hop (~0.2–1 ms in a data centre), however many districts and workers are added, and the province's
throughput of them grows with the workers (each district's load lands on its own node). Cross-district work (the
province ranking, a locate without a district, an unscoped tile, a bulk import across districts) is split into a
task per shard: its time divides by about the number of workers (the per-shard scans run in parallel) plus the
coordinator's merge, which for the ranking is 20 small rows. Bulk import of one district goes to one shard, so
its rows/s is one node's; importing several districts at once scales with the workers. None of that growth can
be measured on one machine; the figures here bound the overhead that real workers would have to amortise.`;

async function main() {
  const t0 = performance.now();
  say(`province bench: scale ${SCALE}, seed ${SEED}, runs ${RUNS} (slow ${SLOW_RUNS}), import ${fmt(IMPORT_ROWS)} rows; load average ${load()} on ${availableParallelism()} CPUs`);
  const engines: Engine[] = [];
  try {
    for (const [label, url] of [['postgres', PG_URL], ['citus', CITUS_URL]] as const) {
      if (ONLY && ONLY !== label) continue;
      const name = new URL(url).pathname.slice(1);
      if (!/^[a-z0-9_]+$/.test(name) || !/test|bench/.test(name)) throw new Error(`${label}: the bench truncates its database's tables; give a database whose name says test or bench (got ${name})`);
      if (label === 'postgres') {
        const admin = await openPostgres(url.replace(/\/[^/]*$/, '/postgres'), 1);
        try {
          const { rows } = await admin.query('select 1 from pg_database where datname = $1', [name]);
          if (!rows.length) await admin.exec(`create database ${name}`);
        } finally { await admin.close(); }
      }
      let db: Db;
      try {
        db = await openPostgres(url, 4);
        await db.query('select 1');
      } catch (err) {
        if (label !== 'citus') throw err;
        say(`== citus: ${url} does not answer (${(err as Error).message.split('\n')[0]}): start the cluster with GRIDLINE_CITUS_DB=${name} scripts/citus/cluster.sh start; measuring PostgreSQL alone`);
        continue;
      }
      const citus = await isCitus(db);
      if (label === 'citus' && !citus) throw new Error(`${url} has no citus extension: start the cluster with GRIDLINE_CITUS_DB=${name} scripts/citus/cluster.sh start`);
      const m = await ensureProvince(db, label);
      engines.push({ label, db, citus, marker: m, distributed: await layout(db) });
    }
    for (const e of engines) {
      const t = ['grids', 'components', 'cases'].map((x) => `${x}: ${e.citus ? e.distributed.get(x) ?? 'plain table' : 'PostgreSQL table'}`).join('; ');
      const others = [...e.distributed].filter(([, k]) => k.startsWith('distributed')).map(([n]) => n);
      const { rows: [cfg] } = await e.db.query<{ sb: string; wm: string }>("select current_setting('shared_buffers') as sb, current_setting('work_mem') as wm");
      say(`== ${e.label}: ${t}${e.citus ? `; distributed: ${others.join(', ') || 'none'}` : ''}; shared_buffers ${cfg.sb}, work_mem ${cfg.wm} (not the same on both: ratios carry it)`);
    }
    if (LOAD_ONLY) return;

    const first = engines[0].db;
    const specs = districtSpecs();
    const district = specs[7].code;
    const importDistrict = specs[DISTRICTS - 1].code;
    const pick = async (d: string, n: number) => {
      const { rows } = await first.query<{ lon: number; lat: number }>(
        `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p, code from grids where district_code = $1 and valid_to is null) g
          order by md5(code || $2::text) limit $3`, [d, SEED, n]);
      return rows;
    };
    const ctx: Ctx = { district, importDistrict, points: await pick(district, 200), importPoints: await pick(importDistrict, GRIDS), work: loadWorkRules() };
    const citusEngine = engines.find((e) => e.citus);
    const port0 = Number(new URL(CITUS_URL).port || 5432); // scripts/citus/cluster.sh: the workers on the next two ports
    const ports = new Map([[String(port0), 'coordinator'], [String(port0 + 1), `worker :${port0 + 1}`], [String(port0 + 2), `worker :${port0 + 2}`]]);
    const table: string[][] = [];
    const routes: string[] = [];
    for (const m of measures(ctx)) {
      const runs = m.slow ? SLOW_RUNS : RUNS;
      const lat = new Map<string, number[]>(engines.map((e) => [e.label, []]));
      for (const e of engines) for (let w = 0; w < (m.slow ? 1 : 3); w++) await m.run(e.db, e, 1000 + w); // warm: plans, caches
      for (let i = 0; i < runs; i++) {
        for (const e of i % 2 ? [...engines].reverse() : engines) {
          const t = performance.now();
          await m.run(e.db, e, i);
          lat.get(e.label)!.push(performance.now() - t);
        }
      }
      let route = '';
      if (citusEngine) {
        // The inputs of the first timed runs (points, tiles), so the routing shown is the routing timed.
        const rec: Recorded[] = [];
        for (let i = 0; i < Math.min(runs, ROUTE_RUNS); i++) await m.run(recording(citusEngine.db, rec), citusEngine, i);
        const r = await routeSummary(citusEngine.db, rec, ports);
        route = r.summary;
        routes.push(`   ${m.name}:`, ...r.lines);
      }
      const cell = (l: string) => { const xs = lat.get(l); return xs ? `${ms(pct(xs, 0.5))} / ${ms(pct(xs, 0.95))} ms` : '—'; };
      const pg = lat.get('postgres');
      const ci = lat.get('citus');
      const ratio = pg && ci ? (pct(ci, 0.5) / pct(pg, 0.5)).toFixed(2) : '—';
      table.push([m.name, cell('postgres'), cell('citus'), ratio, route]);
      say(`   ${m.name}: postgres ${cell('postgres')}, citus ${cell('citus')}, ratio ${ratio} (load ${load()})`);
    }
    const imports = new Map<string, Awaited<ReturnType<typeof importMeasure>>>();
    for (const e of engines) {
      const r = await importMeasure(e, ctx);
      imports.set(e.label, r);
      say(`   import on ${e.label}: ${r.error ? `FAILED: ${r.error}` : `${fmt(r.import_rate)} rows/s (${ms(r.import_s)} s, imported ${fmt(r.imported)}, rejected ${fmt(r.rejected)})`}; plain COPY ${fmt(r.copy_rate)} rows/s (${ms(r.copy_s)} s) (load ${load()})`);
    }
    const imp = (l: string) => { const r = imports.get(l); return r ? (r.error ? `failed: ${r.error.slice(0, 80)}` : `${fmt(r.import_rate)} rows/s = ${(r.import_rate / r.copy_rate).toFixed(2)} of COPY (${fmt(r.copy_rate)})`) : '—'; };
    const ip = imports.get('postgres');
    const ic = imports.get('citus');
    table.push([`component import, ${fmt(IMPORT_ROWS)} rows into district ${importDistrict} ÷ plain COPY`, imp('postgres'), imp('citus'),
      ip && ic && !ip.error && !ic.error ? (ic.import_rate / ip.import_rate).toFixed(2) : '—', 'import: rows/s ratio; COPY ratio ' + (ip && ic ? (ic.copy_rate / ip.copy_rate).toFixed(2) : '—')]);

    const sizes = engines.map((e) => `${e.label}: ${fmt(e.marker.grids)} grids, ${fmt(e.marker.components)} components, ${fmt(e.marker.cases)} cases, loaded in ${fmt(e.marker.load_s)} s`).join('; ');
    say(`\nProvince (scale ${SCALE}, ${DISTRICTS} districts): ${sizes}. Load average at the end ${load()}; ${fmt((performance.now() - t0) / 1000)} s in all.`);
    say('\n| measure | PostgreSQL p50 / p95 | Citus p50 / p95 | Citus ÷ PostgreSQL (p50) | Citus routing (EXPLAIN of the statements it ran) |\n|---|---|---|---|---|');
    for (const r of table) say(`| ${r.join(' | ')} |`);
    if (routes.length) say(`\nStatements per measure on Citus (EXPLAIN):\n${routes.join('\n')}`);
    say(`\n${HONEST}`);
  } finally {
    for (const x of extentsOf.values()) await (await x).gens.stop();
    for (const e of engines) await e.db.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
