// SQL of the unit-grid drawing (server/services/draw-grids.ts): every geometric step runs in PostGIS, on temporary
// tables of the current transaction, in a projected CRS (metres). Works on PostGIS 3.3 (PostgreSQL 15, GEOS 3.11)
// and 3.6 (PGlite, GEOS 3.14) with the same results: only functions both have and compute alike (st_polygonize,
// st_unaryunion / st_intersection / st_difference with a grid size, st_split, st_snap); the long axis of a cell is
// computed in server/domain/drawing.ts, since st_orientedenvelope changed between the two GEOS versions.
//
// Work tables (dropped at the end of the drawing, and again at the start in case an earlier one in the same
// transaction failed):
//   draw_communities  code, name, geom (work CRS), area, north_y
//   draw_lines        community code, line (street centre-lines clipped to the community)
//   draw_blocks       block id, polygon (block polygons near the communities)
//   draw_cells        the cells being drawn: code = community (or street, when drawing communities), parent = the
//                     cell a sub-face belongs to while blocks divide a cell, label = block id or precinct, parts = how
//                     many grids the cell is still to be cut into
import type { Queryable } from './types.js';
import { GRID_TILE_SETS, REGION_TILE_SETS } from './tiles.js';
import { noteTileSets } from './tile-bumps.js';
import type { Rings } from '../domain/drawing.js';

/**
 * Precision grid (metres) of every noding, union, intersection and difference in the work CRS: 1 µm. Two reasons:
 * - snap-rounding makes edges two cells share only to within floating point (a node or a cut added on one side)
 *   identical, so merged cells dissolve into one polygon instead of two touching at a point;
 * - PGlite's PostGIS (wasm) cannot recover from a GEOS exception: the floating-point overlay, which throws a
 *   TopologyException and retries internally on hard inputs, makes the whole statement return no rows, silently.
 *   The snap-rounding overlay (the gridSize argument, PostGIS ≥ 3.1) never throws.
 * It moves a vertex by at most 0.7 µm: area changes of order 1e-9 of a community.
 */
const GRID = '0.000001';
/** The same in WGS84 degrees (about 0.1 mm), for unions of stored geometry. */
const GRID_DEGREES = '0.000000001';

/** A statement gave fewer rows than it must: on PGlite a GEOS error can make a statement return nothing, silently. */
export function engineFailure(what: string): Error {
  return new Error(`The database engine failed silently while ${what}; nothing was written (the transaction is rolled back)`);
}

/** The single row a statement must return. */
function one<T>(rows: T[], what: string): T {
  if (!rows.length) throw engineFailure(what);
  return rows[0];
}

/** A GeoJSON geometry (WGS84), as read from a file. */
export type GeoJsonGeometry = { type: string; coordinates: unknown };

/**
 * The drawing's temporary tables, dropped at commit; a second drawing in the same transaction empties them. Never
 * dropped by a statement: on a Citus coordinator a DROP of a table constraint (a temporary table's primary key too)
 * in a transaction that has touched Citus tables makes Citus lock every Citus local table, to check whether one fell
 * out of the foreign-key graph; that waited on any open case or session write while this transaction held the tile
 * generations, a distributed deadlock (seen in the db project on the local cluster). Call inside a transaction.
 */
export async function createWorkTables(db: Queryable): Promise<void> {
  const { rows: [t] } = await db.query<{ here: boolean }>(`select to_regclass('pg_temp.draw_cells') is not null as here`);
  if (t.here) {
    await dropWorkTables(db);
    return;
  }
  await db.exec(`
    create temp table draw_communities (code text primary key, name text, geom geometry not null, area float8, north_y float8) on commit drop;
    create temp table draw_lines (code text not null, geom geometry not null) on commit drop;
    create temp table draw_blocks (id text not null, geom geometry not null) on commit drop;
    create temp table draw_cells (
      id      bigint generated always as identity primary key,
      code    text not null,
      parent  bigint,
      label   text,
      parts   integer not null default 1,
      geom    geometry not null,
      area    float8 not null
    ) on commit drop;
    create index draw_cells_geom on draw_cells using gist (geom);
    create index draw_cells_code on draw_cells (code);`);
}

/** Empties the drawing's temporary tables (they are dropped at commit: see createWorkTables). */
export async function dropWorkTables(db: Queryable): Promise<void> {
  const { rows: [t] } = await db.query<{ here: boolean }>(`select to_regclass('pg_temp.draw_cells') is not null as here`);
  if (t.here) await db.exec('truncate draw_communities, draw_lines, draw_blocks, draw_cells restart identity');
}

/**
 * The communities a drawing covers: `codes` may name districts (6 digits), streets (9) or communities (12); every
 * community with geometry under one of them is taken. Null takes every community with geometry.
 */
export async function selectCommunities(db: Queryable, codes: readonly string[] | null): Promise<{ code: string; lon: number; lat: number }[]> {
  const { rows } = await db.query<{ code: string; lon: number; lat: number }>(
    `select code, st_x(c) as lon, st_y(c) as lat
       from (select code, st_centroid(geom) as c from regions
              where level = 'community' and geom is not null
                and ($1::text[] is null or exists (select 1 from unnest($1::text[]) p where regions.code like p || '%'))) s
      order by code`,
    [codes],
  );
  return rows;
}

