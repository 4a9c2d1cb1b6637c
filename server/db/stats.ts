// Grid-level statistics (docs/leader-api.md §Statistics): the only SQL of the choropleth, trend, top classes and the
// grid card. Counts are by report time (cases.created_at); periods arrive as instants (the service turns local
// dates into them), so nothing here depends on the session's time zone.
import type { Queryable } from './types.js';
import type { Pieces, StatLevel } from '../domain/stats-query.js';
import { LIGHT_SQL } from './cases.js';

export type CaseFilters = { class_code?: string; major?: string; channel?: string; region?: string };

/** Filter SQL over `cases c` for the given filters; `p` registers a parameter and returns its placeholder. */
function filterSql(f: CaseFilters, p: (v: unknown) => string): string {
  const w: string[] = [];
  if (f.class_code) w.push(`c.class_code = ${p(f.class_code)}`);
  if (f.major) w.push(`left(c.class_code, 2) = ${p(f.major)}`);
  if (f.channel) w.push(`c.source = ${p(f.channel)}`);
  if (f.region) {
    // the district too (the region's first six digits): a district's or smaller region's counts name one shard on Citus
    if (f.region.length >= 6) w.push(`c.district_code = ${p(f.region.slice(0, 6))}`);
    w.push(`c.grid_code like ${p(f.region)} || '%'`); // region codes are digits only: no wildcard in them
  }
  return w.length ? ` and ${w.join(' and ')}` : '';
}

/**
 * Cases per unit of a level (the first `prefix` digits of the grid code) in the period (label 1) and the previous
 * period (label 0). Whole UTC days come from case_grid_days, the rest from cases; the caller only puts days in
 * `pieces.days` when no class/major/channel filter is set (the rollup has none of them).
 */
export async function countsByUnit(
  db: Queryable, pieces: Pieces, prefix: number, f: CaseFilters,
): Promise<{ code: string; cur: number; prev: number }[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const parts: string[] = [];
  const len = p(prefix);
  // One branch per range with scalar bounds, so each is an index range scan (a join to unnest() of the ranges lets
  // the planner pick a sequential scan of every case with a join filter).
  if (pieces.days.length && (f.class_code || f.major || f.channel)) {
    throw new Error('case_grid_days has no class or channel: count those from cases');
  }
  // registered only when a day branch uses it: an unused parameter has no type ("could not determine data type"), and a
  // period of one local day off UTC (every day in Beijing or New York) has no whole UTC day
  const region = f.region && pieces.days.length ? p(f.region) : null;
  // with a region, its district too (the first six digits): the rollup's key starts with it (0061), one shard on Citus
  const inRegion = region ? ` and k.district_code = left(${region}, 6) and k.grid_code like ${region} || '%'` : '';
  for (const d of pieces.days) {
    parts.push(`select left(k.grid_code, ${len}::int) as code, ${d.label === 1 ? 'k.n' : '0'} as cur, ${d.label === 0 ? 'k.n' : '0'} as prev
                  from case_grid_days k
                 where k.day >= ${p(d.from)}::date and k.day < ${p(d.to)}::date and k.n > 0${inRegion}`);
  }
  const filters = filterSql(f, p);
  for (const e of pieces.instants) {
    parts.push(`select left(c.grid_code, ${len}::int) as code, ${e.label} as cur, ${1 - e.label} as prev
                  from cases c
                 where c.created_at >= ${p(e.from)}::timestamptz and c.created_at < ${p(e.to)}::timestamptz${filters}`);
  }
  if (!parts.length) return [];
  const { rows } = await db.query<{ code: string; cur: number; prev: number }>(
    `select code, sum(cur)::int as cur, sum(prev)::int as prev from (${parts.join(' union all ')}) x group by code`,
    params,
  );
  return rows;
}

export type Unit = { code: string; name: string; area_m2: number; geometry: string };

/** The units a choropleth draws: current unit grids, or the communities or streets that have a geometry. Area is
 * the geodesic area (geography), GeoJSON at 1e-7° (about a centimetre). */
export async function units(db: Queryable, level: StatLevel): Promise<Unit[]> {
  const sql = level === 'grid'
    ? `select g.code, coalesce(r.name, '') || ' ' || right(g.code, 3) as name, st_area(g.geom::geography) as area_m2,
              st_asgeojson(g.geom, 7) as geometry
         from grids g left join regions r on r.code = g.community_code
        where g.valid_to is null order by g.code`
    : `select r.code, r.name, st_area(r.geom::geography) as area_m2, st_asgeojson(r.geom, 7) as geometry
         from regions r where r.level = $1 and r.geom is not null order by r.code`;
  const { rows } = await db.query<Unit>(sql, level === 'grid' ? [] : [level]);
  return rows.map((r) => ({ ...r, area_m2: Number(r.area_m2) }));
}

