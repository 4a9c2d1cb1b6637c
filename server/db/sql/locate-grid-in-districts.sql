-- locate-grid.sql within some districts: $1 = lon, $2 = lat, $3 = district codes (text[]). A locate without a
-- district asks only the districts whose extent holds the point (services/grids.ts locate, issue 12): on Citus the
-- array, a parameter (planned with its value: Citus plans no generic plan of a multi-shard statement), prunes to
-- those districts' shards. "order by code" as locate-grid.sql: the lowest code among them.
select code, community_code, street_code, district_code
  from grids
 where district_code = any($3::text[]) and valid_to is null
   and st_covers(geom, st_setsrid(st_makepoint($1::float8, $2::float8), 4326))
 order by code
 limit 1