/** Copies the communities into the work CRS. */
export async function loadCommunities(db: Queryable, codes: readonly string[], srid: number): Promise<void> {
  await db.query(
    `insert into draw_communities (code, name, geom, area, north_y)
     select code, name, g, st_area(g), st_ymax(g)
       from (select code, name, st_transform(geom, $2::int) as g from regions where code = any($1::text[])) s`,
    [codes, srid],
  );
}

/**
 * Street centre-lines near each community, from `lines` (GeoJSON, WGS84) or else from the places of kind 'road',
 * clipped to 5 m around it: a line cut exactly at the boundary would end a hair off it (floating point), node with
 * nothing and close no cell, while an overshooting end is noded with the boundary and its outer part is a dangle
 * that polygonize drops. Vertices within snap_m of the boundary are snapped onto it, so a street running along
 * the boundary does not leave a hairline sliver.
 */
export async function loadLines(db: Queryable, srid: number, lines: readonly GeoJsonGeometry[] | null, snapM: number): Promise<number> {
  const source = lines
    ? `select st_transform(st_setsrid(st_geomfromgeojson(j), 4326), $1::int) as geom from jsonb_array_elements($2::jsonb) j`
    : `select st_transform(p.geom, $1::int) as geom from places p
        where p.kind = 'road' and p.geom && (select st_transform(st_setsrid(st_extent(geom), $1::int), 4326) from draw_communities)
          and coalesce($2::jsonb, 'null'::jsonb) = 'null'::jsonb`;
  const { rows } = await db.query<{ n: number }>(
    `with src as (${source}),
     clipped as (
       select c.code, st_snap(d.geom, st_boundary(c.geom), $3::float8) as geom
         from draw_communities c
         join src s on s.geom && c.geom and st_intersects(s.geom, c.geom)
         cross join lateral st_dump(st_collectionextract(st_intersection(s.geom, st_buffer(c.geom, 5), ${GRID}), 2)) d
        where st_length(d.geom) > 0)
     , ins as (insert into draw_lines (code, geom) select code, geom from clipped returning 1)
     select count(*)::int as n from ins`,
    [srid, lines ? JSON.stringify(lines) : null, snapM],
  );
  return one(rows, 'loading the centre-lines').n;
}

