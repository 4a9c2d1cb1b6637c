-- The case's district on the rows of the public pages, Open311, ratings, notifications and idempotency keys (issue 12,
-- docs/citus.md "the plan"): before cases can be distributed by district_code with its tables co-located, every row
-- that hangs off a case carries its case's district, and its foreign key to cases names it, so a row can only sit in
-- its case's district (and, distributed, on its case's shard). The writers copy the district from the case row they
-- hold (server/db/public.ts, open311.ts, ratings.ts, notify.ts, cases.ts saveKey).
--
-- Keys, per table (docs/citus.md, the plan table):
-- - case_tracking, case_contacts, case_public_replies, case_ratings, open311_requests: primary key (case_id,
--   district_code); public_photo_approvals (case_id, photo_id, district_code); notification_optins (case_id,
--   channel, district_code). case_id first: a lookup by case id keeps its index. The foreign key keeps one district
--   per case id, so these keys allow exactly the rows the old ones did (the upserts name the new key).
-- - open311_requests' token: unique (token, district_code). A token is 128 random bits: unique in the whole
--   database by chance (2^-64 at 2^32 tokens), in its district by the index; a GET of a token names the district
--   when the key or the jurisdiction_id does (one shard), else it reads every shard.
-- - idempotency_keys stays keyed (scope, key): it is read before the case exists, and a public or unscoped
--   reporter's district is known only after the point is located, inside the transaction the key guards. It stays
--   on the coordinator under Citus and there loses its foreign key to cases (a local table cannot reference a
--   distributed one).
-- - public_tickets is issued and read by its hash before any report, so before any district: it stays on the
--   coordinator, its district is set with its case_id when the ticket is used (both or neither), and under Citus it
--   loses its foreign key to cases. public_ticket_photos hangs off the ticket (a photo is uploaded before the report
--   names a point), not off a case: no district column, on the coordinator with its ticket.
-- - notification_outbox is one queue for every district: the worker claims due rows of all districts with `for
--   update skip locked` (Citus takes row locks only in a single-shard query) and its id is an identity; it stays on
--   the coordinator, its district set with its case_id (both or neither), and under Citus loses its foreign key to
--   cases.
--
-- Each column is added, filled, made not null and checked in statements of their own (Citus refuses a constraint in
-- ADD COLUMN on a Citus table); each new foreign key is added before the old one is dropped, so on Citus no table
-- falls out of the foreign-key graph in between (Citus would turn it back into a plain table).

create unique index if not exists cases_id_district_code on cases (id, district_code);

-- open311_requests ---------------------------------------------------------------------------------------------------
alter table open311_requests add column district_code text;
update open311_requests r set district_code = c.district_code from cases c where c.id = r.case_id;
alter table open311_requests alter column district_code set not null;
alter table open311_requests add constraint open311_requests_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table open311_requests add constraint open311_requests_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table open311_requests drop constraint open311_requests_case_id_fkey;
alter table open311_requests drop constraint open311_requests_pkey;
alter table open311_requests add constraint open311_requests_pkey primary key (case_id, district_code);
alter table open311_requests drop constraint open311_requests_token_key;
alter table open311_requests add constraint open311_requests_token_district_code_key unique (token, district_code);

-- case_tracking ------------------------------------------------------------------------------------------------------
alter table case_tracking add column district_code text;
update case_tracking t set district_code = c.district_code from cases c where c.id = t.case_id;
alter table case_tracking alter column district_code set not null;
alter table case_tracking add constraint case_tracking_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table case_tracking add constraint case_tracking_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table case_tracking drop constraint case_tracking_case_id_fkey;
alter table case_tracking drop constraint case_tracking_pkey;
alter table case_tracking add constraint case_tracking_pkey primary key (case_id, district_code);

-- case_contacts ------------------------------------------------------------------------------------------------------
alter table case_contacts add column district_code text;
update case_contacts t set district_code = c.district_code from cases c where c.id = t.case_id;
alter table case_contacts alter column district_code set not null;
alter table case_contacts add constraint case_contacts_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table case_contacts add constraint case_contacts_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table case_contacts drop constraint case_contacts_case_id_fkey;
alter table case_contacts drop constraint case_contacts_pkey;
alter table case_contacts add constraint case_contacts_pkey primary key (case_id, district_code);

-- public_tickets: the district with the case, when the ticket is used ------------------------------------------------
alter table public_tickets add column district_code text;
update public_tickets t set district_code = c.district_code from cases c where c.id = t.case_id;
alter table public_tickets add constraint public_tickets_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table public_tickets add constraint public_tickets_case_district_check check ((case_id is null) = (district_code is null));
alter table public_tickets add constraint public_tickets_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table public_tickets drop constraint public_tickets_case_id_fkey;

