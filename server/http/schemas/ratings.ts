// Satisfaction call-backs (回访, issue 11): request and response schemas of the rating routes and the supervision
// centre's review list.
import { Type } from '@fastify/type-provider-typebox';
import { COMMENT_MAX, RATINGS, RATING_CHANNELS } from '../../domain/satisfaction.js';
import { DateTime, Exact, Nullable, StringEnum } from './shapes.js';

const Comment = Type.Optional(Type.String({ maxLength: COMMENT_MAX, description: 'what the reporter said (optional)' }));
const RatingField = StringEnum(RATINGS, 'satisfied (满意, 100), basic (基本满意, 80) or dissatisfied (不满意, 0)');
const ReviewStatus = StringEnum(['pending', 'reopened', 'confirmed'] as const,
  'a dissatisfied rating\'s review: pending, reopened (the case went back to dispatch) or confirmed (the closure stands)');

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a retry with the same key and body answers the first rating again' })),
});

export const PublicRatingParams = Type.Object({ case_no: Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9A-Za-z-]+$', description: 'the case number the reporter was given' }) });

export const PublicRatingBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64, description: 'the private tracking code given with the case number' }),
  rating: RatingField,
  comment: Comment,
}, { additionalProperties: false });

export const CallbackBody = Type.Object({ rating: RatingField, comment: Comment }, { additionalProperties: false });

export const RatingSchema = Exact({
  case_id: Type.String({ format: 'uuid' }),
  rating: RatingField,
  score: Type.Integer({ description: '100, 80 or 0 (docs/domain.md §3)' }),
  comment: Nullable(Type.String()),
  channel: StringEnum(RATING_CHANNELS, 'public: the reporter on the tracking page; callback: recorded by an operator or shift leader'),
  rated_at: DateTime(),
  review_status: Nullable(ReviewStatus),
});

/** What the public gets back: its own rating, no staff or case internals. */
export const PublicRatingSchema = Exact({
  case_no: Type.String(),
  rating: RatingField,
  score: Type.Integer(),
  comment: Nullable(Type.String()),
  rated_at: DateTime(),
});

export const CaseRatingSchema = Exact({
  rating: Nullable(RatingSchema),
  can_callback: Type.Boolean({ description: 'the caller may record a call-back now: closed, with a reporter, not rated yet, operator or shift leader' }),
});

export const ReviewQuery = Type.Object({
  status: Type.Optional(ReviewStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
}, { additionalProperties: false });

export const ReviewItemSchema = Exact({
  case_id: Type.String({ format: 'uuid' }),
  case_no: Type.String(),
  case_status: Type.String(),
  case_version: Type.Integer({ description: 'give it as `version` to reopen the case (POST /api/cases/{id}/actions, action reopen)' }),
  class_code: Type.String(),
  class_name_zh: Nullable(Type.String()),
  class_name_en: Nullable(Type.String()),
  address: Nullable(Type.String()),
  community_code: Type.String(),
  community_name: Nullable(Type.String()),
  department_id: Nullable(Type.Integer()),
  department_name: Nullable(Type.String()),
  closed_at: Nullable(DateTime()),
  rating: RatingField,
  score: Type.Integer(),
  comment: Nullable(Type.String()),
  channel: StringEnum(RATING_CHANNELS),
  rated_at: DateTime(),
  rated_by_name: Nullable(Type.String({ description: 'who recorded the call-back; null for the reporter\'s own rating' })),
  review_status: ReviewStatus,
  reviewed_at: Nullable(DateTime()),
  reviewed_by_name: Nullable(Type.String()),
  review_note: Nullable(Type.String()),
});

export const ReviewListSchema = Exact({ items: Type.Array(ReviewItemSchema), total: Type.Integer({ minimum: 0 }) });

export const ConfirmBody = Type.Object({
  note: Type.Optional(Type.String({ maxLength: 500, description: 'why the closure stands (in the trail)' })),
}, { additionalProperties: false });
