-- Users, server-side sessions, login throttling and the audit log: workflow.md §Roles, api.md (POST /api/auth/login).
-- Passwords are argon2id PHC strings; a session is found by the sha256 of its bearer token, never by the token.
create table users (
  id            bigint generated always as identity primary key,
  username      text not null check (username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
  display_name  text not null default '' check (length(display_name) <= 100),
  phone         text check (phone ~ '^[0-9+() -]{3,32}$'),
  password_hash text not null check (password_hash like '$argon2%'),
  roles         text[] not null check (
                  cardinality(roles) >= 1
                  and roles <@ array['inspector', 'operator', 'shift_leader', 'dispatcher', 'department', 'leader', 'admin']::text[]),
  department_id bigint references departments (id) on delete restrict,
  disabled      boolean not null default false,
  created_at    timestamptz not null default now(),
  check (department_id is not null or not ('department' = any (roles)))  -- a crew belongs to a department
);
create unique index users_username_ci on users (lower(username));
comment on table users is E'Accounts (岗位 of workflow.md §Roles); username unique case-insensitively; a user may hold several roles; crews (role department) have department_id.';

create table sessions (
  id           bigint generated always as identity primary key,
  user_id      bigint not null references users (id) on delete cascade,
  token_sha256 text not null unique check (token_sha256 ~ '^[0-9a-f]{64}$'),
  created_at   timestamptz not null,
  last_seen_at timestamptz not null,          -- refreshed at most once a minute
  expires_at   timestamptz not null,          -- absolute lifetime; the idle timeout is configuration
  ended_at     timestamptz,
  end_reason   text check (end_reason in ('logout', 'revoked', 'idle', 'expired', 'disabled')),
  ip           text,
  user_agent   text check (length(user_agent) <= 512),
  check ((ended_at is null) = (end_reason is null)),
  check (expires_at > created_at)
);
create index sessions_user_open on sessions (user_id) where ended_at is null;
comment on table sessions is E'Server-side sessions behind opaque bearer tokens (only their sha256 is stored).';

create table login_throttle (
  key            text primary key check (key ~ '^(user|ip):'),
  failures       integer not null check (failures >= 1),
  last_failed_at timestamptz not null
);
comment on table login_throttle is E'Consecutive failed logins per lower(username) and per client IP; past the free allowance each further attempt waits (429 + Retry-After).';

create table audit_log (
  id       bigint generated always as identity primary key,
  at       timestamptz not null,
  user_id  bigint references users (id) on delete restrict,
  username text,
  action   text not null check (action ~ '^[a-z][a-z0-9_.]{0,63}$'),
  target   text,
  ip       text,
  detail   jsonb
);
create index audit_log_at on audit_log (at);
create index audit_log_user on audit_log (user_id, at) where user_id is not null;
comment on table audit_log is E'Security and case audit (电子监察): logins, logouts, refusals, revocations, case actions. Kept at least 184 days; append-only except scripts/purge-audit.ts.';

-- Entries are never changed, and none younger than 184 days is deleted, whatever the caller.
create function audit_log_guard() returns trigger language plpgsql volatile as $$
begin
  if tg_op = 'UPDATE' then
    raise exception 'audit_log is append-only: UPDATE is not allowed';
  end if;
  if old.at > now() - interval '184 days' then
    raise exception 'audit_log entries are kept at least 184 days: entry % of % is too young to delete', old.id, old.at;
  end if;
  return old;
end $$;
create trigger audit_log_guard before update or delete on audit_log
  for each row execute function audit_log_guard();

alter table responsibility_grids
  add constraint responsibility_grids_inspector_fk foreign key (inspector_id) references users (id) on delete set null;
create index responsibility_grids_inspector on responsibility_grids (inspector_id) where inspector_id is not null;
