-- Bulk import at the speed of COPY (issue 12): the per-grid component counts of 0008 cost the import more than its
-- own rows did. Every statement writing components upserted one grid_component_counts row per (grid, major class)
-- it touched, computing the grid's point on surface for each even when the row existed, and each upsert wrote a
-- new row version into full pages, so also a new entry into both indexes. Now existing rows are updated in place
-- (no point computed), only missing ones are inserted (point computed once for them), and the pages keep room for
-- those updates (fillfactor 50, so they are HOT: no index entry written). Same counts, same rows.
alter table grid_component_counts set (fillfactor = 50);
cluster grid_component_counts using grid_component_counts_pkey; -- rewrites the pages already full (a small table)

create or replace function grid_component_counts_apply() returns trigger language plpgsql volatile as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    update grid_component_counts k set n = k.n - d.n
      from (select grid_code, left(class_code, 2) as major_code, count(*)::int as n
              from old_rows where grid_code is not null group by 1, 2) d
     where k.grid_code = d.grid_code and k.major_code = d.major_code;
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    update grid_component_counts k set n = k.n + a.n
      from (select grid_code, left(class_code, 2) as major_code, count(*)::int as n
              from new_rows where grid_code is not null group by 1, 2) a
     where k.grid_code = a.grid_code and k.major_code = a.major_code;
    -- The rest are new here (this statement sees the update above); one inserted meanwhile by another
    -- transaction is added to by the on conflict clause.
    insert into grid_component_counts as k (grid_code, major_code, n, pt)
    select a.grid_code, a.major_code, a.n,
           (select st_pointonsurface(g.geom) from grids g where g.code = a.grid_code and g.valid_to is null)
      from (select grid_code, left(class_code, 2) as major_code, count(*)::int as n
              from new_rows where grid_code is not null group by 1, 2) a
     where not exists (select 1 from grid_component_counts k2 where k2.grid_code = a.grid_code and k2.major_code = a.major_code)
    on conflict (grid_code, major_code) do update set n = k.n + excluded.n;
  end if;
  delete from grid_component_counts where n = 0;
  return null;
end $$;
