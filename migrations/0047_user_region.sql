-- A user's region (issue 12, "Many districts"): the district, street or community code a user works in; the user's
-- district is left(region_code, 6). Null: a user of every district in the database (a city's or a province's
-- centre, and every user of a one-district database, so nothing changes there). The hot paths (the case list, a
-- case by id, the wall feed, intake, duplicates) filter on that district, which is what lets Citus send them to one
-- shard (docs/citus.md, "Multi-district queries"). No foreign key to regions: regions are reloaded by the loaders and
-- become a reference table; the code's shape is checked here, its district by the services.
alter table users add column region_code text
  check (region_code ~ '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$');
comment on column users.region_code is E'The district (6 digits), street (9) or community (12) the user works in; its district is left(region_code, 6); null = every district.';
