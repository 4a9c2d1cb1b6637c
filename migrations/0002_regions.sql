-- Administrative hierarchy (区/街道/社区): domain.md §1. Codes: district 6, street 9, community 12 digits.
create table regions (
  code        text primary key,
  level       text not null check (level in ('district', 'street', 'community')),
  name        text not null,
  parent_code text references regions (code) on delete restrict,
  geom        geometry(MultiPolygon, 4326),
  area_m2     double precision,
  check (code ~ '^[0-9]+$'),
  check ((level = 'district' and length(code) = 6 and parent_code is null)
      or (level = 'street' and length(code) = 9 and parent_code = left(code, 6))
      or (level = 'community' and length(code) = 12 and parent_code = left(code, 9)))
);
create index regions_geom on regions using gist (geom);
create index regions_parent on regions (parent_code);
comment on table regions is E'Districts, streets and communities (区、街道、社区); domain.md §1.';