/** Block polygons (GeoJSON, WGS84, with an id) that touch the communities, in the work CRS. */
export async function loadBlocks(db: Queryable, srid: number, blocks: readonly { id: string; geometry: GeoJsonGeometry }[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with src as (
       select b.id, st_makevalid(st_transform(st_setsrid(st_geomfromgeojson(b.geometry), 4326), $1::int)) as geom
         from jsonb_to_recordset($2::jsonb) as b(id text, geometry jsonb)),
     ins as (
       insert into draw_blocks (id, geom)
       select s.id, st_collectionextract(s.geom, 3) from src s
        where exists (select 1 from draw_communities c where c.geom && s.geom and st_intersects(c.geom, s.geom))
       returning 1)
     select count(*)::int as n from ins`,
    [srid, JSON.stringify(blocks)],
  );
  await db.exec('create index if not exists draw_blocks_geom on draw_blocks using gist (geom)');
  return one(rows, 'loading the blocks').n;
}

/**
 * Street-bounded cells: each community's boundary and its centre-lines, noded (st_unaryunion) and polygonized;
 * faces whose interior point lies inside the community (not in one of its holes) are its cells. Dangling
 * centre-lines (dead ends) bound nothing and drop out. The cells tile the community exactly: they are the faces of
 * one planar graph whose outer edges are the community's own boundary.
 */
export async function buildCells(db: Queryable): Promise<void> {
  await db.exec(`
    insert into draw_cells (code, geom, area)
    select c.code, f.geom, st_area(f.geom)
      from draw_communities c
      cross join lateral (
        select st_unaryunion(st_collect(g), ${GRID}) as g from (
          select st_boundary(c.geom) as g
          union all select l.geom from draw_lines l where l.code = c.code) x) n
      cross join lateral (select (st_dump(st_polygonize(q.g))).geom as geom from (select n.g) q) f
     where st_area(f.geom) > 0 and st_contains(c.geom, st_pointonsurface(f.geom));
    analyze draw_cells;`);
}

/**
 * Divides each cell holding two or more block pieces of at least minArea m² between those blocks, so what separates
 * blocks inside a street-bounded cell (a railway, a path, a wall, water) becomes a grid edge. The cell boundary, the
 * blocks' boundaries and the edges two touching blocks share, extended by extendM metres at both ends so they cross
 * the street space to the cell boundary, are noded and polygonized (lines clipped to 1 m around the cell, for the
 * reason given at loadLines); faces inside the cell and inside a block take the block id, the street-space faces
 * stay unlabelled for the merge. Returns the cells divided.
 */
export async function divideByBlocks(db: Queryable, minArea: number, extendM: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with kept as (
       select c.id as cell, b.id as block, b.geom
         from draw_cells c join draw_blocks b on b.geom && c.geom and st_intersects(b.geom, c.geom)
        where c.parent is null and st_area(st_intersection(c.geom, b.geom, ${GRID})) >= $1::float8),
     cells as (select c.id as cell, c.code, c.geom, st_buffer(c.geom, 1) as near
                 from draw_cells c where c.id in (select cell from kept group by cell having count(*) >= 2)),
     shared as (
       select a.cell, (st_dump(st_linemerge(st_collectionextract(st_intersection(a.geom, b.geom, ${GRID}), 2)))).geom as g
         from kept a join kept b on a.cell = b.cell and a.block < b.block and a.geom && b.geom
        where a.cell in (select cell from cells)),
     ends as (
       select cell, g,
              st_lineinterpolatepoint(g, least(0.5, 10 / st_length(g))) as p0,
              st_lineinterpolatepoint(g, greatest(0.5, 1 - 10 / st_length(g))) as p1
         from shared where st_length(g) > 0),
     dirs as (
       select cell, g,
              (st_x(st_startpoint(g)) - st_x(p0)) / nullif(st_distance(st_startpoint(g), p0), 0) as dx0,
              (st_y(st_startpoint(g)) - st_y(p0)) / nullif(st_distance(st_startpoint(g), p0), 0) as dy0,
              (st_x(st_endpoint(g)) - st_x(p1)) / nullif(st_distance(st_endpoint(g), p1), 0) as dx1,
              (st_y(st_endpoint(g)) - st_y(p1)) / nullif(st_distance(st_endpoint(g), p1), 0) as dy1
         from ends),
     ext as (
       select cell, st_makeline(array[
                st_translate(st_startpoint(g), $2::float8 * dx0, $2::float8 * dy0),
                st_startpoint(g),
                st_endpoint(g),
                st_translate(st_endpoint(g), $2::float8 * dx1, $2::float8 * dy1)]) as g
         from dirs where dx0 is not null and dx1 is not null),
     lines as (
       select cell, st_boundary(geom) as g from cells
       union all select k.cell, st_intersection(st_boundary(k.geom), c.near, ${GRID}) from kept k join cells c on c.cell = k.cell
       union all select c.cell, st_intersection(st_makeline(array[st_startpoint(e.g), st_pointn(e.g, 2)]), c.near, ${GRID}) from ext e join cells c on c.cell = e.cell
       union all select c.cell, st_intersection(st_makeline(array[st_pointn(e.g, 3), st_endpoint(e.g)]), c.near, ${GRID}) from ext e join cells c on c.cell = e.cell),
     noded as (select cell, st_unaryunion(st_collect(g), ${GRID}) as g from lines group by cell),
     faces as (select n.cell, f.geom from noded n cross join lateral (select (st_dump(st_polygonize(q.g))).geom as geom from (select n.g) q) f),
     labelled as (
       select c.cell, c.code, f.geom,
              (select k.block from kept k where k.cell = f.cell and st_contains(k.geom, st_pointonsurface(f.geom)) order by k.block limit 1) as block
         from faces f join cells c on c.cell = f.cell
        where st_area(f.geom) > 0 and st_contains(c.geom, st_pointonsurface(f.geom))),
     ins as (insert into draw_cells (code, parent, label, geom, area)
             select code, cell, block, geom, st_area(geom) from labelled returning parent),
     del as (delete from draw_cells where id in (select cell from cells) returning id)
     select (select count(*)::int from del) as n`,
    [minArea, extendM],
  );
  return one(rows, 'dividing cells between blocks').n;
}

/** Joins the faces of each divided cell that carry the same block id into one cell, which then stands alone. */
export async function closeDividedCells(db: Queryable): Promise<void> {
  await db.exec(`
    with g as (
      select code, parent, label, st_unaryunion(st_collect(geom), ${GRID}) as geom
        from draw_cells where parent is not null group by code, parent, label),
    del as (delete from draw_cells where parent is not null returning id)
    insert into draw_cells (code, label, geom, area)
    select code, label, geom, st_area(geom) from g where (select count(*) from del) >= 0;
    analyze draw_cells;`);
}

/**
 * Length of the edge cells a and b share: the lines of their intersection; when that is empty (edges that match
 * only to within floating point, e.g. one side cut later than the other), the length of a's boundary within 1 cm
 * of b.
 */
const SHARED = `coalesce(nullif(st_length(st_collectionextract(st_intersection(a.geom, b.geom, ${GRID}), 2)), 0),
  st_length(st_collectionextract(st_intersection(st_boundary(a.geom), st_buffer(b.geom, 0.01, 'quad_segs=1'), ${GRID}), 2)))`;

/**
 * A cell's position key: its centroid to the millimetre. Ties are broken by position, not by id, so a re-run whose
 * rows come in another order (a new road changes the plan) still merges the same cells.
 */
const KEY = (t: string) => `round(st_x(st_centroid(${t}.geom))::numeric, 3)::float8 as x, round(st_y(st_centroid(${t}.geom))::numeric, 3)::float8 as y`;

export type MergeCandidate = {
  id: number;
  area: number;
  x: number;
  y: number;
  neighbours: { id: number; area: number; shared: number; dist: number; x: number; y: number }[];
};

/**
 * Cells that may merge, with their neighbours in the same community (and the same divided cell, if any) within
 * nearM metres, longest shared edge first, then nearest. `which`: 'small' = standalone cells below `below` m²;
 * 'unlabelled' = faces of divided cells that lie in no block (street space).
 */
