-- Satisfaction call-backs (回访, issue 11): one rating per closed case, given by the reporter on the public tracking
-- page (channel 'public') or recorded by an operator or shift leader from a call (channel 'callback'). Scores as
-- domain.md §3 (满意 100, 基本满意 80, 不满意 0; server/domain/satisfaction.ts). A dissatisfied rating waits in the
-- supervision centre's review list until a shift leader reopens the case (workflow action `reopen`) or confirms the
-- closure. The public track page (H3) reads case_id, rating, comment, rated_at, channel.
create table case_ratings (
  case_id         uuid primary key references cases (id) on delete cascade,
  rating          text not null check (rating in ('satisfied', 'basic', 'dissatisfied')),
  score           integer not null check (score in (100, 80, 0)),
  comment         text check (length(comment) <= 500),
  channel         text not null check (channel in ('public', 'callback')),
  rated_by        bigint references users (id) on delete set null,
  rated_at        timestamptz not null,
  district_code   text not null,
  idempotency_key text check (length(idempotency_key) between 1 and 200),
  request_hash    text,
  review_status   text check (review_status in ('pending', 'reopened', 'confirmed')),
  reviewed_by     bigint references users (id) on delete set null,
  reviewed_at     timestamptz,
  review_note     text check (length(review_note) <= 500),
  check ((rating = 'dissatisfied') = (review_status is not null)),
  check ((channel = 'public') = (rated_by is null))
);
create index case_ratings_rated_at on case_ratings (rated_at);
create index case_ratings_review on case_ratings (rated_at) where review_status = 'pending';
comment on table case_ratings is E'Satisfaction (回访) of closed cases, one per case: issue 11, server/services/ratings.ts.';
