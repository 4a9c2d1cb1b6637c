-- Electronic supervision (电子监察, issue 10): the alert thresholds of the supervision screen and the wall, versioned
-- like evaluation_settings (the newest row is in force; every change is also in audit_log), and an index so the
-- supervision lists (urges, returns, extensions in a window) read the trail by action and time.
create table supervision_thresholds (
  version    integer primary key check (version >= 1),
  thresholds jsonb not null check (jsonb_typeof(thresholds) = 'object'),
  created_at timestamptz not null,
  created_by bigint references users (id) on delete set null
);
comment on table supervision_thresholds is E'电子监察 alert thresholds (server/domain/supervision.ts), one row per version; the newest is in force.';

create index case_trail_action_at on case_trail (action, at);
