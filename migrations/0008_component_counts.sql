-- Component counts per unit grid and major class, with the grid's label point, kept by statement-level
-- triggers (one firing per statement, so a COPY of millions of rows updates the counts once). Cluster tiles
-- read these rows by their own spatial index instead of scanning components or joining grids.
create table grid_component_counts (
  grid_code  text not null,
  major_code text not null,
  n          integer not null check (n >= 0),
  pt         geometry(Point, 4326),
  primary key (grid_code, major_code)
);
create index grid_component_counts_pt on grid_component_counts using gist (pt);
comment on table grid_component_counts is E'Components per unit grid and major class (部件统计) with the grid''s label point; maintained by triggers on components.';

create function grid_component_counts_apply() returns trigger language plpgsql volatile as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    update grid_component_counts k set n = k.n - d.n
      from (select grid_code, left(class_code, 2) as major_code, count(*)::int as n
              from old_rows where grid_code is not null group by 1, 2) d
     where k.grid_code = d.grid_code and k.major_code = d.major_code;
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    insert into grid_component_counts as k (grid_code, major_code, n, pt)
    select a.grid_code, a.major_code, a.n,
           (select st_pointonsurface(g.geom) from grids g where g.code = a.grid_code and g.valid_to is null)
      from (select grid_code, left(class_code, 2) as major_code, count(*)::int as n
              from new_rows where grid_code is not null group by 1, 2) a
    on conflict (grid_code, major_code) do update set n = k.n + excluded.n;
  end if;
  delete from grid_component_counts where n = 0;
  return null;
end $$;

create trigger components_counts_insert after insert on components
  referencing new table as new_rows for each statement execute function grid_component_counts_apply();
create trigger components_counts_update after update on components
  referencing old table as old_rows new table as new_rows for each statement execute function grid_component_counts_apply();
create trigger components_counts_delete after delete on components
  referencing old table as old_rows for each statement execute function grid_component_counts_apply();
