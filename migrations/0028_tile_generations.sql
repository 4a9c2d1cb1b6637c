-- Tile cache generations (issue 10, "Tiles"): one counter per tile set, bumped by statement-level triggers in the
-- very transaction that changes what a tile of that set shows. The tile cache (server/services/tile-cache.ts)
-- remembers the generation each tile was drawn at and reads the counter (one primary-key row) on every request, so
-- a tile drawn before a change is never served after the change commits, by any server process on the database,
-- and never before it commits (MVCC: an uncommitted bump is invisible). Triggers rather than calls in services:
-- every write (the API, imports, the demo loader, psql) is covered, including ones written later.
-- Which tables feed which set is read off server/db/tiles.ts tileLayers: grids draws grids and communities
-- (regions); components draws components, grid_component_counts and, below z13, grids and regions; cases draws
-- cases and places its clusters on grids and regions; basemap draws regions and roads (places).
-- Case writes already serialise on the live-event advisory lock (db/cases.ts appendEvent), so the row lock the
-- bump holds to commit costs them no extra concurrency; other writers are bulk and rare.
create table tile_generations (
  tile_set text primary key check (tile_set in ('grids', 'components', 'basemap', 'cases')),
  gen      bigint not null default 0
);
comment on table tile_generations is E'Tile cache generation per tile set (瓦片缓存代数), bumped by triggers on every table a tile is drawn from; issue 10.';
insert into tile_generations (tile_set) values ('grids'), ('components'), ('basemap'), ('cases');

-- tg_argv: the tile sets the table feeds. One firing per statement (a COPY of a million rows bumps once). The rows
-- are locked in one order (by name) whatever the table, so two writers bumping overlapping sets cannot deadlock.
create function tile_generations_bump() returns trigger language plpgsql volatile as $$
begin
  perform 1 from tile_generations where tile_set = any (tg_argv) order by tile_set for update;
  update tile_generations set gen = gen + 1 where tile_set = any (tg_argv);
  return null;
end $$;

-- Where each bump of the cases set changed something, so a cache can drop just the tiles over it: the lon/lat
-- extent of the communities of the changed cases (old and new rows) and of the cases themselves. A case shows as
-- a point (z16+), in its grid's cluster (z13–15) and in its community's (z ≤ 12): every tile showing it lies over
-- that extent. A bump without a row here (truncate, a grid or region change) means: anything may have changed.
create table tile_changes (
  tile_set text not null references tile_generations (tile_set) on delete cascade,
  gen      bigint not null,
  min_lon  double precision not null, min_lat double precision not null,
  max_lon  double precision not null, max_lat double precision not null,
  primary key (tile_set, gen)
);
comment on table tile_changes is E'Extent changed by each bump of a tile set''s generation (瓦片变更范围), for precise tile cache invalidation; the last 10,000 per set are kept. Issue 10.';

create function cases_tile_change() returns trigger language plpgsql volatile as $$
declare
  g bigint;
  e box2d;
begin
  -- The extent of the changed cases' points and communities (old and new rows); an update counts only where a
  -- column a case tile reads differs (a note, a photo or the version alone changes no tile).
  if tg_op = 'INSERT' then
    select st_extent(x.geom) into e
      from (select geom from new_rows
            union all select r.geom from regions r where r.code in (select community_code from new_rows)) x;
  elsif tg_op = 'DELETE' then
    select st_extent(x.geom) into e
      from (select geom from old_rows
            union all select r.geom from regions r where r.code in (select community_code from old_rows)) x;
  else
    with changed as (
      select x.geom, x.community_code
        from new_rows n join old_rows o on o.id = n.id,
             lateral (values (n.geom, n.community_code), (o.geom, o.community_code)) x(geom, community_code)
       where (n.case_no, n.status, n.source, n.class_code, n.grid_code, n.community_code, n.yellow_at, n.red_at, n.origin, n.created_at)
             is distinct from (o.case_no, o.status, o.source, o.class_code, o.grid_code, o.community_code, o.yellow_at, o.red_at, o.origin, o.created_at)
          or not st_equals(n.geom, o.geom))
    select st_extent(x.geom) into e
      from (select geom from changed
            union all select r.geom from regions r where r.code in (select community_code from changed)) x;
  end if;
  if e is null then return null; end if; -- no row changed: no tile either
  update tile_generations set gen = gen + 1 where tile_set = 'cases' returning gen into g;
  insert into tile_changes (tile_set, gen, min_lon, min_lat, max_lon, max_lat)
  values ('cases', g, st_xmin(e), st_ymin(e), st_xmax(e), st_ymax(e));
  delete from tile_changes where tile_set = 'cases' and gen <= g - 10000;
  return null;
end $$;

-- A trigger with transition tables has one event and no column list: three of them, the update one filtering itself.
create trigger cases_tile_change_insert after insert on cases
  referencing new table as new_rows for each statement execute function cases_tile_change();
create trigger cases_tile_change_delete after delete on cases
  referencing old table as old_rows for each statement execute function cases_tile_change();
create trigger cases_tile_change_update after update on cases
  referencing old table as old_rows new table as new_rows for each statement execute function cases_tile_change();
create trigger cases_tile_generation_truncate after truncate on cases
  for each statement execute function tile_generations_bump('cases');

create trigger components_tile_generation after insert or update or delete or truncate on components
  for each statement execute function tile_generations_bump('components');
create trigger grid_component_counts_tile_generation after insert or update or delete or truncate on grid_component_counts
  for each statement execute function tile_generations_bump('components');

create trigger grids_tile_generation after insert or update or delete or truncate on grids
  for each statement execute function tile_generations_bump('grids', 'components', 'cases');

create trigger regions_tile_generation after insert or update or delete or truncate on regions
  for each statement execute function tile_generations_bump('grids', 'components', 'cases', 'basemap');

create trigger places_tile_generation after insert or update or delete or truncate on places
  for each statement execute function tile_generations_bump('basemap');
