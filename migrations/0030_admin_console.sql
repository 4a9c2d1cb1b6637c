-- The admin console (issue 10): departments can be deactivated instead of deleted (cases, users and the evaluation
-- keep referring to them), and imports run as jobs the console polls for progress, with their rejected rows kept
-- for the CSV report.
alter table departments add column active boolean not null default true;
comment on column departments.active is E'false: deactivated (停用) by the admin; no longer offered for dispatch or new users, kept for what refers to it.';

create table import_jobs (
  id              uuid primary key,
  kind            text not null check (kind in ('components', 'cases')),
  status          text not null check (status in ('running', 'done', 'failed')),
  created_by      bigint references users (id) on delete set null,
  idempotency_key text check (length(idempotency_key) between 1 and 200),
  created_at      timestamptz not null,
  finished_at     timestamptz,
  file_name       text check (length(file_name) <= 255),
  bytes           bigint not null check (bytes >= 0),
  options         jsonb not null check (jsonb_typeof(options) = 'object'),
  result          jsonb,
  rejected        jsonb check (rejected is null or jsonb_typeof(rejected) = 'array'),
  error           jsonb,
  check ((status = 'running') = (finished_at is null)),
  unique (created_by, idempotency_key)
);
create index import_jobs_created_at on import_jobs (created_at);
comment on table import_jobs is E'Component and case imports started from the admin console (导入任务): options, outcome and the rejected rows (row, code, reason) for the CSV report.';
