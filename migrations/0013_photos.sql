-- Photos (照片): the before/after evidence of reports and feedback (workflow.md rows 1, 12, 19). The bytes live outside
-- the database under GRIDLINE_PHOTO_DIR, by content hash (<ab>/<cd>/<sha256>.<ext>); a row is the checked facts about
-- one stored file. id = sha256 of the bytes, so the same photo uploaded twice is one row and one file.
create table photos (
  id            text primary key check (id ~ '^[0-9a-f]{64}$'),
  mime          text not null check (mime in ('image/jpeg', 'image/png', 'image/webp')),
  bytes         integer not null check (bytes > 0),
  width         integer not null check (width > 0),
  height        integer not null check (height > 0),
  exif_taken_at timestamptz,                   -- when the camera says it was taken (EXIF), if it says
  exif_lon      double precision check (exif_lon between -180 and 180),
  exif_lat      double precision check (exif_lat between -90 and 90),
  uploaded_by   bigint references users (id) on delete set null,  -- null: an anonymous (public) upload
  uploaded_at   timestamptz not null,
  check ((exif_lon is null) = (exif_lat is null))
);
create index photos_uploaded_at on photos (uploaded_at);
comment on table photos is E'Uploaded photos (照片); id is the sha256 of the stored file, which lives outside the database.';
