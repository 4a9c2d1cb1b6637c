-- Open311 GeoReport v2 (issue 11): API keys of client systems, and what each request posted through Open311 carried
-- besides the case (its token, media_url, contact e-mail). The case itself is an ordinary row of `cases`.

create table open311_keys (
  id          bigint generated always as identity primary key,
  name        text not null check (length(name) between 1 and 100),
  source      text not null default 'public' check (source in ('public', 'hotline', 'media')),
  answer      text not null default 'service_request_id' check (answer in ('service_request_id', 'token')),
  key_hash    text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  key_prefix  text not null check (length(key_prefix) between 4 and 12),
  created_at  timestamptz not null,
  created_by  bigint references users (id) on delete set null,
  revoked_at  timestamptz,
  revoked_by  bigint references users (id) on delete set null
);
comment on table open311_keys is E'API keys of Open311 client systems (开放311接入密钥): sha256 of the key only; issued and revoked by the admin. Issue 11 §Open311.';

create table open311_requests (
  case_id           uuid primary key references cases (id) on delete cascade,
  key_id            bigint not null references open311_keys (id) on delete restrict,
  token             text not null unique check (token ~ '^[0-9a-f]{32}$'),
  client_request_id text check (length(client_request_id) <= 200),
  media_url         text check (length(media_url) <= 2000),
  email             text check (length(email) <= 254),
  device_id         text check (length(device_id) <= 200),
  account_id        text check (length(account_id) <= 200),
  created_at        timestamptz not null
);
create index open311_requests_key on open311_requests (key_id);
comment on table open311_requests is E'What a request posted through Open311 carried besides its case (开放311请求): token, media_url, contact e-mail (never in a GET answer). Issue 11 §Open311.';

-- Open311 allows descriptions of 4,000 characters (GeoReport v2 POST Service Request); the other intakes keep 2,000.
alter table cases drop constraint cases_description_check;
alter table cases add constraint cases_description_check check (length(description) <= 4000);

-- GET servicerequestupdates.{json,xml} reads the trail by time, in windows of at most 90 days.
create index case_trail_at on case_trail (at);