/**
 * A fingerprint of a level's geometry, cheap to read on every request: for grids (versioned, ids never reused) the
 * count, sum and maximum of the current ids plus their extent; for regions a hash of codes, names and geometries.
 */
export async function unitsFingerprint(db: Queryable, level: StatLevel): Promise<string> {
  const { rows } = await db.query<{ f: string }>(level === 'grid'
    ? `select count(*) || ':' || coalesce(sum(id), 0) || ':' || coalesce(max(id), 0) || ':' || coalesce(st_astext(st_extent(geom)::geometry), '') as f
         from grids where valid_to is null`
    : `select coalesce(md5(string_agg(code || ':' || name || ':' || md5(st_asbinary(geom)), ',' order by code)), '') as f
         from regions where level = $1 and geom is not null`,
  level === 'grid' ? [] : [level]);
  return rows[0]?.f ?? '';
}

/** Queen-contiguity pairs (a < b) of a level: units whose boundaries touch or come within 1e-6° (~0.1 m; drawn
 * and imported boundaries meet up to rounding). The GiST index finds candidates (st_dwithin expands the box). For
 * grids one side is read first (materialized): Citus refuses a join of the distributed grids with themselves that is
 * not on district_code, and neighbours may lie in two districts. */
export async function contiguityPairs(db: Queryable, level: StatLevel): Promise<[string, string][]> {
  const sql = level === 'grid'
    ? `with b as materialized (select code, geom from grids where valid_to is null)
       select a.code as a, b.code as b from grids a join b on a.code < b.code and st_dwithin(a.geom, b.geom, 1e-6)
        where a.valid_to is null`
    : `select a.code as a, b.code as b from regions a join regions b on a.code < b.code and st_dwithin(a.geom, b.geom, 1e-6)
        where a.level = $1 and b.level = $1`;
  const { rows } = await db.query<{ a: string; b: string }>(sql, level === 'grid' ? [] : [level]);
  return rows.map((r) => [r.a, r.b]);
}

/** Reported, filed and closed cases per bucket: `bounds` are the n bucket starts followed by the period's end. */
export async function trend(db: Queryable, bounds: Date[], f: CaseFilters): Promise<{ idx: number; reported: number; filed: number; closed: number }[]> {
  const params: unknown[] = [bounds, bounds[0], bounds[bounds.length - 1]];
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const w = filterSql(f, p);
  const part = (col: string, k: 0 | 1 | 2) =>
    `select width_bucket(c.${col}, $1::timestamptz[]) as idx, ${k === 0 ? 1 : 0} as r, ${k === 1 ? 1 : 0} as fl, ${k === 2 ? 1 : 0} as cl
       from cases c where c.${col} >= $2::timestamptz and c.${col} < $3::timestamptz${w}`;
  const { rows } = await db.query<{ idx: number; reported: number; filed: number; closed: number }>(
    `select idx, sum(r)::int as reported, sum(fl)::int as filed, sum(cl)::int as closed
       from (${part('created_at', 0)} union all ${part('filed_at', 1)} union all ${part('closed_at', 2)}) x
      group by idx order by idx`,
    params,
  );
  return rows.map((r) => ({ ...r, idx: Number(r.idx) }));
}

/** Today's counts for the wall's ticker: reported, filed, dispatched and closed in [start, end], and open cases
 * red at `end`. Every origin (the wall counts what the centre handled); every district's cases, or `district`'s. */
export type TodayCounts = { reported: number; filed: number; dispatched: number; closed: number; overdue: number };

export async function todayCounts(db: Queryable, start: Date, end: Date, district: string | null = null): Promise<TodayCounts> {
  const inDistrict = district ? 'c.district_code = $3 and ' : ''; // one shard on Citus
  const { rows: [r] } = await db.query<TodayCounts>(
    `select count(*) filter (where c.created_at >= $2 and c.created_at <= $1)::int as reported,
            count(*) filter (where c.filed_at >= $2 and c.filed_at <= $1)::int as filed,
            count(*) filter (where c.dispatched_at >= $2 and c.dispatched_at <= $1)::int as dispatched,
            count(*) filter (where c.closed_at >= $2 and c.closed_at <= $1)::int as closed,
            count(*) filter (where ${LIGHT_SQL} = 'red')::int as overdue
       from cases c
      where ${inDistrict}(c.created_at >= $2 or c.filed_at >= $2 or c.dispatched_at >= $2 or c.closed_at >= $2
         or (c.red_at < $1 and c.status not in ('closed', 'void', 'suspended')))`,
    district ? [end, start, district] : [end, start],
  );
  return r;
}

export type ClassCount = { class_code: string; name_zh: string; name_en: string; major_code: string; count: number };