export async function mergeCandidates(db: Queryable, which: 'small' | 'unlabelled', below: number, nearM: number): Promise<MergeCandidate[]> {
  const cond = which === 'small' ? 'a.parent is null and a.area < $1::float8' : 'a.parent is not null and a.label is null and $1::float8 is not null';
  const { rows } = await db.query<MergeCandidate>(
    `select a.id::int as id, a.area, ${KEY('a')},
            coalesce(jsonb_agg(jsonb_build_object('id', b.id, 'area', b.area, 'shared', b.shared, 'dist', b.dist, 'x', b.x, 'y', b.y)
                               order by b.shared desc, b.dist, b.x, b.y) filter (where b.id is not null), '[]'::jsonb) as neighbours
       from draw_cells a
       left join lateral (
         select b.id::int as id, b.area, ${SHARED} as shared, st_distance(a.geom, b.geom) as dist, ${KEY('b')}
           from draw_cells b
          where b.id <> a.id and b.code = a.code and b.parent is not distinct from a.parent
            and st_dwithin(a.geom, b.geom, $2::float8)) b on true
      where ${cond}
      group by a.id
      order by a.id`,
    [below, nearM],
  );
  return rows;
}

/** Unions each group of cells into its head cell (the head keeps its id, label and parts). */
export async function applyMerges(db: Queryable, groups: Map<number, number>): Promise<void> {
  const rows = [...groups].map(([id, head]) => ({ id, head }));
  if (!rows.length) return;
  const json = JSON.stringify(rows);
  const heads = new Set(groups.values()).size;
  const { rows: done } = await db.query<{ id: number }>(
    `with m as (select * from jsonb_to_recordset($1::jsonb) as m(id bigint, head bigint)),
     u as (select m.head, st_collectionextract(st_unaryunion(st_collect(c.geom), ${GRID}), 3) as g
             from m join draw_cells c on c.id = m.id group by m.head)
     update draw_cells c set geom = u.g, area = st_area(u.g) from u where c.id = u.head and not st_isempty(u.g)
     returning c.id`,
    [json],
  );
  if (done.length !== heads) throw engineFailure(`merging cells: ${done.length} of ${heads} unions came back`);
  await db.query(
    `delete from draw_cells c using jsonb_to_recordset($1::jsonb) as m(id bigint, head bigint) where c.id = m.id and m.id <> m.head`,
    [json],
  );
}

/** Marks the cells to cut: parts = how many grids each becomes (splitCount, computed by the caller's rule in SQL). */
export async function markSplits(db: Queryable, maxArea: number, targetArea: number): Promise<{ cells: number; parts: number }> {
  const { rows } = await db.query<{ cells: number; parts: number }>(
    `with u as (update draw_cells set parts = greatest(2, round(area / $2::float8)::int) where parent is null and area > $1::float8 returning parts)
     select count(*)::int as cells, coalesce(sum(parts), 0)::int as parts from u`,
    [maxArea, targetArea],
  );
  return one(rows, 'marking cells to cut');
}

export type CutCell = {
  id: number;
  /** Grids the cell is still to be cut into. */
  parts: number;
  /** The cell's polygons in the work CRS (GeoJSON coordinates). */
  polygons: Rings[];
};

/** The cells still to be cut (parts > 1), with their coordinates. */
export async function cellsToCut(db: Queryable): Promise<CutCell[]> {
  const { rows } = await db.query<{ id: number; parts: number; geojson: string }>(
    `select id::int as id, parts, st_asgeojson(geom, 9) as geojson from draw_cells where parts > 1 order by id`,
  );
  return rows.map(({ geojson, ...r }) => {
    const g = JSON.parse(geojson) as { type: string; coordinates: unknown };
    return { ...r, polygons: g.type === 'Polygon' ? [g.coordinates as Rings] : (g.coordinates as Rings[]) };
  });
}

export type Cut = { id: number; theta: number; ox: number; oy: number; t: number; vmin: number; vmax: number; n1: number; n2: number };

/**
 * Cuts each cell by the straight line u = t (across its long axis) with st_split, so the two sides share exactly
 * the same cut edge; the pieces west of the line (u < t) become one cell to be cut into n1 parts, the others one
 * into n2. Returns the cells the line failed to divide (left whole, parts = 1).
 */
