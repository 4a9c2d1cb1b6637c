-- A district's working calendar and time limits as versioned settings (issue 10; docs/workflow.md §Time "per-city
-- configuration"). Each change is a new row with the next version number and the instant it takes effect
-- (valid_from); rows are never updated. A district without rows runs on the defaults (data/calendars cn and
-- data/limits/default.json). server/db/district-rules.ts is the only SQL for them; every change is also written to
-- audit_log in the same transaction (services/district-rules.ts).
create table district_calendars (
  district_code     text not null references regions (code) on delete cascade,
  version           integer not null check (version >= 1),
  valid_from        timestamptz not null,
  time_zone         text not null check (length(time_zone) between 1 and 64),       -- IANA zone
  holiday_set       text not null check (holiday_set in ('cn', 'us', 'none')),       -- data/calendars/<set>-<year>.json
  periods           jsonb not null,                                                  -- [["08:00","12:00"], …] local
  weekend           jsonb not null,                                                  -- [0, 6]: 0 = Sunday
  working_day_hours double precision not null check (working_day_hours > 0 and working_day_hours <= 24),
  created_at        timestamptz not null,
  created_by        text,                                                            -- username; null for loaders
  note              text check (length(note) <= 500),
  primary key (district_code, version)
);
comment on table district_calendars is E'Versioned working calendar (zone, holidays, working hours) per district; issue 10.';

create table district_limits (
  district_code text not null references regions (code) on delete cascade,
  version       integer not null check (version >= 1),
  valid_from    timestamptz not null,
  limits        jsonb not null,                                                      -- the shape of data/limits/default.json
  created_at    timestamptz not null,
  created_by    text,
  note          text check (length(note) <= 500),
  primary key (district_code, version)
);
comment on table district_limits is E'Versioned time limits (step limits, handling limits per class and filing condition) per district; issue 10.';
