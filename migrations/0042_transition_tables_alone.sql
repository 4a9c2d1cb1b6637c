-- The statement triggers read their transition tables in statements of their own (issue 12, docs/citus.md): on a
-- Citus coordinator a query that joins a transition table with a table Citus knows fails ("unrecognized RTE kind:
-- 7"), and making the shared tables (classes, departments, users, …) reference tables turns every table linked to
-- them by a foreign key (cases, regions, grids, components, …) into a Citus local table. So each function first
-- reads its transition table alone, into variables (an extent, arrays of keys and counts), then queries or updates
-- the other tables from those variables (`= any (array)`, `unnest(arrays)`). Same results as 0017, 0038 and 0040 on
-- PostgreSQL and PGlite; the transition table is still read once per branch, the counts are grouped as before.

-- 0040's cases_tile_change: the extent of the changed cases' points, then that of their communities, combined.
create or replace function cases_tile_change() returns trigger language plpgsql volatile as $$
declare
  g bigint;
  e box2d;            -- the changed cases' points
  r box2d;            -- their communities
  communities text[];
begin
  -- An update counts only where a column a case tile reads differs (a note, a photo or the version alone changes no
  -- tile); old and new rows both count, as in 0028.
  if tg_op = 'INSERT' then
    select st_extent(geom), array_agg(distinct community_code) into e, communities from new_rows;
  elsif tg_op = 'DELETE' then
    select st_extent(geom), array_agg(distinct community_code) into e, communities from old_rows;
  else
    with changed as (
      select x.geom, x.community_code
        from new_rows n join old_rows o on o.id = n.id,
             lateral (values (n.geom, n.community_code), (o.geom, o.community_code)) x(geom, community_code)
       where (n.case_no, n.status, n.source, n.class_code, n.grid_code, n.community_code, n.yellow_at, n.red_at, n.origin, n.created_at)
             is distinct from (o.case_no, o.status, o.source, o.class_code, o.grid_code, o.community_code, o.yellow_at, o.red_at, o.origin, o.created_at)
          or not st_equals(n.geom, o.geom))
    select st_extent(geom), array_agg(distinct community_code) into e, communities from changed;
  end if;
  if communities is not null then
    select st_extent(geom) into r from regions where code = any (communities);
  end if;
  -- The union of both boxes (least/greatest skip a null side); null when neither has one: no row changed, no tile.
  e := st_makebox2d(st_point(least(st_xmin(e), st_xmin(r)), least(st_ymin(e), st_ymin(r))),
                    st_point(greatest(st_xmax(e), st_xmax(r)), greatest(st_ymax(e), st_ymax(r))));
  if e is null then return null; end if;
  update tile_generations set gen = gen + 1 where tile_set = 'cases' returning gen into g;
  insert into tile_changes (tile_set, gen, min_lon, min_lat, max_lon, max_lat)
  values ('cases', g, st_xmin(e), st_ymin(e), st_xmax(e), st_ymax(e));
  delete from tile_changes where tile_set = 'cases' and gen <= g - 10000;
  perform pg_notify('tile_generations', 'cases:' || g);
  return null;
end $$;

-- 0038's grid_component_counts_apply: the (grid, major class) counts of the transition table into three arrays,
-- then the same updates and insert as 0038 from unnest(…).
create or replace function grid_component_counts_apply() returns trigger language plpgsql volatile as $$
declare
  grid_codes text[];
  major_codes text[];
  ns int[];
begin
  if tg_op in ('UPDATE', 'DELETE') then
    select array_agg(grid_code), array_agg(major_code), array_agg(n) into grid_codes, major_codes, ns
      from (select grid_code, left(class_code, 2) as major_code, count(*)::int as n
              from old_rows where grid_code is not null group by 1, 2) d;
    update grid_component_counts k set n = k.n - d.n
      from unnest(grid_codes, major_codes, ns) d(grid_code, major_code, n)
     where k.grid_code = d.grid_code and k.major_code = d.major_code;
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    select array_agg(grid_code), array_agg(major_code), array_agg(n) into grid_codes, major_codes, ns
      from (select grid_code, left(class_code, 2) as major_code, count(*)::int as n
              from new_rows where grid_code is not null group by 1, 2) a;
    update grid_component_counts k set n = k.n + a.n
      from unnest(grid_codes, major_codes, ns) a(grid_code, major_code, n)
     where k.grid_code = a.grid_code and k.major_code = a.major_code;
    -- The rest are new here (this statement sees the update above); one inserted meanwhile by another
    -- transaction is added to by the on conflict clause.
    insert into grid_component_counts as k (grid_code, major_code, n, pt)
    select a.grid_code, a.major_code, a.n,
           (select st_pointonsurface(g.geom) from grids g where g.code = a.grid_code and g.valid_to is null)
      from unnest(grid_codes, major_codes, ns) a(grid_code, major_code, n)
     where not exists (select 1 from grid_component_counts k2 where k2.grid_code = a.grid_code and k2.major_code = a.major_code)
    on conflict (grid_code, major_code) do update set n = k.n + excluded.n;
  end if;
  delete from grid_component_counts where n = 0;
  return null;
end $$;

-- 0017's case_grid_days_apply: the same shape, so no trigger of ours joins a transition table with a table (ready
-- for case_grid_days to become a Citus table). The (day, grid) deltas into arrays, then the same writes.
create or replace function case_grid_days_apply() returns trigger language plpgsql volatile as $$
declare
  days date[];
  grid_codes text[];
  ns int[];
begin
  if tg_op = 'INSERT' then
    select array_agg(day), array_agg(grid_code), array_agg(n) into days, grid_codes, ns
      from (select (created_at at time zone 'UTC')::date as day, grid_code, count(*)::int as n from new_rows group by 1, 2) d;
    insert into case_grid_days as k (day, grid_code, n)
    select day, grid_code, n from unnest(days, grid_codes, ns) d(day, grid_code, n)
    on conflict (day, grid_code) do update set n = k.n + excluded.n;
  elsif tg_op = 'DELETE' then
    select array_agg(day), array_agg(grid_code), array_agg(n) into days, grid_codes, ns
      from (select (created_at at time zone 'UTC')::date as day, grid_code, count(*)::int as n from old_rows group by 1, 2) d;
    update case_grid_days k set n = k.n - d.n
      from unnest(days, grid_codes, ns) d(day, grid_code, n)
     where k.day = d.day and k.grid_code = d.grid_code;
  else
    -- Only rows whose grid or report time changed move a count; a workflow step (status, deadlines) nets to nothing.
    -- Decrements update existing rows, increments upsert (a negative row must never be proposed for insertion).
    select array_agg(day), array_agg(grid_code), array_agg(n) into days, grid_codes, ns
      from (select day, grid_code, sum(n)::int as n
              from (select (created_at at time zone 'UTC')::date as day, grid_code, 1 as n from new_rows
                    union all
                    select (created_at at time zone 'UTC')::date, grid_code, -1 from old_rows) x
             group by 1, 2) d
     where d.n <> 0;
    update case_grid_days k set n = k.n + d.n
      from unnest(days, grid_codes, ns) d(day, grid_code, n)
     where d.n < 0 and k.day = d.day and k.grid_code = d.grid_code;
    insert into case_grid_days as k (day, grid_code, n)
    select d.day, d.grid_code, d.n from unnest(days, grid_codes, ns) d(day, grid_code, n)
     where d.n > 0
    on conflict (day, grid_code) do update set n = k.n + excluded.n;
  end if;
  return null;
end $$;
