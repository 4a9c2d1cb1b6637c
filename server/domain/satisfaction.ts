// Satisfaction call-backs (回访, issue 11): the ratings, their scores (docs/domain.md §3: 满意 100, 基本满意 80,
// 不满意 0), who may rate which case when, the trail entry a rating writes, and the review of a dissatisfied rating.
// Pure: the case, the existing rating, the actor and `now` are arguments (services/ratings.ts reads and saves).
import { DomainError } from './errors.js';
import { chainEntry, type ChainedEntry } from './trail.js';

/** The three answers a reporter gives (the domain's five-point scale, with 一般 and 很不满意 not offered). */
export const RATINGS = ['satisfied', 'basic', 'dissatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

/** Score of each answer (docs/domain.md §3). */
export const RATING_SCORES: Readonly<Record<Rating, number>> = { satisfied: 100, basic: 80, dissatisfied: 0 };

export const RATING_CHANNELS = ['public', 'callback'] as const;
export type RatingChannel = (typeof RATING_CHANNELS)[number];

/** Who records a call-back (the hotline's posts; they also see the reporter's phone). */
export const CALLBACK_ROLES = ['operator', 'shift_leader'] as const;
/** Who settles a dissatisfied rating: reopens the case (workflow action `reopen`) or confirms the closure. */
export const REVIEW_ROLES = ['shift_leader'] as const;
/** Who reads the review list (the supervision centre and the leaders). */
export const REVIEW_READERS = ['operator', 'shift_leader', 'leader', 'admin'] as const;

export const COMMENT_MAX = 500;

export type RatingInput = { rating: Rating; comment: string | null };

/**
 * Checks a rating as sent; the comment is trimmed and an empty one is none.
 * @throws DomainError unprocessable naming the field
 */
export function parseRating(input: { rating?: unknown; comment?: unknown }): RatingInput {
  const problems: Record<string, string> = {};
  if (!(RATINGS as readonly unknown[]).includes(input.rating)) problems.rating = `must be one of ${RATINGS.join(', ')}`;
  let comment: string | null = null;
  if (input.comment !== undefined && input.comment !== null) {
    if (typeof input.comment !== 'string' || input.comment.length > COMMENT_MAX) problems.comment = `must be a text of at most ${COMMENT_MAX} characters`;
    else comment = input.comment.trim() || null;
  }
  const keys = Object.keys(problems);
  if (keys.length) throw new DomainError('unprocessable', `Cannot rate: ${keys.map((k) => `${k} ${problems[k]}`).join('; ')}`, problems);
  return { rating: input.rating as Rating, comment };
}

/** What a rating needs to know of its case. */
export type RatedCase = { status: string; source: string; reporter_phone: string | null; reporter_name: string | null };
export type ExistingRating = { channel: RatingChannel; idempotency_key: string | null; request_hash: string | null } | null;

/** A case has someone to call back: a public or hotline report, or any report with the caller's contact. */
export const hasReporter = (c: RatedCase): boolean =>
  c.source === 'public' || c.source === 'hotline' || c.reporter_phone !== null || c.reporter_name !== null;

/**
 * Whether the case may be rated now through `channel`: closed, with a reporter (call-backs), and not rated yet.
 * A retry of the same rating (same Idempotency-Key and body) is a replay, not a conflict.
 * @throws DomainError role_not_allowed (403), not_allowed_in_state (422), conflict (409), unprocessable (422: key reused)
 */
export function decideRating(c: RatedCase, existing: ExistingRating, channel: RatingChannel, roles: readonly string[],
  key: string | null, request_hash: string): 'new' | 'replay' {
  if (channel === 'callback' && !roles.some((r) => (CALLBACK_ROLES as readonly string[]).includes(r))) {
    throw new DomainError('role_not_allowed', `Only ${CALLBACK_ROLES.join(' or ')} record a call-back (回访)`);
  }
  if (existing && key !== null && existing.idempotency_key === key) {
    if (existing.request_hash !== request_hash) throw new DomainError('unprocessable', `Idempotency-Key "${key}" was already used for a different rating`);
    return 'replay';
  }
  if (c.status !== 'closed') {
    throw new DomainError('not_allowed_in_state', `A case can be rated once it is closed; this one is ${c.status}`, { status: c.status });
  }
  if (channel === 'callback' && !hasReporter(c)) {
    throw new DomainError('not_allowed_in_state', 'This case has no reporter to call back (not a public or hotline report, no caller recorded)');
  }
  if (existing) {
    throw new DomainError('conflict', existing.channel === 'public'
      ? 'The reporter has already rated this case; a case is rated once'
      : 'A call-back has already been recorded for this case; a case is rated once', { channel: existing.channel });
  }
  return 'new';
}

/**
 * The trail entry of a rating: action `rate` (the reporter, on the tracking page) or `callback` (an operator or
 * shift leader, from a call); the case stays closed. The comment is the entry's note; rating, score and channel are
 * in its data.
 */
export function ratingEntry(prev: { seq: number; hash: string }, r: {
  case_id: string; channel: RatingChannel; rating: Rating; comment: string | null; actor_id: number | null; role: string; at: Date;
}): ChainedEntry {
  return chainEntry(prev, {
    case_id: r.case_id, seq: prev.seq + 1, at: r.at, actor: r.actor_id === null ? null : String(r.actor_id), role: r.role,
    action: r.channel === 'public' ? 'rate' : 'callback', from_status: 'closed', to_status: 'closed', note: r.comment,
    photo_ids: null, deadline_at: null,
    data: { rating: r.rating, score: RATING_SCORES[r.rating], channel: r.channel, ...(r.rating === 'dissatisfied' ? { review: 'pending' } : {}) },
  });
}

/** The role a call-back is recorded in: the first of the call-back posts the actor holds. */
export function callbackRole(roles: readonly string[]): string {
  const role = CALLBACK_ROLES.find((r) => roles.includes(r));
  if (!role) throw new DomainError('role_not_allowed', `Only ${CALLBACK_ROLES.join(' or ')} record a call-back (回访)`);
  return role;
}

export type ReviewOutcome = 'reopened' | 'confirmed';

/**
 * Whether a shift leader may settle the review of a case's rating now: the rating is dissatisfied and still pending.
 * @throws DomainError role_not_allowed, not_found (no rating), not_allowed_in_state (not dissatisfied, or settled)
 */
export function assertReviewable(rating: { rating: Rating; review_status: string | null } | null, roles: readonly string[]): void {
  if (!roles.some((r) => (REVIEW_ROLES as readonly string[]).includes(r))) {
    throw new DomainError('role_not_allowed', `Only ${REVIEW_ROLES.join(' or ')} may reopen a case or confirm its closure after a call-back`);
  }
  if (!rating) throw new DomainError('not_found', 'This case has no rating to review');
  if (rating.rating !== 'dissatisfied') throw new DomainError('not_allowed_in_state', 'Only a dissatisfied rating is reviewed');
  if (rating.review_status !== 'pending') {
    throw new DomainError('not_allowed_in_state', `This rating's review is already settled (${rating.review_status})`, { review_status: rating.review_status });
  }
}

/** The satisfaction figures of a set of ratings: count, average score, satisfied rate (null when none: "no data"). */
export function satisfactionOf(r: { count: number; score_sum: number; satisfied: number }): { count: number; average_score: number | null; satisfied_rate: number | null } {
  if (!(r.count > 0)) return { count: 0, average_score: null, satisfied_rate: null };
  return { count: r.count, average_score: r.score_sum / r.count, satisfied_rate: r.satisfied / r.count };
}
