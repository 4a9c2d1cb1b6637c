-- The last tile-cache generation triggers go (issue 12, docs/citus.md "The plan", step 1; 0048 did grids and
-- regions): cases, components, grid_component_counts and places. Their writers note the sets they changed, and for
-- cases where (the changed cases' points and communities, old and new), and the writing transaction bumps them all
-- just before it commits, in one order (server/db/tile-bumps.ts: the same '<set>:<gen>' notices as 0040, one
-- generation and one tile_changes row per case-writing statement as 0042's cases_tile_change). Citus runs no trigger
-- on a distributed table, and the triggers locked tile_generations rows in statement order: a transaction writing a
-- component and then a case against one bumping 'cases' then 'components' was a real deadlock. Dropped on every
-- engine, so PGlite, PostgreSQL and Citus run one schema and one code path. A write made outside the application
-- (psql) moves no generation any more: bump by hand (update tile_generations set gen = gen + 1 where tile_set = '…':
-- a step with no tile_changes row, so every cached tile of the set is drawn again), or restart the servers.
drop trigger cases_tile_change_insert on cases;
drop trigger cases_tile_change_delete on cases;
drop trigger cases_tile_change_update on cases;
drop trigger cases_tile_generation_truncate on cases;
drop trigger components_tile_generation on components;
drop trigger components_tile_generation_truncate on components;
drop trigger grid_component_counts_tile_generation on grid_component_counts;
drop trigger places_tile_generation on places;
-- No trigger calls them any more.
drop function cases_tile_change();
drop function tile_generations_bump();
