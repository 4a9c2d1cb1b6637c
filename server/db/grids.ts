// Unit grids: the only SQL for `grids`.
import { readFileSync } from 'node:fs';
import type { Queryable } from './types.js';
import { prepared } from './prepared.js';
import type { Bbox } from '../domain/coords.js';

const LOCATE_SQL = prepared(readFileSync(new URL('./sql/locate-grid.sql', import.meta.url), 'utf8'));
const LOCATE_IN_DISTRICT_SQL = prepared(readFileSync(new URL('./sql/locate-grid-in-district.sql', import.meta.url), 'utf8'));
const LOCATE_IN_DISTRICTS_SQL = prepared(readFileSync(new URL('./sql/locate-grid-in-districts.sql', import.meta.url), 'utf8'));

export type GridRef = { code: string; community_code: string; street_code: string; district_code: string };

/**
 * The current unit grid covering a WGS84 point, by the GiST index; null outside every grid. With `district`, only a
 * grid of that district (null outside it): the locate of a district-scoped user, routed to one shard on Citus.
 */
export async function locate(db: Queryable, lon: number, lat: number, district: string | null = null): Promise<GridRef | null> {
  const { rows } = await db.query<GridRef>(district ? LOCATE_IN_DISTRICT_SQL : LOCATE_SQL, district ? [lon, lat, district] : [lon, lat]);
  return rows[0] ?? null;
}

/**
 * locate within `districts` alone (null when none of their grids covers the point): one district by its own statement
 * (one shard on Citus, router-planned), several in one (`district_code = any($3)`: their shards alone), none without
 * a query. The lowest code among them, as locate orders.
 */
export async function locateIn(db: Queryable, lon: number, lat: number, districts: readonly string[]): Promise<GridRef | null> {
  if (!districts.length) return null;
  if (districts.length === 1) return locate(db, lon, lat, districts[0]);
  const { rows } = await db.query<GridRef>(LOCATE_IN_DISTRICTS_SQL, [lon, lat, districts]);
  return rows[0] ?? null;
}

export type GridFeature = {
  code: string; community_code: string; street_code: string; district_code: string; area_m2: number;
  land_use: string | null; management_level: string | null; responsible_body: string;
  valid_from: string; valid_to: string | null; geometry: string;
};

/** Feature columns of grids aliased `t`. */
const feature = (t: string) => `${t}.code, ${t}.community_code, ${t}.street_code, ${t}.district_code,
  round(${t}.area_m2::numeric, 1)::float8 as area_m2, ${t}.land_use, ${t}.management_level, ${t}.responsible_body,
  to_char(${t}.valid_from, 'YYYY-MM-DD') as valid_from, to_char(${t}.valid_to, 'YYYY-MM-DD') as valid_to,
  st_asgeojson(${t}.geom, 7) as geometry`;

/**
 * What a bbox keeps: `bbox` every grid whose bounding box overlaps it (`&&`, the GiST index alone: the map's list),
 * `intersects` only grids whose geometry intersects it (st_intersects: the index finds candidates, then the exact
 * test), as OGC API – Features requires.
 */
export type BboxPredicate = 'bbox' | 'intersects';

/** Current grids in a bbox (see BboxPredicate; `bbox` by default), optionally of one community, by code, paged; `total` counts them all. */
export async function inBbox(
  db: Queryable,
  p: { bbox?: Bbox; limit: number; offset: number; community_code?: string; predicate?: BboxPredicate },
): Promise<{ items: GridFeature[]; total: number }> {
  const params = [p.bbox?.[0] ?? null, p.bbox?.[1] ?? null, p.bbox?.[2] ?? null, p.bbox?.[3] ?? null, p.community_code ?? null];
  const envelope = 'st_makeenvelope($1, $2, $3, $4, 4326)';
  const where = `valid_to is null
    and ($1::float8 is null or ${p.predicate === 'intersects' ? `st_intersects(geom, ${envelope})` : `geom && ${envelope}`})
    and ($5::text is null or community_code = $5)`;
  const { rows } = await db.query<GridFeature>(
    `select ${feature('grids')} from grids where ${where} order by code limit ${Number(p.limit)} offset ${Number(p.offset)}`,
    params,
  );
  const count = await db.query<{ n: number }>(`select count(*)::int as n from grids where ${where}`, params);
  return { items: rows, total: count.rows[0].n };
}

export type GridDetail = GridFeature & { community_name: string | null; street_name: string | null; component_count: number };

/**
 * A grid's latest version (the current one, else the last ended) with its community and street names and its
 * components. Two statements: the grid with the reference table regions, then its components by district and grid
 * code — a correlated subquery on components inside the grids query is what Citus refuses once grids is distributed
 * and components is not (docs/citus.md).
 */
