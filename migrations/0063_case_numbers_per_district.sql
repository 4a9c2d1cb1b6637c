-- Case numbers per district and local day (issue 12, docs/citus.md "The plan", the cases row). A case number is the
-- case's district (6 digits), its local report date (YYYYMMDD) and a serial of at least 6 digits. The serial came
-- from one global sequence, case_no_seq: on Citus a sequence is the coordinator's alone (every intake of every
-- district asks it), and after 10^6 cases of the whole database every number had 7 digits. Now each district and
-- local day counts on its own, from 000001 (db/cases.ts caseNumbers takes numbers here, one or a block per district
-- and day; more than 999,999 cases of one district on one day get 7 digits, as before, and are never refused).
-- The key starts with district_code, so the table can be distributed co-located with grids and cases later.
--
-- Written for PGlite, PostgreSQL and a Citus database distributed before it (cases is a Citus local table there;
-- the counter table has no foreign key, so it stays a plain table Citus does not know, as case_grid_days).

create table case_no_counters (
  district_code text not null,
  local_date    date not null,
  last_no       bigint not null check (last_no >= 0),
  primary key (district_code, local_date)
);
comment on table case_no_counters is 'The last case-number serial handed out per district and local report date (db/cases.ts caseNumbers).';

-- Every writer of the application starts a number with the case's own district; rows written by hand (a bench's or a
-- test's own insert, 'B000000001') get it in front, so the check below holds. On a real database this changes nothing.
update cases set case_no = district_code || case_no where not starts_with(case_no, district_code);

-- Seeded from the numbers the global sequence gave, so none is handed out twice: per district and day, the highest
-- serial the day already has (it may exceed the day's count, and 6 digits). A number the counters could not have
-- written (a serial under 6 digits, a date that is none) cannot collide with one they write, so it is left out.
insert into case_no_counters (district_code, local_date, last_no)
select district_code, to_date(substr(case_no, 7, 8), 'YYYYMMDD'), max(substr(case_no, 15)::bigint)
  from cases
 where case_no ~ '^[0-9]{6}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{6,18}$'
   and left(case_no, 6) = district_code
 group by 1, 2;

-- A number names its district, so unique (case_no, district_code) is unique case_no (a lookup by number alone, as
-- the public tracking page's, keeps its index: case_no comes first) and can hold once cases are distributed.
alter table cases add constraint cases_case_no_district check (starts_with(case_no, district_code));
alter table cases add constraint cases_case_no_district_code_key unique (case_no, district_code);
alter table cases drop constraint cases_case_no_key;

-- The target of the foreign keys carrying the district (the case_* tables name it too, hence `if not exists`; 0064,
-- 0065). id alone stays the primary key of cases for now.
create unique index if not exists cases_id_district_code on cases (id, district_code);

-- A case is merged only into a case of its own district (services/cases.ts mergeCase: 422 otherwise); the key says
-- so. Deleting the target empties merged_into only (district_code is the case's own and not null).
alter table cases drop constraint cases_merged_into_fkey;
alter table cases add constraint cases_merged_into_fkey foreign key (merged_into, district_code)
  references cases (id, district_code) on delete set null (merged_into);

-- Nothing takes numbers from it any more.
drop sequence case_no_seq;
