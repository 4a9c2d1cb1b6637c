-- The per-grid counts leave the triggers (issue 12, docs/citus.md "The plan", step 3): Citus runs no trigger on a
-- distributed table, and 0008/0017's statement triggers on components and cases kept grid_component_counts and
-- case_grid_days. Dropped on every engine; the writers of components and cases keep both in their transaction,
-- set-based (server/db/grid-counts.ts). Both get district_code, in their keys, so they can be distributed with
-- components and cases; both are recounted here from the base tables, so they are exact after this migration.
-- case_grid_days stays a table: counting the cases themselves (an index-only scan of a covering index) measured
-- 49–61 ms for a district's year at the province bench's density (one case per grid-day: the rollup saves nothing,
-- 55–58 ms) but 0.9–2.0 s against 0.13–0.24 s from the rollup at the evaluation bench's (1,000,000 cases a year in
-- 2,000 grids, ~2 cases per grid-day): over the choropleth's 500 ms target.
drop trigger components_counts_insert on components;
drop trigger components_counts_update on components;
drop trigger components_counts_delete on components;
drop function grid_component_counts_apply();
drop trigger cases_grid_days_insert on cases;
drop trigger cases_grid_days_update on cases;
drop trigger cases_grid_days_delete on cases;
drop function case_grid_days_apply();

-- The recounts: each statement reads one of components, cases, grids or the counts (temporary tables between), so
-- they run as well on a Citus database whose grids, components or cases were distributed before this migration.
create temporary table counts_0061 on commit drop as
  select district_code, grid_code, left(class_code, 2) as major_code, count(*)::int as n
    from components where grid_code is not null group by 1, 2, 3;
create temporary table points_0061 on commit drop as
  select code, st_pointonsurface(geom) as pt from grids where valid_to is null;
alter table grid_component_counts add column district_code text;
delete from grid_component_counts;
alter table grid_component_counts drop constraint grid_component_counts_pkey;
insert into grid_component_counts (district_code, grid_code, major_code, n, pt)
  select c.district_code, c.grid_code, c.major_code, c.n, p.pt
    from counts_0061 c left join points_0061 p on p.code = c.grid_code;
alter table grid_component_counts alter column district_code set not null;
alter table grid_component_counts add primary key (district_code, grid_code, major_code);
cluster grid_component_counts using grid_component_counts_pkey;
comment on table grid_component_counts is E'Components per unit grid and major class (部件统计) with the grid''s label point; kept by the writers of components (server/db/grid-counts.ts), 0061.';

create temporary table days_0061 on commit drop as
  select district_code, (created_at at time zone 'UTC')::date as day, grid_code, count(*)::int as n from cases group by 1, 2, 3;
alter table case_grid_days add column district_code text;
delete from case_grid_days;
alter table case_grid_days drop constraint case_grid_days_pkey;
insert into case_grid_days (district_code, day, grid_code, n) select district_code, day, grid_code, n from days_0061;
alter table case_grid_days alter column district_code set not null;
alter table case_grid_days add primary key (district_code, day, grid_code);
create index case_grid_days_day on case_grid_days (day); -- a choropleth of every district (no region) reads days
comment on table case_grid_days is E'Cases reported per district, UTC day and unit grid (案件网格日统计), kept by the writers of cases (server/db/grid-counts.ts), 0061; docs/leader-api.md §Statistics.';
