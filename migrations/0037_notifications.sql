-- Notifications (issue 11 §Satisfaction and notifications): an outbox written in the same transaction as the case
-- change that causes it, delivered by the server's worker to pluggable channels (webhook, e-mail, SMS) with retries
-- and backoff; webhook subscriptions of other systems; the e-mail address a department's crew is told of new tasks
-- at; and the opt-in of a reporter (a hotline caller) to hear of its case's progress.

create table webhook_subscriptions (
  id          bigint generated always as identity primary key,
  name        text not null check (length(name) between 1 and 100),
  url         text not null check (url ~ '^https?://' and length(url) <= 2000),
  -- the HMAC-SHA256 key of the signature header; shown to the admin once, kept here because signing needs it
  secret      text not null check (length(secret) between 32 and 200),
  created_at  timestamptz not null,
  created_by  bigint references users (id) on delete set null,
  deleted_at  timestamptz
);
comment on table webhook_subscriptions is E'Webhook subscriptions of other systems (事件推送订阅): every case change is POSTed, signed. Issue 11 §Notifications.';

create table notification_contacts (
  department_id bigint primary key references departments (id) on delete cascade,
  email         text check (email ~ '^[^\s@]+@[^\s@]+$' and length(email) <= 254),
  updated_at    timestamptz not null
);
comment on table notification_contacts is E'Where a department is told of new tasks by e-mail (部门通知邮箱); its crews'' phones (users.phone) get an SMS. Issue 11 §Notifications.';

create table notification_optins (
  case_id    uuid not null references cases (id) on delete cascade,
  channel    text not null check (channel in ('sms', 'email')),
  target     text not null check (length(target) between 3 and 254),
  language   text check (language in ('zh', 'en')),  -- null: the district's language
  created_at timestamptz not null,
  primary key (case_id, channel)
);
comment on table notification_optins is E'A reporter who asked to hear of its case''s progress (进度通知): a hotline caller''s phone, a public reporter''s contact. Issue 11 §Notifications.';

create table notification_outbox (
  id              bigint generated always as identity primary key,
  channel         text not null check (channel in ('webhook', 'email', 'sms')),
  target          text not null check (length(target) between 1 and 2000),
  subscription_id bigint references webhook_subscriptions (id) on delete cascade,
  language        text check (language in ('zh', 'en')),
  template        text not null check (template in ('task_new', 'case_progress', 'case_changed', 'test')),
  params          jsonb not null,
  case_id         uuid references cases (id) on delete cascade,
  event           text not null check (length(event) between 1 and 100),
  dedupe_key      text not null unique check (length(dedupe_key) between 1 and 300),
  created_at      timestamptz not null,
  attempts        integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null,
  delivered_at    timestamptz,
  dead_at         timestamptz,
  last_error      text check (length(last_error) <= 1000),
  check (channel <> 'webhook' or subscription_id is not null)
);
create index notification_outbox_due on notification_outbox (next_attempt_at) where delivered_at is null and dead_at is null;
create index notification_outbox_case on notification_outbox (case_id);
create index notification_outbox_created on notification_outbox (created_at desc);
comment on table notification_outbox is E'Notification outbox (通知发件箱): one row per message and recipient, written with the case change; delivered at least once, the dedupe key sent to receivers; dead after the last attempt. Issue 11 §Notifications.';
