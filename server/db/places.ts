// Places (地名地址): the only SQL for `places`. docs/domain.md §5.
import type { Queryable } from './types.js';
import { prepared } from './prepared.js';

const NEAREST_ROAD = prepared(`
  select name, round(st_distance(geom::geography, st_setsrid(st_makepoint($1, $2), 4326)::geography))::int as distance_m
    from places
   where kind in ('road', 'lane')
   order by geom <-> st_setsrid(st_makepoint($1::float8, $2::float8), 4326)
   limit 1`);

/** The nearest named road to a point (KNN on the GiST index), or null when there are none. */
export async function nearestRoad(db: Queryable, lon: number, lat: number): Promise<{ name: string; distance_m: number } | null> {
  const { rows } = await db.query<{ name: string; distance_m: number }>(NEAREST_ROAD, [lon, lat]);
  return rows[0] ?? null;
}

export type PlaceGrid = { code: string; responsibility_code: string | null; community_name: string | null; street_name: string | null };

const GRID_AT = prepared(`
  select g.code, m.responsibility_code, c.name as community_name, s.name as street_name
    from grids g
    left join responsibility_grid_members m on m.grid_code = g.code
    left join regions c on c.code = g.community_code
    left join regions s on s.code = g.street_code
   where g.valid_to is null
     and st_covers(g.geom, st_setsrid(st_makepoint($1::float8, $2::float8), 4326))
   order by g.code
   limit 1`);

/** The current unit grid at a point with its responsibility grid and the names of its community and street (街道); null outside every grid. */
export async function gridAt(db: Queryable, lon: number, lat: number): Promise<PlaceGrid | null> {
  const { rows } = await db.query<PlaceGrid>(GRID_AT, [lon, lat]);
  return rows[0] ?? null;
}

const SEARCH = prepared(`
  select name, kind, st_x(p) as lon, st_y(p) as lat
    from (select name, min(kind) as kind, st_closestpoint(st_collect(geom), st_centroid(st_collect(geom))) as p
            from places
           where name ilike '%' || $1::text || '%' escape '\\'
           group by name) s
   order by (name ilike $1::text || '%' escape '\\') desc, length(name), name
   limit $2::int`);

/** Named places (roads, lanes, doorplates, points of interest) whose name contains `text`, names starting with it
 * first: one point on each (a road's: the point of it nearest its middle). For an address said over the phone. */
export async function search(db: Queryable, text: string, limit: number): Promise<{ name: string; kind: string; lon: number; lat: number }[]> {
  const like = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  const { rows } = await db.query<{ name: string; kind: string; lon: number; lat: number }>(SEARCH, [like, limit]);
  return rows;
}
