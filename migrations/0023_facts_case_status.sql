-- The case's status at its last trail entry, kept on its facts rows (domain/facts.ts writes it with the rest, and
-- every status change is a trail entry, so it never lags): the departments' and posts' figures then read one fact
-- table without joining the cases.
alter table case_dispatches add column case_status text;
alter table case_steps add column case_status text;
update case_dispatches d set case_status = c.status from cases c where c.id = d.case_id;
update case_steps s set case_status = c.status from cases c where c.id = s.case_id;
alter table case_dispatches alter column case_status set not null;
alter table case_steps alter column case_status set not null;
