-- The tile cache hears generation bumps instead of reading them on every request (issue 10, "Tiles"): both bump
-- functions of 0028 also NOTIFY 'tile_generations' with '<tile_set>:<gen>'. NOTIFY is delivered at commit, in
-- commit order, to every listening session (PostgreSQL: each server process's dedicated LISTEN connection; PGlite:
-- its in-process listen), and never for a rolled-back change. services/tile-generations.ts keeps each set's
-- generation from these; while its listener is down it reads the counter on every request as before.
create or replace function tile_generations_bump() returns trigger language plpgsql volatile as $$
declare
  r record;
begin
  perform 1 from tile_generations where tile_set = any (tg_argv) order by tile_set for update;
  for r in update tile_generations set gen = gen + 1 where tile_set = any (tg_argv) returning tile_set, gen loop
    perform pg_notify('tile_generations', r.tile_set || ':' || r.gen);
  end loop;
  return null;
end $$;

create or replace function cases_tile_change() returns trigger language plpgsql volatile as $$
declare
  g bigint;
  e box2d;
begin
  -- As in 0028: the extent of the changed cases' points and communities (old and new rows); an update counts only
  -- where a column a case tile reads differs.
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
  perform pg_notify('tile_generations', 'cases:' || g);
  return null;
end $$;
