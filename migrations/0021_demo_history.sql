-- The demo's simulated history is loaded in the background after the server starts, one local day per
-- transaction; this row says which window was planned and how far it got, so a restart resumes where it stopped.
create table demo_history (
  id           boolean primary key default true check (id),
  seed         integer not null,
  start_at     timestamptz not null,
  end_at       timestamptz not null,
  loaded_until date,            -- the last local day whose cases are all loaded (null: none yet)
  planned_at   timestamptz not null default now(),
  finished_at  timestamptz,
  check (end_at > start_at)
);
comment on table demo_history is E'Progress of the demo''s simulated history (server/services/history.ts).';