export async function get(db: Queryable, code: string): Promise<GridDetail | null> {
  const { rows } = await db.query<Omit<GridDetail, 'component_count'>>(
    `select ${feature('g')},
            c.name as community_name, s.name as street_name
       from grids g
       left join regions c on c.code = g.community_code
       left join regions s on s.code = g.street_code
      where g.district_code = $2 and g.code = $1
      order by g.valid_to is null desc, g.valid_from desc
      limit 1`,
    [code, code.slice(0, 6)], // the district (the code's first 6 digits): one shard on Citus
  );
  const grid = rows[0];
  if (!grid) return null;
  const { rows: [n] } = await db.query<{ n: number }>(
    'select count(*)::int as n from components where district_code = $1 and grid_code = $2', [grid.district_code, grid.code]);
  return { ...grid, component_count: n.n };
}

/** Bounding box of the current grids rounded outward to 1e-7° (OGC collection extent); null when there are none. */
export async function currentExtent(db: Queryable): Promise<Bbox | null> {
  const { rows } = await db.query<{ bbox: Bbox | null }>(
    `select case when e is null then null else array[floor(st_xmin(e) * 1e7) / 1e7, floor(st_ymin(e) * 1e7) / 1e7,
                                                   ceil(st_xmax(e) * 1e7) / 1e7, ceil(st_ymax(e) * 1e7) / 1e7]::float8[] end as bbox
       from (select st_extent(geom) as e from grids where valid_to is null) s`,
  );
  return rows[0]?.bbox ?? null;
}

/** One current grid with the columns of inBbox (OGC single feature); null when no current grid has the code. */
export async function currentFeature(db: Queryable, code: string): Promise<GridFeature | null> {
  const { rows } = await db.query<GridFeature>(
    `select ${feature('grids')} from grids where district_code = $2 and valid_to is null and code = $1`, [code, code.slice(0, 6)]);
  return rows[0] ?? null;
}

/** The responsibility grid (责任网格) a unit grid belongs to, if any. */
export async function responsibilityOf(db: Queryable, gridCode: string): Promise<string | null> {
  const { rows } = await db.query<{ code: string }>(
    'select responsibility_code as code from responsibility_grid_members where grid_code = $1', [gridCode]);
  return rows[0]?.code ?? null;
}

/** Whether the responsibility grid is patrolled by this inspector. */
export async function patrolledBy(db: Queryable, responsibilityCode: string, inspectorId: number): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    'select exists (select 1 from responsibility_grids where code = $1 and inspector_id = $2) as ok', [responsibilityCode, inspectorId]);
  return rows[0].ok;
}

/** The responsibility grids an inspector patrols. */
export async function patrolledCodes(db: Queryable, inspectorId: number): Promise<string[]> {
  const { rows } = await db.query<{ code: string }>('select code from responsibility_grids where inspector_id = $1', [inspectorId]);
  return rows.map((r) => r.code);
}

/** How many grids there are: every version, or (`current`) only the current ones, optionally of one district. */
export async function count(db: Queryable, p: { current?: boolean; district_code?: string } = {}): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from grids where ($1::boolean is not true or valid_to is null) and ($2::text is null or district_code = $2)`,
    [p.current ?? false, p.district_code ?? null],
  );
  return rows[0].n;
}

/** A responsibility grid (its outline: the union of its unit grids) or one of its unit grids. */
export type PatrolFeature = {
  kind: 'responsibility' | 'unit'; code: string; responsibility_code: string; name: string | null; geometry: string | null;
};

/**
 * What an inspector patrols: each responsibility grid (outline = union of its current unit grids, name) followed by
 * its current unit grids, by code.
 */
export async function patrolFeatures(db: Queryable, inspectorId: number): Promise<PatrolFeature[]> {
  const { rows } = await db.query<PatrolFeature>(
    // The unit grids first, an inner join (on Citus: on each shard, with the reference tables' copies there, sending
    // on only this inspector's grids), then the responsibility grids left-joined to them on the coordinator: a
    // left join from the reference responsibility_grids to the distributed grids made Citus pull every current grid.
    `with units as materialized (
       select m.responsibility_code, g.code as grid_code, g.geom
         from responsibility_grids r
         join responsibility_grid_members m on m.responsibility_code = r.code
         join grids g on g.code = m.grid_code and g.valid_to is null
        where r.inspector_id = $1),
     mine as (
       select r.code as responsibility_code, r.name, u.grid_code, u.geom
         from responsibility_grids r left join units u on u.responsibility_code = r.code
        where r.inspector_id = $1)
     select kind, code, responsibility_code, name, geometry from (
       select 'responsibility' as kind, responsibility_code as code, responsibility_code, name,
              st_asgeojson(st_union(geom), 7) as geometry, 0 as o
         from mine group by responsibility_code, name
       union all
       select 'unit', grid_code, responsibility_code, null, st_asgeojson(geom, 7), 1
         from mine where grid_code is not null) f
      order by responsibility_code, o, code`,
    [inspectorId],
  );
  return rows;
}
