-- The tile-cache generations of grids and regions leave their triggers (issue 12, docs/citus.md "the plan", step 1):
-- every writer of grids and regions bumps the sets and sends the NOTIFY itself, in the writing transaction, through
-- one function (server/db/tiles.ts bumpTileSets: the same sets as the triggers of 0028/0043, the same
-- 'tile_generations' channel and '<set>:<gen>' payload as 0040, no tile_changes row). Citus runs no trigger of a
-- reference or distributed table on the coordinator, and regions becomes a reference table, grids a distributed
-- one. Dropped on every engine, so PGlite, PostgreSQL and Citus run one schema and one code path. A write made
-- outside the application (psql) no longer moves the generations: bump them by hand, or restart the servers.
drop trigger grids_tile_generation on grids;
drop trigger grids_tile_generation_truncate on grids;
drop trigger regions_tile_generation on regions;
drop trigger regions_tile_generation_truncate on regions;
