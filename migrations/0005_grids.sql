-- Unit grids (单元网格) and responsibility grids (责任网格): domain.md §1.
-- Versioned: a redrawn grid gets valid_to and a new row is added; it is never overwritten.
create table grids (
  id               bigint generated always as identity primary key,
  code             text not null check (code ~ '^[0-9]{12}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$'),
  community_code   text not null references regions (code) on delete restrict,
  street_code      text generated always as (left(code, 9)) stored,
  district_code    text generated always as (left(code, 6)) stored,
  geom             geometry(MultiPolygon, 4326) not null,
  area_m2          double precision not null check (area_m2 > 0),
  land_use         text,
  management_level text,
  responsible_body text not null default '属地',
  valid_from       date not null,
  valid_to         date,
  check (community_code = left(code, 12)),
  check (valid_to is null or valid_to > valid_from),
  unique (code, valid_from)
);
create unique index grids_current_code on grids (code) where valid_to is null;
create index grids_geom on grids using gist (geom);
create index grids_community on grids (community_code);
comment on table grids is E'Unit grids (单元网格); 15-digit code = community (12) + sequence (3); domain.md §1.';

create table responsibility_grids (
  code          text primary key check (code ~ '^[0-9]{12}R[0-9]{2}$'),
  name          text not null,
  community_code text not null references regions (code) on delete restrict,
  inspector_id  bigint,
  check (community_code = left(code, 12))
);
comment on table responsibility_grids is E'Responsibility grids (责任网格): unit grids patrolled by one inspector; code = community (12) + R + 2 digits (Gridline''s own format, the standard has none).';

create table responsibility_grid_members (
  responsibility_code text not null references responsibility_grids (code) on delete cascade,
  grid_code           text not null,
  primary key (responsibility_code, grid_code)
);
create unique index responsibility_grid_members_grid on responsibility_grid_members (grid_code);
comment on table responsibility_grid_members is E'Unit grids of each responsibility grid; a unit grid belongs to at most one.';
