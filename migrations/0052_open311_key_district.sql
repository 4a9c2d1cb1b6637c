-- An Open311 API key bound to one district (issue 12, several districts in one database): a client system of one
-- district's hotline or app posts only within that district (a point elsewhere is refused, naming its district) and
-- its GETs answer that district's requests only. Null: a key of every district, as every key issued before.
-- No foreign key to regions, as users.region_code (0047): regions are reloaded by the loaders and become a reference
-- table on Citus; the shape is checked here, that the district exists by services/open311.ts when the key is issued.
-- The column and its check in two statements: Citus refuses ADD COLUMN with a constraint on a Citus table.
alter table open311_keys add column district_code text;
alter table open311_keys add constraint open311_keys_district_code_check check (district_code ~ '^[0-9]{6}$');
comment on column open311_keys.district_code is E'The district (6 digits) the key\'s client system reports in and reads; null = every district.';
