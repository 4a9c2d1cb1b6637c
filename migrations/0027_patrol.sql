-- Patrol (在岗监控, issue 9): duty periods of inspectors and the positions their phones send while on duty.
-- Positions are kept for GRIDLINE_TRACK_RETENTION_DAYS (default 90; scripts/purge-tracks.ts and the server's
-- hourly purge) and never outside a duty period: the service refuses such fixes before they reach this table.
create table patrol_duties (
  id         bigint generated always as identity primary key,
  user_id    bigint not null references users (id) on delete cascade,
  started_at timestamptz not null,
  ended_at   timestamptz,                    -- null while on duty
  check (ended_at is null or ended_at >= started_at)
);
create unique index patrol_duties_open on patrol_duties (user_id) where ended_at is null;  -- at most one open period
create index patrol_duties_user_started on patrol_duties (user_id, started_at);
comment on table patrol_duties is E'Duty periods (在岗时段) of inspectors: the explicit on/off switch of the phone; issue 9.';

create table patrol_positions (
  id          bigint generated always as identity primary key,
  user_id     bigint not null references users (id) on delete cascade,
  duty_id     bigint not null references patrol_duties (id) on delete cascade,
  fix_key     text not null check (length(fix_key) between 1 and 64),  -- the client's fix id, else the fix time (ISO)
  at          timestamptz not null,          -- when the phone took the fix
  geom        geometry(Point, 4326) not null,
  grid_code   text,                          -- the current unit grid covering the fix when it arrived (null: outside every grid)
  accuracy_m  real check (accuracy_m >= 0),
  step_m      double precision not null default 0,  -- metres walked from the user's previous fix (domain/patrol.ts stepLength_m)
  received_at timestamptz not null,
  unique (user_id, fix_key)                  -- a re-sent batch stores nothing twice
);
create index patrol_positions_user_at on patrol_positions (user_id, at);   -- a user's day; the last fix per inspector
create index patrol_positions_at on patrol_positions (at);                 -- the retention purge
create index patrol_positions_duty on patrol_positions (duty_id);         -- the foreign key (a duty period's fixes)
create index patrol_positions_geom on patrol_positions using gist (geom);
comment on table patrol_positions is E'Positions (巡查轨迹点) sent by inspectors'' phones while on duty; purged after the retention; issue 9.';

create table patrol_requests (
  user_id      bigint not null references users (id) on delete cascade,
  key          text not null check (length(key) between 1 and 200),
  request_hash text not null,
  result       jsonb not null,
  created_at   timestamptz not null,
  primary key (user_id, key)
);
create index patrol_requests_created on patrol_requests (created_at);
comment on table patrol_requests is E'Idempotency-Key of each duty switch and position batch with its answer, replayed on a retry; purged with the positions.';
