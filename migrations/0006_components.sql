-- Components (管理部件): domain.md §3, GB/T 47678.5-2026 table 2.
create table components (
  id                        text primary key check (id ~ '^[0-9]{17}$' and right(id, 6) <> '000000'),
  class_kind                text not null default 'component' check (class_kind = 'component'),
  class_code                text not null,
  district_code             text not null,
  supervising_department_id bigint references departments (id) on delete set null,
  owner_department_id       bigint references departments (id) on delete set null,
  maintainer_department_id  bigint references departments (id) on delete set null,
  status                    text not null default 'intact' check (status in ('intact', 'damaged', 'missing', 'abandoned', 'removed')),
  survey_date               date not null,
  change_date               date,
  data_source               text check (data_source in ('survey', 'topographic_map', 'base_geodata', 'other')),
  note                      text,
  grid_code                 text,
  community_code            text,
  street_code               text,
  source_id                 text,
  geom                      geometry(Geometry, 4326) not null check (geometrytype(geom) in ('POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON')),
  attrs                     jsonb not null default '{}'::jsonb,
  check (substr(id, 7, 5) = class_code and left(id, 6) = district_code),
  foreign key (class_kind, class_code) references classes (kind, code) on delete restrict
);
create index components_geom on components using gist (geom);
create index components_grid on components (grid_code);
create index components_class on components (class_code);
create unique index components_source on components (source_id) where source_id is not null;
comment on table components is E'Components (管理部件); 17-digit id = district (6) + class (5) + sequence (6); domain.md §3.';

create table component_sequences (
  district_code text not null,
  class_code    text not null,
  last_seq      integer not null check (last_seq between 0 and 999999),
  primary key (district_code, class_code)
);
comment on table component_sequences is E'Last sequence number used per district and class, for 17-digit component ids.';
