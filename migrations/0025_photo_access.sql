-- Who may read a photo (issue 8, defect 3; server/db/photos.ts getVisible): the readers of a case whose trail cites
-- it, and each user who uploaded those bytes. The same bytes uploaded by two users are one photo (id = sha256) with two
-- uploaders, so the second uploader can read back what it sent without learning that someone sent it before.
create table photo_uploads (
  photo_id    text not null references photos (id) on delete cascade,
  user_id     bigint not null references users (id) on delete cascade,
  uploaded_at timestamptz not null,             -- this user's first upload of these bytes
  primary key (photo_id, user_id)
);
create index photo_uploads_user on photo_uploads (user_id);
insert into photo_uploads (photo_id, user_id, uploaded_at)
  select id, uploaded_by, uploaded_at from photos where uploaded_by is not null;
comment on table photo_uploads is E'Each logged-in user who uploaded a photo''s bytes (anonymous uploads are not recorded here).';

-- The trail entries that cite a photo (photo_ids @> array[id]), for the photo read check.
create index case_trail_photo_ids on case_trail using gin (photo_ids);

-- Server secrets, generated here once per database: a fresh install needs no configuration, and every server process
-- on one database signs and checks with the same key (GRIDLINE_SECRET overrides it). gen_random_uuid() draws from the
-- strong random source: two of them give 244 random bits.
create table server_secrets (
  name       text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
  value      text not null check (length(value) >= 32),
  created_at timestamptz not null default now()
);
insert into server_secrets (name, value)
  values ('photo_links', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
comment on table server_secrets is E'Keys the server signs with (photo_links: the HMAC key of signed photo URLs). Changing a value invalidates what was signed with it.';
