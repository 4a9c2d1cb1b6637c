-- A department's figures and the cases behind them read its dispatches of a period from the index alone.
drop index if exists case_dispatches_department;
create index case_dispatches_department on case_dispatches (department_id, dispatched_at)
  include (case_id, outcome, case_status, on_time, deadline_at);
