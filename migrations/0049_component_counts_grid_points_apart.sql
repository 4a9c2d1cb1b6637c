-- grid_component_counts_apply (0008/0038/0042) reads the label points of the new counts' grids in a statement of
-- its own, into arrays, before its insert, instead of a subquery on grids per inserted row (issue 12, docs/citus.md
-- "the plan"): with grids a distributed table, Citus refuses a statement mixing it with a local table inside the
-- trigger ("direct joins between distributed and local tables are not supported"), and every component write
-- failed; a query of grids alone runs (tests/server/db/citus.test.ts, on the planned layout). Same counts and points
-- on PGlite and PostgreSQL: a grid without a current version still gets no point (the left join).
create or replace function grid_component_counts_apply() returns trigger language plpgsql volatile as $$
declare
  grid_codes text[];
  major_codes text[];
  ns int[];
  pt_codes text[];
  pts geometry[];
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
    select array_agg(g.code), array_agg(st_pointonsurface(g.geom)) into pt_codes, pts
      from grids g where g.code = any (grid_codes) and g.valid_to is null;
    insert into grid_component_counts as k (grid_code, major_code, n, pt)
    select a.grid_code, a.major_code, a.n, p.pt
      from unnest(grid_codes, major_codes, ns) a(grid_code, major_code, n)
      left join unnest(pt_codes, pts) p(code, pt) on p.code = a.grid_code
     where not exists (select 1 from grid_component_counts k2 where k2.grid_code = a.grid_code and k2.major_code = a.major_code)
    on conflict (grid_code, major_code) do update set n = k.n + excluded.n;
  end if;
  delete from grid_component_counts where n = 0;
  return null;
end $$;
