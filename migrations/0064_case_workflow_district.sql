-- The case workflow tables carry their case's district (issue 12, docs/citus.md "The plan", the case_* row): every
-- row of case_trail, case_events, case_steps, case_dispatches and case_suspensions names the district_code of its
-- case, and its foreign key to cases is (case_id, district_code), so a row can never name another district than its
-- case's, and the tables can later be distributed by district_code co-located with cases (a case and its rows on
-- one shard). The writers copy the district from the case they hold (db/cases.ts, db/facts.ts, db/history.ts,
-- db/import-cases.ts); readers joining these tables to cases join on the district too.
--
-- Written for PGlite, PostgreSQL and a Citus database distributed before it (these tables are Citus local tables
-- there): Citus refuses a constraint inside ADD COLUMN, so the column, its NOT NULL and its check are three
-- statements (as 0052).

-- The target of the new foreign keys (helpers of the same step create it too, hence `if not exists`). id alone
-- stays the primary key of cases for now.
create unique index if not exists cases_id_district_code on cases (id, district_code);

alter table case_trail add column district_code text;
alter table case_events add column district_code text;
alter table case_steps add column district_code text;
alter table case_dispatches add column district_code text;
alter table case_suspensions add column district_code text;

-- The backfill. case_trail is append-only (0011's trigger case_trail_no_update refuses every UPDATE): the trigger is
-- off for this one statement, in this migration's transaction, and on again before anything else can write.
alter table case_trail disable trigger case_trail_no_update;
update case_trail t set district_code = c.district_code from cases c where c.id = t.case_id;
alter table case_trail enable trigger case_trail_no_update;
update case_events e set district_code = c.district_code from cases c where c.id = e.case_id;
update case_steps s set district_code = c.district_code from cases c where c.id = s.case_id;
update case_dispatches d set district_code = c.district_code from cases c where c.id = d.case_id;
update case_suspensions s set district_code = c.district_code from cases c where c.id = s.case_id;

alter table case_trail alter column district_code set not null;
alter table case_events alter column district_code set not null;
alter table case_steps alter column district_code set not null;
alter table case_dispatches alter column district_code set not null;
alter table case_suspensions alter column district_code set not null;

alter table case_trail add constraint case_trail_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table case_events add constraint case_events_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table case_steps add constraint case_steps_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table case_dispatches add constraint case_dispatches_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table case_suspensions add constraint case_suspensions_district_code_check check (district_code ~ '^[0-9]{6}$');

-- The foreign keys to cases carry the district, with the same ON DELETE as before (the trail restricts: a case with
-- a trail is never deleted; the rest go with their case). No ON UPDATE: a case never changes district (the case
-- import refuses a re-import that would move one, domain/case-import.ts reimport; on Citus the district is the
-- distribution column, which an UPDATE cannot change). The new key first, then the old one dropped: on Citus a table
-- left without a foreign key to the reference tables, even for one statement, is taken out of Citus's metadata, and
-- bringing it back refuses a table with an identity column (case_trail, case_events).
alter table case_trail add constraint case_trail_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete restrict;
alter table case_trail drop constraint case_trail_case_id_fkey;
alter table case_events add constraint case_events_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table case_events drop constraint case_events_case_id_fkey;
alter table case_steps add constraint case_steps_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table case_steps drop constraint case_steps_case_id_fkey;
alter table case_dispatches add constraint case_dispatches_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table case_dispatches drop constraint case_dispatches_case_id_fkey;
alter table case_suspensions add constraint case_suspensions_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table case_suspensions drop constraint case_suspensions_case_id_fkey;

-- The keys that are not identity ids carry the district too, last, so that they can stay keys once the tables are
-- distributed by it (Citus requires the distribution column in every primary key and unique constraint) and their
-- indexes still serve every lookup by case_id (and seq) as before. A case id is a uuid of one district, so the keys
-- accept exactly the rows they did. The identity primary keys of case_trail and case_events (id) stay for now: the
-- identity → sequence change, and the key, are a later step (docs/citus.md).
alter table case_trail drop constraint case_trail_case_id_seq_key;
alter table case_trail add constraint case_trail_case_id_seq_district_code_key unique (case_id, seq, district_code);
alter table case_steps drop constraint case_steps_pkey;
alter table case_steps add constraint case_steps_pkey primary key (case_id, seq, district_code);
alter table case_dispatches drop constraint case_dispatches_pkey;
alter table case_dispatches add constraint case_dispatches_pkey primary key (case_id, seq, district_code);
alter table case_suspensions drop constraint case_suspensions_pkey;
alter table case_suspensions add constraint case_suspensions_pkey primary key (case_id, started_at, district_code);

comment on column case_trail.district_code is E'The case\'s district (cases.district_code), written with the entry; part of the foreign key to cases.';
comment on column case_events.district_code is E'The case\'s district (cases.district_code), written with the event; part of the foreign key to cases.';
comment on column case_steps.district_code is E'The case\'s district (cases.district_code); part of the key and of the foreign key to cases.';
comment on column case_dispatches.district_code is E'The case\'s district (cases.district_code); part of the key and of the foreign key to cases.';
comment on column case_suspensions.district_code is E'The case\'s district (cases.district_code); part of the key and of the foreign key to cases.';