-- case_public_replies ------------------------------------------------------------------------------------------------
alter table case_public_replies add column district_code text;
update case_public_replies t set district_code = c.district_code from cases c where c.id = t.case_id;
alter table case_public_replies alter column district_code set not null;
alter table case_public_replies add constraint case_public_replies_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table case_public_replies add constraint case_public_replies_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table case_public_replies drop constraint case_public_replies_case_id_fkey;
alter table case_public_replies drop constraint case_public_replies_pkey;
alter table case_public_replies add constraint case_public_replies_pkey primary key (case_id, district_code);

-- public_photo_approvals ---------------------------------------------------------------------------------------------
alter table public_photo_approvals add column district_code text;
update public_photo_approvals t set district_code = c.district_code from cases c where c.id = t.case_id;
alter table public_photo_approvals alter column district_code set not null;
alter table public_photo_approvals add constraint public_photo_approvals_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table public_photo_approvals add constraint public_photo_approvals_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table public_photo_approvals drop constraint public_photo_approvals_case_id_fkey;
alter table public_photo_approvals drop constraint public_photo_approvals_pkey;
alter table public_photo_approvals add constraint public_photo_approvals_pkey primary key (case_id, photo_id, district_code);

-- case_ratings: district_code since 0036, written by the rating service from the case; now held to it ---------------
update case_ratings r set district_code = c.district_code from cases c where c.id = r.case_id and r.district_code <> c.district_code;
alter table case_ratings add constraint case_ratings_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table case_ratings add constraint case_ratings_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table case_ratings drop constraint case_ratings_case_id_fkey;
alter table case_ratings drop constraint case_ratings_pkey;
alter table case_ratings add constraint case_ratings_pkey primary key (case_id, district_code);

-- notification_outbox: the district with the case (a row of no case has none) ----------------------------------------
alter table notification_outbox add column district_code text;
update notification_outbox o set district_code = c.district_code from cases c where c.id = o.case_id;
alter table notification_outbox add constraint notification_outbox_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table notification_outbox add constraint notification_outbox_case_district_check check ((case_id is null) = (district_code is null));
alter table notification_outbox add constraint notification_outbox_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table notification_outbox drop constraint notification_outbox_case_id_fkey;

-- notification_optins ------------------------------------------------------------------------------------------------
alter table notification_optins add column district_code text;
update notification_optins t set district_code = c.district_code from cases c where c.id = t.case_id;
alter table notification_optins alter column district_code set not null;
alter table notification_optins add constraint notification_optins_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table notification_optins add constraint notification_optins_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table notification_optins drop constraint notification_optins_case_id_fkey;
alter table notification_optins drop constraint notification_optins_pkey;
alter table notification_optins add constraint notification_optins_pkey primary key (case_id, channel, district_code);

-- idempotency_keys: keyed by (scope, key) as before (read before the case exists) ------------------------------------
alter table idempotency_keys add column district_code text;
update idempotency_keys k set district_code = c.district_code from cases c where c.id = k.case_id;
alter table idempotency_keys alter column district_code set not null;
alter table idempotency_keys add constraint idempotency_keys_district_code_check check (district_code ~ '^[0-9]{6}$');
alter table idempotency_keys add constraint idempotency_keys_case_id_district_code_fkey
  foreign key (case_id, district_code) references cases (id, district_code) on delete cascade;
alter table idempotency_keys drop constraint idempotency_keys_case_id_fkey;

comment on column open311_requests.district_code is E'The district of the case (issue 12), copied by the writer; part of the foreign key to cases.';
comment on column case_tracking.district_code is E'The district of the case (issue 12), copied by the writer; part of the foreign key to cases.';
comment on column case_contacts.district_code is E'The district of the case (issue 12), copied by the writer; part of the foreign key to cases.';
comment on column public_tickets.district_code is E'The district of the case the ticket was used for (issue 12), set with case_id; null while unused.';
comment on column case_public_replies.district_code is E'The district of the case (issue 12), copied by the writer; part of the foreign key to cases.';
comment on column public_photo_approvals.district_code is E'The district of the case (issue 12), copied by the writer; part of the foreign key to cases.';
comment on column notification_outbox.district_code is E'The district of the case (issue 12), set with case_id; null for a message of no case.';
comment on column notification_optins.district_code is E'The district of the case (issue 12), copied by the writer; part of the foreign key to cases.';
comment on column idempotency_keys.district_code is E'The district of the case the key made (issue 12), copied by the writer; part of the foreign key to cases.';
