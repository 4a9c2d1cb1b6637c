-- Grid-level statistics (docs/leader-api.md §Statistics): cases reported per unit grid and UTC day, kept by
-- statement-level triggers (one firing per statement, so a COPY of a year of history updates the counts once).
-- The choropleth of a period sums the whole UTC days of the period here and counts the partial days at either end
-- (the district's local midnight is not UTC midnight) from `cases` by its created_at index, so its figures are
-- exactly those of counting `cases`, at a fraction of the rows (one row per grid and day instead of one per case).
-- Filters by class or channel count `cases` directly. Rows whose n fell to 0 are kept (harmless to a sum; deleting
-- them would need a scan of the whole table per statement).
create table case_grid_days (
  day       date not null,          -- UTC date of cases.created_at
  grid_code text not null,
  n         integer not null check (n >= 0),
  primary key (day, grid_code)
);
comment on table case_grid_days is E'Cases reported per unit grid and UTC day (案件网格日统计), maintained by triggers on cases; docs/leader-api.md §Statistics.';

create function case_grid_days_apply() returns trigger language plpgsql volatile as $$
begin
  if tg_op = 'INSERT' then
    insert into case_grid_days as k (day, grid_code, n)
    select (created_at at time zone 'UTC')::date, grid_code, count(*)::int from new_rows group by 1, 2
    on conflict (day, grid_code) do update set n = k.n + excluded.n;
  elsif tg_op = 'DELETE' then
    update case_grid_days k set n = k.n - d.n
      from (select (created_at at time zone 'UTC')::date as day, grid_code, count(*)::int as n from old_rows group by 1, 2) d
     where k.day = d.day and k.grid_code = d.grid_code;
  else
    -- Only rows whose grid or report time changed move a count; a workflow step (status, deadlines) nets to nothing.
    -- Decrements update existing rows, increments upsert (a negative row must never be proposed for insertion).
    update case_grid_days k set n = k.n + d.n
      from (select day, grid_code, sum(n)::int as n
              from (select (created_at at time zone 'UTC')::date as day, grid_code, 1 as n from new_rows
                    union all
                    select (created_at at time zone 'UTC')::date, grid_code, -1 from old_rows) x
             group by 1, 2) d
     where d.n < 0 and k.day = d.day and k.grid_code = d.grid_code;
    insert into case_grid_days as k (day, grid_code, n)
    select d.day, d.grid_code, d.n
      from (select day, grid_code, sum(n)::int as n
              from (select (created_at at time zone 'UTC')::date as day, grid_code, 1 as n from new_rows
                    union all
                    select (created_at at time zone 'UTC')::date, grid_code, -1 from old_rows) x
             group by 1, 2) d
     where d.n > 0
    on conflict (day, grid_code) do update set n = k.n + excluded.n;
  end if;
  return null;
end $$;

create trigger cases_grid_days_insert after insert on cases
  referencing new table as new_rows for each statement execute function case_grid_days_apply();
create trigger cases_grid_days_update after update on cases
  referencing old table as old_rows new table as new_rows for each statement execute function case_grid_days_apply();
create trigger cases_grid_days_delete after delete on cases
  referencing old table as old_rows for each statement execute function case_grid_days_apply();

insert into case_grid_days (day, grid_code, n)
select (created_at at time zone 'UTC')::date, grid_code, count(*)::int from cases group by 1, 2;

-- The trend's closed counts by closing time (filed_at and created_at have indexes from 0014).
create index cases_stats_closed_at on cases (closed_at) where closed_at is not null;
