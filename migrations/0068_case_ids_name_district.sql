-- Case ids name their district (issue 12, server/domain/case-ids.ts): the application makes every new case id an
-- RFC 9562 UUIDv8 whose first six hex digits are the case's district code, so a read or an action by case id alone
-- (a user of every district) names the district and, on Citus, goes to that district's shard instead of all 32.
-- This check holds the row to its id: an id of that form (version 8, the 15th character; variant 10, the 20th; six
-- decimal digits first: domain/case-ids.ts districtOfCaseId) starts with the case's district_code. Every other id
-- (every v4 one made before, the simulated history's v7 ones) is not read as naming a district and passes as it is.
-- `not valid`: rows already there are neither scanned (no full read of every shard under the migration's lock) nor
-- refused: an id made outside the application (the province bench's md5-derived ids) has that form about once in
-- a thousand; PostgreSQL and Citus check every row inserted or updated from now on. Readers never trust an id over
-- the row: a read by the id's district that finds nothing reads by id alone (db/cases.ts get).
-- One statement each (server/db/migrate.ts: Citus forwards a table's DDL to its shards with the text it came in).
alter table cases add constraint cases_id_names_district
  check (not (substr(id::text, 15, 1) = '8' and substr(id::text, 20, 1) in ('8', '9', 'a', 'b') and left(id::text, 6) ~ '^[0-9]{6}$')
         or left(id::text, 6) = district_code) not valid;
comment on constraint cases_id_names_district on cases is
  'A case id of the form domain/case-ids.ts newCaseId makes (UUIDv8, six digits first) starts with the case''s district_code (migrations/0068): a read by id goes to that district''s shard';
