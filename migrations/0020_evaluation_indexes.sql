-- Posts are evaluated by the steps they ended in a period (server/db/evaluation.ts).
create index case_steps_ended on case_steps (ended_at) where ended_at is not null;
-- Deleting or merging cases looks up the cases merged into them.
create index cases_merged_into on cases (merged_into) where merged_into is not null;
