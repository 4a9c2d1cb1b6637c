-- Cases (案卷) and their trail: domain.md §3, workflow.md. A case moves through the statuses of workflow.md;
-- every action appends a hash-chained trail entry in the same transaction as the change (server/services/cases.ts).
create sequence case_no_seq;

create table cases (
  id                      uuid primary key default gen_random_uuid(),
  case_no                 text not null unique,
  status                  text not null check (status in ('pending_acceptance', 'verifying', 'pending_filing', 'pending_dispatch',
                            'handling', 'suspended', 'pending_check', 'checking', 'pending_closing', 'closed', 'void', 'pending_review')),
  source                  text not null check (source in ('inspector', 'public', 'hotline', 'media', 'video', 'leader')),
  kind                    text not null check (kind in ('component_anomaly', 'event')),
  class_kind              text not null default 'matter' check (class_kind = 'matter'),
  class_code              text not null,
  condition               text,
  component_id            text references components (id) on delete set null,
  description             text check (length(description) <= 2000),
  address                 text check (length(address) <= 256),
  geom                    geometry(Point, 4326) not null,
  district_code           text not null,
  street_code             text not null,
  community_code          text not null,
  grid_code               text not null,
  responsibility_code     text,
  reporter_id             bigint,
  reporter_name           text,
  reporter_phone          text,
  self_handled            boolean not null default false,
  urgent                  boolean not null default false,
  department_id           bigint references departments (id) on delete set null,
  suggested_department_id bigint references departments (id) on delete set null,
  suggestion_taken        boolean,
  pending_application     text check (pending_application in ('return', 'extension', 'suspension')),
  pending_extension_hours double precision,
  verify_found            boolean,
  handled_late            boolean not null default false,
  urged                   boolean not null default false,
  return_count            integer not null default 0,
  rework_count            integer not null default 0,
  urge_count              integer not null default 0,
  extension_count         integer not null default 0,
  extension_hours         double precision not null default 0,
  suspension_count        integer not null default 0,
  suspended_at            timestamptz,
  closing_type            text check (closing_type in ('normal', 'overdue', 'error', 'special')),
  void_reason             text,
  step                    text,
  step_started_at         timestamptz,
  step_deadline_at        timestamptz,
  yellow_at               timestamptz,
  red_at                  timestamptz,
  handling_started_at     timestamptz,
  handling_deadline_at    timestamptz,
  overdue_after           timestamptz,
  filed_at                timestamptz,
  dispatched_at           timestamptz,
  closed_at               timestamptz,
  merged_into             uuid references cases (id) on delete set null,
  trail_head              text not null,
  version                 integer not null default 1,
  created_at              timestamptz not null,
  updated_at              timestamptz not null,
  foreign key (class_kind, class_code) references classes (kind, code) on delete restrict,
  check ((kind = 'component_anomaly') = (left(class_code, 2) between '01' and '05'))
);
create index cases_geom on cases using gist (geom);
create index cases_status on cases (status);
create index cases_grid on cases (grid_code);
create index cases_department on cases (department_id) where department_id is not null;
create index cases_open_red on cases (red_at) where status not in ('closed', 'void');
create index cases_updated on cases (updated_at);
comment on table cases is E'Cases (案卷): domain.md §3, workflow.md.';

create table case_suspensions (
  case_id    uuid not null references cases (id) on delete cascade,
  started_at timestamptz not null,
  ended_at   timestamptz,
  check (ended_at is null or ended_at >= started_at),
  primary key (case_id, started_at)
);
comment on table case_suspensions is E'Suspensions (挂账) of a case; closed intervals are excluded from its handling clock.';

create table case_trail (
  id          bigint generated always as identity primary key,
  case_id     uuid not null references cases (id) on delete restrict,
  seq         integer not null check (seq >= 1),
  at          timestamptz not null,
  actor       text,
  role        text,
  action      text not null,
  from_status text,
  to_status   text not null,
  note        text,
  photo_ids   text[],
  deadline_at timestamptz,
  data        jsonb,
  prev_hash   text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash        text not null check (hash ~ '^[0-9a-f]{64}$'),
  unique (case_id, seq)
);
comment on table case_trail is E'Case trail (案卷轨迹), append-only and hash-chained: workflow.md §Trail.';

create function case_trail_append_only() returns trigger language plpgsql volatile as $$
begin
  raise exception 'case_trail is append-only: % is not allowed', tg_op;
end $$;
create trigger case_trail_no_update before update or delete on case_trail
  for each row execute function case_trail_append_only();

create table idempotency_keys (
  scope        text not null,
  key          text not null check (length(key) between 1 and 200),
  request_hash text not null,
  case_id      uuid not null references cases (id) on delete cascade,
  created_at   timestamptz not null,
  primary key (scope, key)
);
comment on table idempotency_keys is E'Idempotency-Key of each report, written in the same transaction as its case.';

create table case_events (
  id         bigint generated always as identity primary key,
  case_id    uuid not null references cases (id) on delete cascade,
  version    integer not null,
  at         timestamptz not null,
  payload    jsonb not null
);
create index case_events_case on case_events (case_id, id);
comment on table case_events is E'Every committed case change: the source of GET /api/live, resumable by id. Writers take one transaction-level advisory lock before inserting, so ids commit in order and a reader that has seen id n never later finds a smaller one.';
