-- The current unit grid covering a WGS84 point: $1 = lon, $2 = lat.
-- st_covers (index-aware), not st_contains, so a point on a shared edge still finds a grid;
-- "order by code" makes that edge case deterministic.
select code, community_code, street_code, district_code
  from grids
 where valid_to is null
   and st_covers(geom, st_setsrid(st_makepoint($1::float8, $2::float8), 4326))
 order by code
 limit 1
