-- locate-grid.sql within one district: $1 = lon, $2 = lat, $3 = district code (6 digits). What a district-scoped
-- user's report locates with (issue 12): the district predicate lets Citus send it to the district's shard alone.
select code, community_code, street_code, district_code
  from grids
 where district_code = $3 and valid_to is null
   and st_covers(geom, st_setsrid(st_makepoint($1::float8, $2::float8), 4326))
 order by code
 limit 1
