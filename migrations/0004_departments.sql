-- Departments (专业部门, levels 1–3) and the default department of each class: workflow.md §Roles.
create table departments (
  id          bigint generated always as identity primary key,
  name        text not null unique,
  credit_code text unique check (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
  level       smallint not null check (level between 1 and 3),
  parent_id   bigint references departments (id) on delete restrict,
  check (parent_id is null or parent_id <> id)
);
comment on table departments is E'Departments (专业部门); credit_code is the 18-char unified social credit code.';

create table class_departments (
  kind          text not null,
  class_code    text not null,
  department_id bigint not null references departments (id) on delete cascade,
  primary key (kind, class_code),
  foreign key (kind, class_code) references classes (kind, code) on delete cascade
);
comment on table class_departments is E'Default department per class (默认处置部门), configurable.';
