// The SQL of the demo loaders (services/load-district.ts, services/demo-users.ts): regions, road places, unit grids
// and components of a generated district by COPY, component sequences, the demo crew's department and the demo
// inspectors' responsibility grids. Only db/ holds SQL (docs/style.md, the rings).
import type { Queryable } from './types.js';
import { GRID_TILE_SETS, REGION_TILE_SETS } from './tiles.js';
import { noteTileSets } from './tile-bumps.js';
import { copyRows } from './components.js';

export type RegionRow = { code: string; level: 'district' | 'street' | 'community'; name: string; parent_code: string | null; geom: string; area_m2: number };

/** Upserts regions (geom as EWKT), so regions loaded earlier without geometry get one. Parents must come first. */
export async function upsertRegions(db: Queryable, rows: readonly RegionRow[]): Promise<void> {
  await db.query(
    `insert into regions (code, level, name, parent_code, geom, area_m2)
     select r.code, r.level, r.name, r.parent_code, r.geom::geometry, r.area_m2
       from jsonb_to_recordset($1::jsonb) as r(code text, level text, name text, parent_code text, geom text, area_m2 double precision)
     on conflict (code) do update set level = excluded.level, name = excluded.name, parent_code = excluded.parent_code,
       geom = excluded.geom, area_m2 = excluded.area_m2`,
    [JSON.stringify(rows)],
  );
  await noteTileSets(db, REGION_TILE_SETS);
}

/** Adds road centre-lines as places (`geom`: a GeoJSON LineString as text), for the basemap and case locations. */
export async function insertRoads(db: Queryable, roads: readonly { name: string; geom: string }[]): Promise<void> {
  if (!roads.length) return;
  await db.query(
    `insert into places (kind, name, geom)
     select 'road', r.name, st_setsrid(st_geomfromgeojson(r.geom), 4326)
       from jsonb_to_recordset($1::jsonb) as r(name text, geom text)`,
    [JSON.stringify(roads)],
  );
  await noteTileSets(db, ['basemap']);
}

/** Columns of the COPY text of copyGrids, in order. */
export const GRID_COPY_COLUMNS = ['code', 'community_code', 'street_code', 'district_code', 'geom', 'area_m2', 'valid_from'] as const;
/** Columns of the COPY text of copyComponents, in order. */
export const COMPONENT_COPY_COLUMNS = [
  'id', 'class_code', 'district_code', 'status', 'survey_date', 'data_source', 'grid_code', 'community_code', 'street_code', 'geom',
] as const;

/** COPY unit grids (text format, GRID_COPY_COLUMNS). Fails if any grid code already exists. */
export async function copyGrids(db: Queryable, text: string): Promise<void> {
  await db.copyFrom('grids', GRID_COPY_COLUMNS, text);
  await noteTileSets(db, GRID_TILE_SETS);
}

/** COPY components (text format, COMPONENT_COPY_COLUMNS), then their per-grid counts (db/grid-counts.ts). */
export async function copyComponents(db: Queryable, text: string): Promise<void> {
  await copyRows(db, COMPONENT_COPY_COLUMNS, text); // with its per-grid counts
}

/** Raises each class's last component sequence of a district to at least the given one. */
export async function raiseSequences(db: Queryable, district_code: string, seqs: readonly { class_code: string; last_seq: number }[]): Promise<void> {
  if (!seqs.length) return;
  await db.query(
    `insert into component_sequences (district_code, class_code, last_seq)
     select $1, r.class_code, r.last_seq from jsonb_to_recordset($2::jsonb) as r(class_code text, last_seq integer)
     on conflict (district_code, class_code) do update set last_seq = greatest(component_sequences.last_seq, excluded.last_seq)`,
    [district_code, JSON.stringify(seqs)],
  );
}

/**
 * The demo crew's department: the default department of exposed garbage (06010, sanitation 环卫) when the class
 * table has one, else any department whose name starts with "sanitation", else the first department; null when none.
 */
export async function crewDepartment(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ id: number | string | null }>(
    `select coalesce(
       (select department_id from class_departments where kind = 'matter' and class_code = '06010'),
       (select id from departments where name ilike 'sanitation%' order by id limit 1),
       (select id from departments order by id limit 1)) as id`,
  );
  return rows[0].id === null ? null : Number(rows[0].id);
}

/** Which of these users already patrol a responsibility grid. */
export async function inspectorsWithGrids(db: Queryable, ids: readonly number[]): Promise<number[]> {
  const { rows } = await db.query<{ id: number | string }>(
    'select distinct inspector_id as id from responsibility_grids where inspector_id = any ($1::bigint[])', [ids]);
  return rows.map((r) => Number(r.id));
}

/**
 * Current unit grids in no responsibility grid yet, by community then code, with the community's name; at most
 * `limit`. An anti-join, not `not exists`: Citus refused a subquery on the members, a Citus local table then,
 * correlated with the distributed grids (docs/citus.md); with the members a reference table the anti-join runs on
 * each shard against its node's copy.
 */
export async function unassignedGrids(db: Queryable, limit: number): Promise<{ code: string; community_code: string; community_name: string }[]> {
  const { rows } = await db.query<{ code: string; community_code: string; community_name: string }>(
    `select g.code, g.community_code, r.name as community_name
       from grids g join regions r on r.code = g.community_code
       left join responsibility_grid_members m on m.grid_code = g.code
      where g.valid_to is null and m.grid_code is null
      order by g.community_code, g.code
      limit $1`,
    [limit],
  );
  return rows;
}

/** The highest 2-digit sequence of a community's responsibility grids (0 when it has none). */
export async function lastResponsibilitySequence(db: Queryable, community_code: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select coalesce(max(substr(code, 14, 2)::int), 0)::int as n from responsibility_grids where community_code = $1`, [community_code]);
  return rows[0].n;
}

/** Inserts responsibility grids and their unit grids; existing codes and memberships are kept. */
export async function insertResponsibilityGrids(
  db: Queryable,
  grids: readonly { code: string; name: string; community_code: string; inspector_id: number; grids: readonly string[] }[],
): Promise<void> {
  if (!grids.length) return;
  await db.query(
    `insert into responsibility_grids (code, name, community_code, inspector_id)
     select code, name, community_code, inspector_id
       from jsonb_to_recordset($1::jsonb) as r(code text, name text, community_code text, inspector_id bigint)
     on conflict (code) do nothing`,
    [JSON.stringify(grids.map(({ grids: _g, ...r }) => r))],
  );
  await db.query(
    `insert into responsibility_grid_members (responsibility_code, grid_code)
     select r.code, g from jsonb_to_recordset($1::jsonb) as r(code text, grids text[]), unnest(r.grids) as g
     on conflict do nothing`,
    [JSON.stringify(grids.map(({ code, grids: g }) => ({ code, grids: g })))],
  );
}
