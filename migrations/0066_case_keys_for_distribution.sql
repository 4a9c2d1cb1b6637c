-- The case tables take the last shape a Citus distributed table needs (issue 12, docs/citus.md "the plan": the cases
-- and case_trail/case_events rows), on every engine, so that the distribution step (server/db/distribute.ts) can
-- distribute cases, components and every case_* table by district_code, co-located with grids:
--   1. case_trail and case_events: id from a sequence default instead of an identity (Citus distributes no table
--      that ever had an identity column, a dropped one included), primary key (id, district_code). Citus refuses
--      `drop identity` on a Citus table (a Citus local one included: a database distributed before this migration
--      has them so), so, as 0059 did for grids, a new table is built, the rows copied with their ids, the old table
--      dropped and the new one renamed, keeping the names of constraints and indexes, comments, the trigger and
--      the sequence's position. Nothing references either table. On Citus the new table gets its foreign key to
--      cases and its sequence when it is created (0059: added later in the transaction, after the old table's drop,
--      Citus cancels it as a distributed deadlock).
--      The live feed stays resumable by id: its writers take one advisory lock before inserting (db/cases.ts
--      lockCaseWrites) and a sequence default, as the identity was, is evaluated where the insert is planned (on
--      Citus, the coordinator: every case write is a single-shard insert planned there).
--   2. cases: primary key (id, district_code), the unique index 0063 added for the keys carrying the district turned
--      into it (a lookup by id alone keeps it: id comes first); a source's id is unique within a district
--      (source_system, source_id, district_code): the case import reads a source id across districts before it
--      writes (db/import-cases.ts existing) and refuses a re-import that moves a case to another district.
--   3. merged_into's key loses `on delete set null (merged_into)`: Citus refuses SET NULL on a foreign key that
--      holds the distribution column. Nothing in the application deletes cases; a deleter must empty the
--      merged_into of the cases merged into the ones it deletes first (a delete of both in one statement passes).

-- 1. case_trail
create table case_trail_new (
  id            bigserial not null, -- a sequence default, not an identity: see above
  case_id       uuid not null,
  seq           integer not null constraint case_trail_seq_check check (seq >= 1),
  at            timestamptz not null,
  actor         text,
  role          text,
  action        text not null,
  from_status   text,
  to_status     text not null,
  note          text,
  photo_ids     text[],
  deadline_at   timestamptz,
  data          jsonb,
  prev_hash     text not null constraint case_trail_prev_hash_check check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash          text not null constraint case_trail_hash_check check (hash ~ '^[0-9a-f]{64}$'),
  district_code text not null constraint case_trail_district_code_check check (district_code ~ '^[0-9]{6}$'),
  constraint case_trail_case_id_district_code_fkey foreign key (case_id, district_code)
    references cases (id, district_code) on delete restrict
);
insert into case_trail_new (id, case_id, seq, at, actor, role, action, from_status, to_status, note, photo_ids, deadline_at,
                            data, prev_hash, hash, district_code)
select id, case_id, seq, at, actor, role, action, from_status, to_status, note, photo_ids, deadline_at,
       data, prev_hash, hash, district_code
  from case_trail order by id;
-- The last id handed out, so none is handed out twice (the live feed and the trail are read by id): the identity's
-- position or the highest id, whichever is higher.
with used as (select coalesce(max(id), 0) as n from case_trail_new
              union all
              select case when is_called then last_value else 0 end from case_trail_id_seq)
select setval('case_trail_new_id_seq', greatest(max(n), 1), max(n) > 0) from used;
drop table case_trail;
alter table case_trail_new rename to case_trail;
alter sequence case_trail_new_id_seq rename to case_trail_id_seq;
alter table case_trail add constraint case_trail_pkey primary key (id, district_code);
alter table case_trail add constraint case_trail_case_id_seq_district_code_key unique (case_id, seq, district_code);
create index case_trail_photo_ids on case_trail using gin (photo_ids);
create index case_trail_action_at on case_trail (action, at);
create index case_trail_at on case_trail (at);
create trigger case_trail_no_update before update or delete on case_trail
  for each row execute function case_trail_append_only();
comment on table case_trail is E'Case trail (案卷轨迹), append-only and hash-chained: workflow.md §Trail. id from a sequence, key (id, district_code): distributed by district_code on Citus (docs/citus.md).';
comment on column case_trail.district_code is 'The case''s district (cases.district_code), written with the entry; part of the foreign key to cases.';

-- 1. case_events
create table case_events_new (
  id            bigserial not null, -- a sequence default, not an identity: see above
  case_id       uuid not null,
  version       integer not null,
  at            timestamptz not null,
  payload       jsonb not null,
  district_code text not null constraint case_events_district_code_check check (district_code ~ '^[0-9]{6}$'),
  constraint case_events_case_id_district_code_fkey foreign key (case_id, district_code)
    references cases (id, district_code) on delete cascade
);
insert into case_events_new (id, case_id, version, at, payload, district_code)
select id, case_id, version, at, payload, district_code from case_events order by id;
with used as (select coalesce(max(id), 0) as n from case_events_new
              union all
              select case when is_called then last_value else 0 end from case_events_id_seq)
select setval('case_events_new_id_seq', greatest(max(n), 1), max(n) > 0) from used;
drop table case_events;
alter table case_events_new rename to case_events;
alter sequence case_events_new_id_seq rename to case_events_id_seq;
alter table case_events add constraint case_events_pkey primary key (id, district_code);
create index case_events_case on case_events (case_id, id);
comment on table case_events is E'Every committed case change: the source of GET /api/live, resumable by id. Writers take one transaction-level advisory lock before inserting, so ids commit in order and a reader that has seen id n never later finds a smaller one. id from a sequence, key (id, district_code): distributed by district_code on Citus (docs/citus.md).';
comment on column case_events.district_code is 'The case''s district (cases.district_code), written with the event; part of the foreign key to cases.';

-- 2. cases' primary key: (id, district_code), from 0063's unique index (the foreign keys carrying the district
-- keep pointing at the same index, now the key's).
alter table cases drop constraint cases_pkey;
alter table cases add constraint cases_pkey primary key using index cases_id_district_code;

drop index cases_source_id;
create unique index cases_source_id on cases (source_system, source_id, district_code) where source_id is not null;

-- 3. merged_into: no action on delete (see above).
alter table cases drop constraint cases_merged_into_fkey;
alter table cases add constraint cases_merged_into_fkey foreign key (merged_into, district_code)
  references cases (id, district_code);
