-- The public report and "track my report" pages (issue 11 §Public web): the private tracking code of a case reported
-- by the public (stored hashed), the reporter's optional contact and notification wish, the upload tickets that bind a
-- public photo upload to the report being made (each issued once for a solved proof of work), the department's public
-- reply, the operator's approval of a photo for public view, and the district's setting that withholds photos until
-- such an approval.

create table case_tracking (
  case_id     uuid primary key references cases (id) on delete cascade,
  code_hash   text not null check (code_hash ~ '^[0-9a-f]{64}$'),
  created_at  timestamptz not null
);
comment on table case_tracking is E'Tracking codes of public reports (公众查询码): sha256 of the code only; the code is shown once, to the reporter. Issue 11 §Public web.';

create table case_contacts (
  case_id     uuid primary key references cases (id) on delete cascade,
  name        text check (length(name) <= 100),
  phone       text check (length(phone) <= 30),
  email       text check (length(email) <= 254),
  notify      boolean not null default false,
  lang        text not null default 'zh' check (lang in ('zh', 'en')),
  created_at  timestamptz not null,
  check (not notify or phone is not null or email is not null)
);
comment on table case_contacts is E'A public reporter''s optional contact (联系方式) and whether to be told of progress (notify, in lang); never in a public answer. Issue 11 §Public web, §Notifications.';

create table public_tickets (
  ticket_hash    text primary key check (ticket_hash ~ '^[0-9a-f]{64}$'),
  challenge_hash text not null unique check (challenge_hash ~ '^[0-9a-f]{64}$'),
  created_at     timestamptz not null,
  expires_at     timestamptz not null,
  case_id        uuid references cases (id) on delete cascade
);
create index public_tickets_expires on public_tickets (expires_at);
comment on table public_tickets is E'Upload tickets of the public report page (上报凭据): one per solved proof-of-work challenge (challenge_hash unique: a solution counts once), good for up to 3 photos and one report (case_id once used). Issue 11 §Public web.';

create table public_ticket_photos (
  ticket_hash text not null references public_tickets (ticket_hash) on delete cascade,
  photo_id    text not null references photos (id) on delete cascade,
  primary key (ticket_hash, photo_id)
);
comment on table public_ticket_photos is E'Photos uploaded with a public upload ticket: only these may be cited by the report made with it. Issue 11 §Public web.';

create table case_public_replies (
  case_id    uuid primary key references cases (id) on delete cascade,
  reply      text not null check (length(reply) between 1 and 2000),
  replied_at timestamptz not null,
  replied_by bigint references users (id) on delete set null
);
comment on table case_public_replies is E'The department''s public reply on a case (公开答复), shown on the tracking page; written by an operator, shift leader or the department''s crew. Issue 11 §Public web.';

create table public_photo_approvals (
  case_id     uuid not null references cases (id) on delete cascade,
  photo_id    text not null references photos (id) on delete cascade,
  approved_at timestamptz not null,
  approved_by bigint references users (id) on delete set null,
  primary key (case_id, photo_id)
);
comment on table public_photo_approvals is E'Photos of a case an operator approved for public view (照片公开审核), when the district withholds public photos. Issue 11 §Public web.';

create table public_settings (
  district_code   text primary key,
  withhold_photos boolean not null default true,
  updated_at      timestamptz not null,
  updated_by      bigint references users (id) on delete set null
);
comment on table public_settings is E'The public pages'' settings per district (公众页面设置): withhold_photos = a photo is shown publicly only after an operator approves it (no row: true). Issue 11 §Public web.';