export async function applyCuts(db: Queryable, cuts: readonly Cut[]): Promise<{ id: number; code: string }[]> {
  if (!cuts.length) return [];
  const json = JSON.stringify(cuts);
  const { rows } = await db.query<{ deleted: number; whole: { id: number; code: string }[] }>(
    `with k as (select * from jsonb_to_recordset($1::jsonb)
                  as k(id bigint, theta float8, ox float8, oy float8, t float8, vmin float8, vmax float8, n1 int, n2 int)),
     blade as (
       select c.id, c.code, c.geom, k.theta, k.ox, k.oy, k.t, k.n1, k.n2,
              st_setsrid(st_makeline(
                st_makepoint(k.ox + k.t * cos(k.theta) - (k.vmin - 10) * sin(k.theta), k.oy + k.t * sin(k.theta) + (k.vmin - 10) * cos(k.theta)),
                st_makepoint(k.ox + k.t * cos(k.theta) - (k.vmax + 10) * sin(k.theta), k.oy + k.t * sin(k.theta) + (k.vmax + 10) * cos(k.theta))),
                st_srid(c.geom)) as line
         from draw_cells c join k on k.id = c.id),
     pieces as (
       select b.id, b.code, b.t, b.theta, b.ox, b.oy, b.n1, b.n2, d.geom, st_pointonsurface(d.geom) as p
         from blade b cross join lateral st_dump(st_split(b.geom, b.line)) d
        where st_area(d.geom) > 0),
     sided as (
       select *, ((st_x(p) - ox) * cos(theta) + (st_y(p) - oy) * sin(theta)) < t as west from pieces),
     whole as (select id, min(code) as code from sided group by id having bool_and(west) or not bool_or(west)),
     ins as (
       insert into draw_cells (code, parts, geom, area)
       select code, case when id in (select id from whole) then 1 when west then min(n1) else min(n2) end,
              st_collectionextract(st_unaryunion(st_collect(geom), ${GRID}), 3), st_area(st_unaryunion(st_collect(geom), ${GRID}))
         from sided group by id, code, west
       returning 1),
     del as (delete from draw_cells where id in (select id from k) and (select count(*) from ins) >= 0 returning id)
     select (select count(*)::int from del) as deleted, coalesce((select jsonb_agg(jsonb_build_object('id', id, 'code', code)) from whole), '[]'::jsonb) as whole`,
    [json],
  );
  const r = one(rows, 'cutting cells');
  if (r.deleted !== cuts.length) throw engineFailure(`cutting cells: ${r.deleted} of ${cuts.length} cells were cut`);
  return r.whole;
}

