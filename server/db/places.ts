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
