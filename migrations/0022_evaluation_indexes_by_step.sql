-- Posts' indicators read one step kind in a period, and a region's drill-down the cases filed in one street or
-- community: index exactly those (server/db/evaluation.ts).
drop index if exists case_steps_ended;
create index case_steps_step_ended on case_steps (step, ended_at) where ended_at is not null;
create index cases_street_filed on cases (street_code, filed_at) where filed_at is not null;
create index cases_community_filed on cases (community_code, filed_at) where filed_at is not null;
