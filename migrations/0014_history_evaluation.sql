-- History and evaluation (evaluation.md): where a case came from (live, imported from an old system, simulated demo
-- history), the facts every indicator counts (one row per dispatch and per finished centre step, derived from the
-- trail by server/domain/facts.ts) and the evaluation settings (weights and bands, versioned).

-- Origin of a case: 'live' (this system), 'imported' (a past case from another system, by source id),
-- 'simulated' (the demo's generated history). Shown wherever the case is shown.
alter table cases add column origin text not null default 'live' check (origin in ('live', 'imported', 'simulated'));
alter table cases add column source_system text check (length(source_system) <= 64);
alter table cases add column source_id text check (length(source_id) <= 200);
alter table cases add column source_type text check (length(source_type) <= 200);
alter table cases add check ((origin = 'imported') = (source_id is not null));
create unique index cases_source_id on cases (source_system, source_id) where source_id is not null;

-- 'other' channel for imported cases (a 311 system's "Employee Generated", "Twitter" …).
alter table cases drop constraint cases_source_check;
alter table cases add constraint cases_source_check check (source in ('inspector', 'public', 'hotline', 'media', 'video', 'leader', 'other'));

create index cases_created_at on cases (created_at);
create index cases_filed_at on cases (filed_at) where filed_at is not null;
create index cases_district_created on cases (district_code, created_at);

-- One row per dispatch (派遣) of a case to a department: the handling episode until feedback, an approved return,
-- voiding or closing. Departments' and dispatchers' indicators count these rows.
create table case_dispatches (
  case_id         uuid not null references cases (id) on delete cascade,
  seq             integer not null,                 -- trail seq of the dispatch entry
  department_id   bigint references departments (id) on delete set null,
  dispatcher_id   bigint,                           -- users.id of who dispatched (null: imported or system)
  suggested       boolean,                          -- the department was the one the system suggested
  dispatched_at   timestamptz not null,
  deadline_at     timestamptz,                      -- handling deadline in force at the end (or now)
  ended_at        timestamptz,                      -- feedback, approved return, void or close; null while handling
  outcome         text check (outcome in ('feedback', 'returned', 'void', 'closed')),
  on_time         boolean,                          -- fed back by the deadline (null until fed back)
  rework          boolean not null default false,   -- the check after this feedback failed (返工)
  sent_on         boolean not null default false,   -- the case later went to another department
  natural_hours   double precision,                 -- dispatch → feedback, clock hours
  working_hours   double precision,                 -- dispatch → feedback, working hours of the calendar
  extension_count integer not null default 0,
  extension_hours double precision not null default 0,
  suspension_count integer not null default 0,
  late_return     boolean not null default false,   -- a return applied for after the return limit
  primary key (case_id, seq)
);
create index case_dispatches_department on case_dispatches (department_id, dispatched_at);
create index case_dispatches_at on case_dispatches (dispatched_at);
comment on table case_dispatches is E'Facts: one row per dispatch of a case, derived from its trail (server/domain/facts.ts).';

-- One row per timed centre step that was started (verify, accept, file, dispatch, send_check, check, close …):
-- who finished it, when it was due, whether in time. Posts' indicators count these rows.
create table case_steps (
  case_id     uuid not null references cases (id) on delete cascade,
  seq         integer not null,                     -- trail seq of the entry that started the step
  step        text not null,
  started_at  timestamptz not null,
  deadline_at timestamptz,
  ended_at    timestamptz,                          -- null while running
  end_seq     integer,
  action      text,                                 -- the action that ended it
  actor_id    bigint,                               -- users.id of who ended it
  role        text,
  on_time     boolean,                              -- ended by the deadline (null while running)
  primary key (case_id, seq)
);
create index case_steps_step on case_steps (step, started_at);
create index case_steps_actor on case_steps (actor_id, step) where actor_id is not null;
comment on table case_steps is E'Facts: one row per timed step of a case, derived from its trail (server/domain/facts.ts).';

-- Evaluation settings: weights and bands (evaluation.md defaults), versioned; the newest is in force and every
-- result names the version it used.
create table evaluation_settings (
  version    integer primary key check (version >= 1),
  settings   jsonb not null,
  created_at timestamptz not null default now(),
  created_by bigint references users (id) on delete set null
);
comment on table evaluation_settings is E'Evaluation weights and bands (evaluation.md), one row per version; the newest is in force.';