/** The classes with most cases reported in [start, end), most first (ties by code). */
export async function topClasses(db: Queryable, start: Date, end: Date, f: CaseFilters & { grid?: string }, limit: number): Promise<ClassCount[]> {
  const params: unknown[] = [start, end];
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const w = filterSql(f, p) + (f.grid ? ` and c.grid_code = ${p(f.grid)}` : '');
  const { rows } = await db.query<ClassCount>(
    `select s.class_code, k.name_zh, k.name_en, k.major_code, s.count
       from (select c.class_code, count(*)::int as count from cases c
              where c.created_at >= $1 and c.created_at < $2${w} group by c.class_code) s
       join classes k on k.kind = 'matter' and k.code = s.class_code
      order by s.count desc, s.class_code limit ${Number(limit)}`,
    params,
  );
  return rows;
}

export type GridCardBase = {
  code: string; community_code: string; community_name: string | null; street_code: string; street_name: string | null;
  area_m2: number; current: boolean;
};

/** The district of a unit grid's code (its first six digits): the grid card's queries name it (one shard on Citus). */
const districtOfGrid = (code: string) => code.slice(0, 6);

/**
 * A grid (its current version, else its latest) with names and geodesic area; null when no grid has the code. The
 * grid's district is named (grids.district_code = left(code, 6), held by 0059's check): one shard on Citus.
 */
export async function gridBase(db: Queryable, code: string): Promise<GridCardBase | null> {
  const { rows } = await db.query<GridCardBase>(
    `select g.code, g.community_code, c.name as community_name, g.street_code, s.name as street_name,
            st_area(g.geom::geography) as area_m2, g.valid_to is null as current
       from grids g left join regions c on c.code = g.community_code left join regions s on s.code = g.street_code
      where g.district_code = $2 and g.code = $1 order by g.valid_to is null desc, g.valid_from desc limit 1`, [code, districtOfGrid(code)]);
  return rows[0] ? { ...rows[0], area_m2: Number(rows[0].area_m2) } : null;
}

/** Cases of a grid reported in [start, end) by status. */
export async function gridStatuses(db: Queryable, code: string, start: Date, end: Date): Promise<{ status: string; count: number }[]> {
  const { rows } = await db.query<{ status: string; count: number }>(
    `select status, count(*)::int as count from cases c
      where c.district_code = $4 and c.grid_code = $1 and c.created_at >= $2 and c.created_at < $3
      group by status order by count desc, status`, [code, start, end, districtOfGrid(code)]);
  return rows;
}

/** Components of a grid by class. */
export async function gridComponents(db: Queryable, code: string): Promise<{ class_code: string; name_zh: string; name_en: string; count: number }[]> {
  const { rows } = await db.query<{ class_code: string; name_zh: string; name_en: string; count: number }>(
    `select s.class_code, k.name_zh, k.name_en, s.count
       from (select class_code, count(*)::int as count from components where district_code = $2 and grid_code = $1 group by class_code) s
       join classes k on k.kind = 'component' and k.code = s.class_code
      order by s.count desc, s.class_code`, [code, districtOfGrid(code)]);
  return rows;
}

export type CaseBrief = {
  id: string; case_no: string; status: string; class_code: string; source: string; origin: string;
  light: 'green' | 'yellow' | 'red' | null; created_at: Date; closed_at: Date | null;
};

/** The latest cases of a grid reported in [start, end): no personal data (no reporter, no description). */
export async function gridRecentCases(db: Queryable, code: string, start: Date, end: Date, now: Date, limit = 10): Promise<CaseBrief[]> {
  const { rows } = await db.query<CaseBrief>(
    `select c.id::text as id, c.case_no, c.status, c.class_code, c.source, c.origin, ${LIGHT_SQL} as light, c.created_at, c.closed_at
       from cases c where c.district_code = $5 and c.grid_code = $2 and c.created_at >= $3 and c.created_at < $4
      order by c.created_at desc, c.case_no desc limit ${Number(limit)}`, [now, code, start, end, districtOfGrid(code)]);
  return rows;
}

/** Which of the checks hold: the class is a matter class, the major a matter major, the region exists. */
export async function known(db: Queryable, f: { class_code?: string; major?: string; region?: string }): Promise<{ class_ok: boolean; major_ok: boolean; region_level: string | null }> {
  const { rows } = await db.query<{ class_ok: boolean; major_ok: boolean; region_level: string | null }>(
    `select ($1::text is null or exists (select 1 from classes where kind = 'matter' and code = $1)) as class_ok,
            ($2::text is null or exists (select 1 from classes where kind = 'matter' and major_code = $2)) as major_ok,
            (select level from regions where code = $3) as region_level`,
    [f.class_code ?? null, f.major ?? null, f.region ?? null]);
  return rows[0];
}
