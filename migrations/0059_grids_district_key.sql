-- grids takes the shape a Citus distributed table needs (issue 12, docs/citus.md "the plan", the grids row), on
-- every engine: district_code and street_code become plain columns that the writers fill, held to the code by
-- checks (they were `generated always as (left(code, 6|9)) stored`); id comes from a sequence default instead of
-- an identity; the primary key and the unique constraints carry district_code (equivalent keys: district_code is
-- a function of code). Citus refuses `drop expression` and `drop identity` on a Citus table (a Citus local one
-- included), and to distribute a table that ever had an identity column, and a database distributed before this
-- migration must take it in place: so a new table is built, the rows copied with their ids, the old table dropped
-- and the new one renamed, with the old names of its constraints and indexes, its comment and the sequence's
-- position. On Citus the order matters (tried on a coordinator distributed before 0059): the new table takes its
-- foreign key to regions (a reference table there, which makes it a Citus local table) and its serial sequence
-- when it is created; adding either later in this transaction, after the old table's drop, is cancelled as a
-- distributed deadlock, and a sequence used by a Citus table can be renamed but not altered otherwise (no `owned
-- by`: serial's is). Nothing depends on grids (no view, no foreign key to it, no SQL function body; the plpgsql
-- triggers of components and cases find it by name when they run; no grant, no CLUSTER). The distribution step
-- (server/db/distribute.ts) then distributes it by district_code, co-located with component_sequences.
create table grids_new (
  id               bigserial not null, -- a sequence default, not an identity: see above
  code             text not null constraint grids_code_check check (code ~ '^[0-9]{12}(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})$'),
  community_code   text not null constraint grids_community_code_fkey references regions (code) on delete restrict,
  street_code      text not null,
  district_code    text not null,
  geom             geometry(MultiPolygon, 4326) not null,
  area_m2          double precision not null constraint grids_area_m2_check check (area_m2 > 0),
  land_use         text,
  management_level text,
  responsible_body text not null default '属地',
  valid_from       date not null,
  valid_to         date,
  constraint grids_community_of_code check (community_code = left(code, 12)),
  constraint grids_street_of_code check (street_code = left(code, 9)),
  constraint grids_district_of_code check (district_code = left(code, 6)),
  constraint grids_valid_range check (valid_to is null or valid_to > valid_from)
);
insert into grids_new (id, code, community_code, street_code, district_code, geom, area_m2, land_use, management_level,
                       responsible_body, valid_from, valid_to)
select id, code, community_code, left(code, 9), left(code, 6), geom, area_m2, land_use, management_level,
       responsible_body, valid_from, valid_to
  from grids order by id;
-- The last id handed out, so none is handed out twice (ids are never reused: db/stats.ts fingerprints by them): the
-- identity's position or the highest id, whichever is higher (on a Citus local table the rows were numbered by its
-- shard's identity, and the table's own sequence may not have moved).
with used as (select coalesce(max(id), 0) as n from grids_new
              union all
              select case when is_called then last_value else 0 end from grids_id_seq)
select setval('grids_new_id_seq', greatest(max(n), 1), max(n) > 0) from used;
drop table grids;
alter table grids_new rename to grids;
alter sequence grids_new_id_seq rename to grids_id_seq;
alter table grids add constraint grids_pkey primary key (district_code, id);
-- code first, district_code last: a lookup by code alone (a grid's detail, a search) still uses them, and the
-- in-district locate keeps the GiST index rather than a btree led by district_code.
alter table grids add constraint grids_code_valid_from_key unique (code, valid_from, district_code);
create unique index grids_current_code on grids (code, district_code) where valid_to is null;
create index grids_geom on grids using gist (geom);
create index grids_community on grids (community_code);
-- The grid tool ends and deletes grids by id (db/drawing.ts), without their district.
create index grids_id on grids (id);
comment on table grids is E'Unit grids (单元网格); 15-digit code = community (12) + sequence (3); domain.md §1. district_code and street_code are the code''s first 6 and 9 digits, written by every writer, held by checks; distributed by district_code on Citus (docs/citus.md).';
