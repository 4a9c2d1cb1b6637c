-- Standard classes of GB/T 47678.5-2026 (管理部件 153, 管理事项 250): domain.md §2.
-- Rows are loaded from data/standard/*.csv at startup when the files change (server/services/classes.ts).
create table classes (
  kind               text not null check (kind in ('component', 'matter')),
  code               text not null check (code ~ '^[0-9]{5}$'),
  major_code         text not null check (major_code = left(code, 2)),
  major_name_zh      text not null,
  major_name_en      text not null,
  name_zh            text not null,
  name_en            text not null,
  matter_kind        text check (matter_kind in ('component_anomaly', 'event')),
  typical_department text,
  check ((kind = 'matter') = (matter_kind is not null)),
  primary key (kind, code)
);
comment on table classes is E'Standard component and matter classes (部件、事项分类), GB/T 47678.5-2026; domain.md §2.';

create table data_files (
  name       text primary key,
  sha256     text not null,
  loaded_at  timestamptz not null default now()
);
comment on table data_files is E'Hash of each data file last loaded into the database, so a changed file reloads.';
