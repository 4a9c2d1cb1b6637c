-- Places for geocoding (地理编码): domain.md §5. Roads (street centre-lines) now; door plates and POIs later.
create table places (
  id      bigint generated always as identity primary key,
  kind    text not null check (kind in ('road', 'lane', 'doorplate', 'poi', 'area')),
  name    text not null,
  aliases text[] not null default '{}',
  geom    geometry(Geometry, 4326) not null
);
create index places_geom on places using gist (geom);
create index places_kind_name on places (kind, name);
comment on table places is E'Places (地名地址): roads, lanes, door plates, POIs; domain.md §5.';
