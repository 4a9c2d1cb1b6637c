// Satisfaction call-backs (回访, issue 11; server/http/routes/ratings.ts): the operator's call-back, the case's rating, the
// supervision centre's review list and the confirmation of a closure. Types from the server's schemas.
import type { Static } from '@fastify/type-provider-typebox';
import type { CaseRatingSchema, RatingSchema, ReviewListSchema } from '../../../server/http/schemas/ratings.js';
import type { Rating } from '../../../server/domain/satisfaction.js';
import { getJson, sendJson } from './http.js';

export type { Rating };
export type RatingView = Static<typeof RatingSchema>;
export type CaseRating = Static<typeof CaseRatingSchema>;
export type ReviewList = Static<typeof ReviewListSchema>;
export type ReviewItem = ReviewList['items'][number];

export const fetchCaseRating = (id: string, signal?: AbortSignal) => getJson<CaseRating>(`/api/cases/${id}/rating`, { signal });

/** Records a call-back; the key makes a retry after a lost answer harmless (200 with the first rating). */
export const postCallback = (id: string, body: { rating: Rating; comment?: string }, idempotencyKey: string) =>
  sendJson<RatingView>('POST', `/api/cases/${id}/rating`, body, { headers: { 'idempotency-key': idempotencyKey } });

export const fetchReviews = (status: 'pending' | 'reopened' | 'confirmed', signal?: AbortSignal) =>
  getJson<ReviewList>(`/api/supervision/satisfaction?status=${status}&limit=100`, { signal });

export const confirmClosure = (caseId: string, note: string) =>
  sendJson<RatingView>('POST', `/api/supervision/satisfaction/${caseId}/confirm`, note ? { note } : {});

/** Reopens a case rated dissatisfied: the workflow action `reopen` (shift leader, with a reason). */
export const reopenCase = (caseId: string, version: number, reason: string) =>
  sendJson<unknown>('POST', `/api/cases/${caseId}/actions`, { action: 'reopen', version, reason });
