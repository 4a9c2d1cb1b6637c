// Satisfaction call-backs (回访, issue 11): the reporter's rating on the tracking page, the operator's call-back, and
// the supervision centre's review list of dissatisfied ratings. Thin: rules in domain/satisfaction.ts, use cases in
// services/ratings.ts. Reopening a case is the workflow action `reopen` (POST /api/cases/{id}/actions).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import * as ratings from '../../services/ratings.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import { wire } from '../wire.js';
import { currentUser } from '../plugins/auth.js';
import { anonymousIntakeThrottle } from '../intake-throttle.js';
import {
  CallbackBody, CaseRatingSchema, ConfirmBody, IdempotencyHeaders, PublicRatingBody, PublicRatingParams, PublicRatingSchema,
  RatingSchema, ReviewListSchema, ReviewQuery,
} from '../schemas/ratings.js';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const CaseIdParams = Type.Object({ case_id: Type.String({ format: 'uuid' }) });
const keyOf = (h: unknown) => (typeof h === 'string' ? h : null);
const RATE_ERRORS = { ...errorResponses, 409: ErrorBody, 422: ErrorBody };

const ratingRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const d = deps.cases;
  const throttle = anonymousIntakeThrottle(d.clock); // per client address, its own counts (guessing codes is slow)

  app.post('/api/public/cases/:case_no/rating', {
    preHandler: throttle,
    schema: {
      tags: ['public'], summary: 'The reporter rates a closed case (回访 on the tracking page), with its tracking code',
      description: 'No login: the case number and the private tracking code given at reporting. A wrong code answers 404 exactly '
        + 'like an unknown case. 422 while the case is not closed; 409 when it has been rated already (once per case, by the '
        + 'reporter or by a call-back). A retry with the same Idempotency-Key and body answers the first rating again (200). '
        + 'A dissatisfied rating puts the case in the supervision centre\'s review list. At most 10 at once and 20 an hour per client address (429).',
      headers: IdempotencyHeaders,
      params: PublicRatingParams,
      body: PublicRatingBody,
      response: { 201: PublicRatingSchema, 200: PublicRatingSchema, ...RATE_ERRORS, 429: ErrorBody },
    },
  }, async (req, reply) => {
    const r = await ratings.ratePublic(d, req.params.case_no, req.body, keyOf(req.headers['idempotency-key']));
    const { rating, score, comment, rated_at } = r.rating;
    return reply.status(r.replay ? 200 : 201).send(wire({ case_no: req.params.case_no, rating, score, comment, rated_at }));
  });

  app.post('/api/cases/:id/rating', {
    onRequest: app.requireRole('operator', 'shift_leader'),
    schema: {
      tags: ['cases'], summary: 'Record a call-back (回访) of a closed case\'s reporter: satisfied, basic or dissatisfied',
      description: 'Operators and shift leaders, for a closed case with a reporter (a public or hotline report, or a caller recorded). '
        + 'The trail gets an entry `callback` (the comment as its note; rating, score and channel in its data) and the audit log '
        + '`case.callback`. 409 when the case has been rated already; a retry with the same Idempotency-Key and body answers the '
        + 'first rating again (200).',
      security: [{ bearer: [] }],
      headers: IdempotencyHeaders,
      params: IdParams,
      body: CallbackBody,
      response: { 201: RatingSchema, 200: RatingSchema, ...RATE_ERRORS, 401: ErrorBody, 403: ErrorBody },
    },
  }, async (req, reply) => {
    const r = await ratings.recordCallback(d, currentUser(req), req.params.id, req.body, keyOf(req.headers['idempotency-key']));
    return reply.status(r.replay ? 200 : 201).send(wire(r.rating));
  });

  app.get('/api/cases/:id/rating', {
    onRequest: app.authenticate,
    schema: {
      tags: ['cases'], summary: 'The case\'s satisfaction rating (null: none yet) and whether the caller may record a call-back now',
      security: [{ bearer: [] }],
      params: IdParams,
      response: { 200: CaseRatingSchema, ...errorResponses, 401: ErrorBody },
    },
  }, async (req) => wire(await ratings.caseRating(d, currentUser(req), req.params.id)));

  app.get('/api/supervision/satisfaction', {
    onRequest: app.requireRole('operator', 'shift_leader', 'leader', 'admin'),
    schema: {
      tags: ['supervision'], summary: 'Dissatisfied ratings to review (回访不满意): pending oldest first, or settled ones newest first',
      description: 'A shift leader settles each: reopen the case (POST /api/cases/{id}/actions with action reopen, version '
        + '= case_version and a reason: back to dispatch, the same department, new deadlines) or confirm the closure.',
      security: [{ bearer: [] }],
      querystring: ReviewQuery,
      response: { 200: ReviewListSchema, ...errorResponses, 401: ErrorBody, 403: ErrorBody },
    },
  }, async (req) => wire(await ratings.reviewList(d, currentUser(req), req.query)));

  app.post('/api/supervision/satisfaction/:case_id/confirm', {
    onRequest: app.requireRole('shift_leader'),
    schema: {
      tags: ['supervision'], summary: 'Confirm the closure of a case rated dissatisfied (the review is settled; trail entry confirm_closure)',
      description: 'Settling twice is 422 (already settled), so a retry cannot confirm a review someone reopened meanwhile.',
      security: [{ bearer: [] }],
      params: CaseIdParams,
      body: ConfirmBody,
      response: { 200: RatingSchema, ...errorResponses, 401: ErrorBody, 403: ErrorBody, 422: ErrorBody },
    },
  }, async (req) => wire(await ratings.confirmClosure(d, currentUser(req), req.params.case_id, req.body.note?.trim() || null)));
};

export default ratingRoutes;