/** Splits multi-part cells into one cell per part. Returns how many cells were multi-part. */
export async function explodeMultiparts(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with m as (select id, code, label, geom from draw_cells where st_numgeometries(geom) > 1),
     ins as (insert into draw_cells (code, label, geom, area)
             select m.code, m.label, d.geom, st_area(d.geom) from m cross join lateral st_dump(m.geom) d returning 1),
     del as (delete from draw_cells where id in (select id from m) and (select count(*) from ins) >= 0 returning 1)
     select count(*)::int as n from del`,
  );
  await db.exec('analyze draw_cells');
  return one(rows, 'splitting multi-part cells').n;
}

/**
 * Communities whose cells' areas do not add up to the community's area (relative `tolerance`): the cells tile the
 * community by construction, so a difference means a statement lost cells (see engineFailure).
 */
export async function coverageErrors(db: Queryable, tolerance: number): Promise<{ code: string; cells: number; ratio: number }[]> {
  const { rows } = await db.query<{ code: string; cells: number; ratio: number }>(
    `select c.code, count(x.id)::int as cells, abs(coalesce(sum(x.area), 0) - c.area) / c.area as ratio
       from draw_communities c left join draw_cells x on x.code = c.code
      group by c.code, c.area
     having abs(coalesce(sum(x.area), 0) - c.area) / c.area > $1::float8 or count(x.id) = 0
      order by c.code`,
    [tolerance],
  );
  return rows;
}

export type FinalCell = { id: number; code: string; area: number; x: number; y: number; parts: number };

/** The drawn cells: work-CRS area, centroid and number of parts. */
export async function finalCells(db: Queryable): Promise<FinalCell[]> {
  const { rows } = await db.query<FinalCell>(
    `select id::int as id, code, area, st_x(st_centroid(geom)) as x, st_y(st_centroid(geom)) as y, st_numgeometries(geom) as parts
       from draw_cells order by code, id`,
  );
  return rows;
}

export type CommunityInfo = { code: string; name: string; area: number; north_y: number; lines: number };

export async function communityInfo(db: Queryable): Promise<CommunityInfo[]> {
  const { rows } = await db.query<CommunityInfo>(
    `select c.code, c.name, c.area, c.north_y, (select count(*)::int from draw_lines l where l.code = c.code) as lines
       from draw_communities c order by c.code`,
  );
  return rows;
}

export type VersionPlan = {
  /** Drawn cell → current grid with the same geometry (kept as is). */
  unchanged: { cell: number; grid_id: number; code: string }[];
  /** Current grids of the drawn communities with no drawn cell of the same geometry. */
  ended: { grid_id: number; code: string; community_code: string; valid_from: string }[];
  /** Drawn cell → ended grid it mostly covers and is mostly covered by: it takes over the code. */
  inherits: { cell: number; code: string }[];
  /** Highest sequence ever used per community (every version). */
  highest: Record<string, number>;
};

/**
 * Compares the drawn cells with the current grids of the drawn communities: the same outline (st_equals, or a
 * Hausdorff distance of at most sameM metres in the work CRS) keeps the grid; a cell covering more than `share`
 * of an ended grid and covered by it by more than `share` takes over its code.
 */
export async function versionPlan(db: Queryable, srid: number, sameM: number, share: number): Promise<VersionPlan> {
  await db.exec(`
    alter table draw_cells add column if not exists geom_wgs84 geometry;
    update draw_cells set geom_wgs84 = st_multi(st_transform(geom, 4326));
    update draw_cells set geom_wgs84 = st_multi(st_collectionextract(st_makevalid(geom_wgs84), 3)) where not st_isvalid(geom_wgs84);`);
  const unchanged = await db.query<VersionPlan['unchanged'][number]>(
    `select distinct on (g.id) c.id::int as cell, g.id::int as grid_id, g.code
       from draw_cells c
       join grids g on g.community_code = c.code and g.valid_to is null and g.geom && c.geom_wgs84
      where st_equals(g.geom, c.geom_wgs84) or st_hausdorffdistance(st_transform(g.geom, $1::int), c.geom) <= $2::float8
      order by g.id, c.id`,
    [srid, sameM],
  );
  const kept = unchanged.rows.map((r) => r.grid_id);
  const keptCells = unchanged.rows.map((r) => r.cell);
  const ended = await db.query<VersionPlan['ended'][number]>(
    `select g.id::int as grid_id, g.code, g.community_code, to_char(g.valid_from, 'YYYY-MM-DD') as valid_from
       from grids g join draw_communities c on c.code = g.community_code
      where g.valid_to is null and not (g.id = any($1::bigint[]))
      order by g.code`,
    [kept],
  );
  const inherits = await db.query<VersionPlan['inherits'][number]>(
    `with o as (select g.id, g.code, g.community_code, st_transform(g.geom, $2::int) as geom
                  from grids g where g.id = any($1::bigint[])),
     pairs as (
       select c.id as cell, o.code, st_area(st_intersection(o.geom, c.geom, ${GRID})) as shared, st_area(o.geom) as old_area, c.area as new_area
         from draw_cells c join o on o.community_code = c.code and o.geom && c.geom and st_intersects(o.geom, c.geom)
        where not (c.id = any($3::bigint[])))
     select cell::int as cell, code from pairs where shared > $4::float8 * old_area and shared > $4::float8 * new_area order by code`,
    [ended.rows.map((r) => r.grid_id), srid, keptCells, share],
  );
  const highest = await db.query<{ community_code: string; seq: number }>(
    `select g.community_code, max(right(g.code, 3)::int) as seq
       from grids g join draw_communities c on c.code = g.community_code group by g.community_code`,
  );
  return {
    unchanged: unchanged.rows,
    ended: ended.rows,
    inherits: inherits.rows,
    highest: Object.fromEntries(highest.rows.map((r) => [r.community_code, r.seq])),
  };
}

/**
 * Ends the given grids on `date`. A grid that started on `date` itself was never in force a whole day: it is
 * deleted instead (valid_to must be after valid_from). Returns the codes deleted.
 */
export async function endGrids(db: Queryable, ids: readonly number[], date: string): Promise<string[]> {
  if (!ids.length) return [];
  await db.query(`update grids set valid_to = $2::date where id = any($1::bigint[]) and valid_from < $2::date`, [ids, date]);
  const { rows } = await db.query<{ code: string }>(
    `delete from grids where id = any($1::bigint[]) and valid_from >= $2::date returning code`,
    [ids, date],
  );
  await noteTileSets(db, GRID_TILE_SETS);
  return rows.map((r) => r.code);
}

/** Inserts the new grids (cell → code) from the drawn cells, valid from `date`; area_m2 is geodesic. */
export async function insertGrids(db: Queryable, codes: readonly { cell: number; code: string }[], date: string): Promise<void> {
  if (!codes.length) return;
  await db.query(
    `insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
     select k.code, c.code, left(k.code, 9), left(k.code, 6), c.geom_wgs84, st_area(c.geom_wgs84::geography), $2::date
       from jsonb_to_recordset($1::jsonb) as k(cell bigint, code text) join draw_cells c on c.id = k.cell`,
    [JSON.stringify(codes), date],
  );
  await noteTileSets(db, GRID_TILE_SETS);
}

/** Latest valid_from among the current grids of the drawn communities (a drawing may not go back before it). */
export async function latestValidFrom(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ d: string | null }>(
    `select to_char(max(g.valid_from), 'YYYY-MM-DD') as d from grids g join draw_communities c on c.code = g.community_code where g.valid_to is null`,
  );
  return one(rows, 'reading the latest version date').d;
}

export type TilingCheck = { code: string; grids: number; union_area: number; sum_area: number; community_area: number; outside_area: number };

/**
 * How well the current grids of each drawn community tile it, measured in the work CRS: area of their union, sum of
 * their areas, and the area of grids outside the community.
 */
export async function tilingCheck(db: Queryable, srid: number): Promise<TilingCheck[]> {
  const { rows } = await db.query<TilingCheck>(
    // Grouped by community and joined, not a lateral aggregate per community: Citus refuses that on the distributed
    // grids from a local table (docs/citus.md).
    `select c.code, coalesce(g.grids, 0) as grids, coalesce(st_area(g.u), 0) as union_area, coalesce(g.sum_area, 0) as sum_area,
            c.area as community_area, coalesce(st_area(st_difference(g.u, c.geom, ${GRID})), 0) as outside_area
       from draw_communities c
       left join (
         select x.community_code, count(*)::int as grids, st_unaryunion(st_collect(x.geom), ${GRID}) as u, sum(st_area(x.geom)) as sum_area
           from (select community_code, st_transform(geom, $1::int) as geom from grids
                  where valid_to is null and community_code in (select code from draw_communities)) x
          group by x.community_code) g on g.community_code = c.code
      order by c.code`,
    [srid],
  );
  const { rows: n } = await db.query<{ n: number }>('select count(*)::int as n from draw_communities');
  if (rows.length !== one(n, 'counting communities').n) throw engineFailure('checking the tiling');
  return rows;
}

/** Geodesic areas of the current grids of the drawn communities. */
export async function currentGridAreas(db: Queryable): Promise<{ code: string; community_code: string; area_m2: number }[]> {
  const { rows } = await db.query<{ code: string; community_code: string; area_m2: number }>(
    `select g.code, g.community_code, g.area_m2 from grids g join draw_communities c on c.code = g.community_code
      where g.valid_to is null order by g.code`,
  );
  return rows;
}

// ---- Regions of a city drawn from two polygon layers (Cambridge: neighbourhoods × precincts) ----

export type SourcePolygon = { key: string; name: string; geometry: GeoJsonGeometry };

/**
 * Faces of the overlay of a street layer and a community layer inside the street layer: both layers' boundaries
 * noded and polygonized; each face gets the first street (by key) and community polygon containing its interior
 * point. Faces in no street but enclosed by the streets (gaps between street polygons) get code '' and are merged
 * by the caller. Faces are put in draw_cells with code = street key, label = community key (null: in none).
 */
export async function overlayFaces(db: Queryable, srid: number, streets: readonly SourcePolygon[], communities: readonly SourcePolygon[]): Promise<void> {
  await db.query(
    `with s as (select key, st_makevalid(st_transform(st_setsrid(st_geomfromgeojson(geometry), 4326), $1::int)) as geom
                  from jsonb_to_recordset($2::jsonb) as x(key text, geometry jsonb)),
     p as (select key, st_makevalid(st_transform(st_setsrid(st_geomfromgeojson(geometry), 4326), $1::int)) as geom
             from jsonb_to_recordset($3::jsonb) as x(key text, geometry jsonb)),
     outline as (select st_unaryunion(st_collect(st_makepolygon(st_exteriorring(d.geom))), ${GRID}) as geom
                   from (select (st_dump(st_unaryunion(st_collect(geom), ${GRID}))).geom from s) d),
     lines as (select st_unaryunion(st_collect(g), ${GRID}) as g from (
                 select st_boundary(geom) as g from s
                 union all select st_boundary(p.geom) from p) x),
     faces as (select (st_dump(st_polygonize(g))).geom as geom from lines),
     labelled as (
       select f.geom, st_pointonsurface(f.geom) as pt from faces f, outline o
        where st_area(f.geom) > 0 and st_contains(o.geom, st_pointonsurface(f.geom)))
     insert into draw_cells (code, label, geom, area)
     select coalesce((select s.key from s where st_contains(s.geom, l.pt) order by s.key limit 1), ''),
            (select p.key from p where st_contains(p.geom, l.pt) order by p.key limit 1),
            l.geom, st_area(l.geom)
       from labelled l`,
    [srid, JSON.stringify(streets), JSON.stringify(communities)],
  );
  await db.exec('analyze draw_cells');
}

/** Gives cells a new code and label (gap faces take their neighbour's). */
export async function setCellCodes(db: Queryable, mapping: readonly { id: number; code: string; label: string | null }[]): Promise<void> {
  if (!mapping.length) return;
  await db.query(
    `update draw_cells c set code = m.code, label = m.label from jsonb_to_recordset($1::jsonb) as m(id bigint, code text, label text) where c.id = m.id`,
    [JSON.stringify(mapping)],
  );
}

/** All cells with the given code, as merge candidates against neighbours of any code (for gap faces). */
export async function gapCandidates(db: Queryable): Promise<{ id: number; into_code: string | null; into_label: string | null }[]> {
  const { rows } = await db.query<{ id: number; into_code: string | null; into_label: string | null }>(
    `select a.id::int as id, b.code as into_code, b.label as into_label
       from draw_cells a
       left join lateral (
         select b.code, b.label from draw_cells b
          where b.code <> '' and st_dwithin(a.geom, b.geom, 1)
          order by st_length(st_collectionextract(st_intersection(a.geom, b.geom, ${GRID}), 2)) desc, b.id limit 1) b on true
      where a.code = ''`,
  );
  return rows;
}

/** Unions the cells of each (code, label) and splits the result into connected parts: one cell per part. */
export async function dissolveByLabel(db: Queryable): Promise<void> {
  await db.exec(`
    with g as (select code, label, st_unaryunion(st_collect(geom), ${GRID}) as geom from draw_cells group by code, label),
    del as (delete from draw_cells returning 1)
    insert into draw_cells (code, label, geom, area)
    select g.code, g.label, d.geom, st_area(d.geom) from g cross join lateral st_dump(g.geom) d where (select count(*) from del) >= 0;
    analyze draw_cells;`);
}

/** Cells without a label (a street's space outside every community polygon) or below `below` m². */
export async function orphanCandidates(db: Queryable, below: number, nearM: number): Promise<MergeCandidate[]> {
  const { rows } = await db.query<MergeCandidate>(
    `select a.id::int as id, case when a.label is null then 0 else a.area end as area, ${KEY('a')},
            coalesce(jsonb_agg(jsonb_build_object('id', b.id, 'area', b.area, 'shared', b.shared, 'dist', b.dist, 'x', b.x, 'y', b.y)
                               order by b.shared desc, b.dist, b.x, b.y) filter (where b.id is not null), '[]'::jsonb) as neighbours
       from draw_cells a
       left join lateral (
         select b.id::int as id, case when b.label is null then 0 else b.area end as area,
                ${SHARED} as shared, st_distance(a.geom, b.geom) as dist, ${KEY('b')}
           from draw_cells b
          where b.id <> a.id and b.code = a.code and st_dwithin(a.geom, b.geom, $2::float8)) b on true
      where a.label is null or a.area < $1::float8
      group by a.id order by a.id`,
    [below, nearM],
  );
  return rows;
}

export type DrawnRegion = { code: string; label: string | null; area: number; wgs84: string };

/** The dissolved regions per (code, label), as WGS84 multipolygons in hex EWKB (exact, unlike text). */
export async function regionsByLabel(db: Queryable): Promise<DrawnRegion[]> {
  const { rows } = await db.query<DrawnRegion>(
    `select code, label, st_area(g) as area, encode(st_asewkb(st_multi(st_transform(g, 4326))), 'hex') as wgs84
       from (select code, label, st_collectionextract(st_unaryunion(st_collect(geom), ${GRID}), 3) as g from draw_cells group by code, label) s
      order by code, label`,
  );
  return rows;
}

export type RegionRow = { code: string; level: 'district' | 'street' | 'community'; name: string; parent_code: string | null; geom: string };

/** Upserts regions parents first; geom is WGS84 hex EWKB; area_m2 is geodesic. */
export async function upsertRegions(db: Queryable, rows: readonly RegionRow[]): Promise<void> {
  for (const level of ['district', 'street', 'community'] as const) {
    const list = rows.filter((r) => r.level === level);
    if (!list.length) continue;
    await db.query(
      `insert into regions (code, level, name, parent_code, geom, area_m2)
       select r.code, r.level, r.name, r.parent_code, st_multi(r.geom::geometry), st_area(r.geom::geometry::geography)
         from jsonb_to_recordset($1::jsonb) as r(code text, level text, name text, parent_code text, geom text)
       on conflict (code) do update set level = excluded.level, name = excluded.name, parent_code = excluded.parent_code,
         geom = excluded.geom, area_m2 = excluded.area_m2`,
      [JSON.stringify(list)],
    );
  }
  if (rows.length) await noteTileSets(db, REGION_TILE_SETS);
}

/** Hex EWKB of the union of hex EWKB polygons (a street from its communities, the district from its streets). */
export async function unionWkb(db: Queryable, ewkts: readonly string[]): Promise<string> {
  const { rows } = await db.query<{ g: string }>(
    `select encode(st_asewkb(st_multi(st_unaryunion(st_collect(g::geometry), ${GRID_DEGREES}))), 'hex') as g from unnest($1::text[]) g`,
    [ewkts],
  );
  return one(rows, 'joining regions').g;
}

/**
 * Street centre-lines into places (kind 'road'), skipping any road already there with the same name and geometry,
 * so a second load adds nothing. Returns the rows added.
 */
export async function insertRoads(db: Queryable, roads: readonly { name: string; geometry: GeoJsonGeometry }[]): Promise<number> {
  // The new roads found first, then inserted, in two statements: on Citus, where places is a reference table, an
  // insert selecting from itself with `not exists` is refused, and as a modifying CTE with an anti-join it inserted
  // nothing at all (Citus 13.0.5; docs/citus.md).
  const { rows: fresh } = await db.query<{ i: number }>(
    `select (e.i - 1)::int as i
       from jsonb_array_elements($1::jsonb) with ordinality as e(r, i)
      cross join lateral (select st_setsrid(st_geomfromgeojson(e.r -> 'geometry'), 4326) as geom) g
      where not exists (select 1 from places q where q.kind = 'road' and q.name = e.r ->> 'name' and q.geom ~= g.geom and st_equals(q.geom, g.geom))
      order by e.i`,
    [JSON.stringify(roads)],
  );
  if (!fresh.length) return 0;
  await db.query(
    `insert into places (kind, name, geom)
     select 'road', x.name, st_setsrid(st_geomfromgeojson(x.geometry), 4326)
       from jsonb_to_recordset($1::jsonb) as x(name text, geometry jsonb)`,
    [JSON.stringify(fresh.map(({ i }) => roads[Number(i)]))],
  );
  await noteTileSets(db, ['basemap']); // roads are drawn in the basemap (the trigger of 0028 until 0060)
  return fresh.length;
}

/** Current grids under the given region codes (prefixes) as a GeoJSON FeatureCollection text, by code. */
export async function currentGridsGeoJson(db: Queryable, prefixes: readonly string[]): Promise<{ count: number; text: string }> {
  const { rows } = await db.query<{ f: string }>(
    `select json_build_object('type', 'Feature', 'id', code,
              'properties', json_build_object('code', code, 'community_code', community_code, 'area_m2', round(area_m2::numeric, 1),
                                              'valid_from', to_char(valid_from, 'YYYY-MM-DD')),
              'geometry', st_asgeojson(geom, 7)::json)::text as f
       from grids
      where valid_to is null and exists (select 1 from unnest($1::text[]) p where grids.code like p || '%')
      order by code`,
    [prefixes],
  );
  return { count: rows.length, text: '{"type":"FeatureCollection","features":[\n' + rows.map((r) => r.f).join(',\n') + '\n]}\n' };
}
