-- The tile-generation triggers of 0028 on grids, regions and components fire for `insert or update or delete or
-- truncate` in one trigger. On a Citus coordinator those tables are Citus local tables (linked by foreign keys to
-- the reference tables, docs/citus.md): a write runs on the table's shard, which carries a copy of each trigger,
-- but Citus copies no trigger that has a TRUNCATE event, so there grids, regions and components were written
-- without bumping their tile sets and a cached tile outlived the change. Each becomes two triggers: the same name
-- for insert, update and delete (copied to the shard, firing as before), and a truncate trigger of its own.
-- Same bumps on PostgreSQL and PGlite; the names of 0028 stay, so the order triggers fire in is unchanged.
drop trigger components_tile_generation on components;
create trigger components_tile_generation after insert or update or delete on components
  for each statement execute function tile_generations_bump('components');
create trigger components_tile_generation_truncate after truncate on components
  for each statement execute function tile_generations_bump('components');

drop trigger grids_tile_generation on grids;
create trigger grids_tile_generation after insert or update or delete on grids
  for each statement execute function tile_generations_bump('grids', 'components', 'cases');
create trigger grids_tile_generation_truncate after truncate on grids
  for each statement execute function tile_generations_bump('grids', 'components', 'cases');

drop trigger regions_tile_generation on regions;
create trigger regions_tile_generation after insert or update or delete on regions
  for each statement execute function tile_generations_bump('grids', 'components', 'cases', 'basemap');
create trigger regions_tile_generation_truncate after truncate on regions
  for each statement execute function tile_generations_bump('grids', 'components', 'cases', 'basemap');
