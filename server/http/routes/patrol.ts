// Patrol (在岗监控, issue 9): the duty switch and position batches of inspectors' phones, last positions for the wall,
// a day's track, daily coverage for leaders. Thin: rules in domain/patrol.ts, use cases in services/patrol.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as patrol from '../../services/patrol.js';
import { SEE_ALL_ROLES } from '../../domain/visibility.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import { wire } from '../wire.js';
import { currentUser } from '../plugins/auth.js';
import {
  CoverageQuery, CoverageSchema, DutyBody, DutyStateSchema, IngestResultSchema, LastPositionsSchema, PositionsBody,
  TrackQuery, TrackSchema,
} from '../schemas/patrol.js';

const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
const keyOf = (h: { 'idempotency-key'?: unknown }) => (typeof h['idempotency-key'] === 'string' ? h['idempotency-key'] : null);
const denied = { 401: ErrorBody, 403: ErrorBody };

const patrolRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { patrol: patrol.PatrolDeps } }> = async (app, { deps }) => {
  const pdeps = deps.patrol;
  const inspector = app.requireRole('inspector');
  const centre = app.requireRole(...SEE_ALL_ROLES);
  // The retention purge runs with the server, hourly, and stops when the app closes (npm run patrol:purge does the same once).
  const stopPurge = patrol.startPurgeTimer(pdeps, (e) => app.log.error({ err: e }, 'patrol: the hourly track purge failed'));
  app.addHook('onClose', async () => stopPurge());

  app.get('/api/patrol/duty', {
    onRequest: inspector,
    schema: {
      tags: ['patrol'], summary: "The caller's duty state and the position interval the city set",
      security: [{ bearer: [] }],
      response: { 200: DutyStateSchema, ...denied },
    },
  }, async (req) => wire(await patrol.dutyState(pdeps, currentUser(req))));

  app.post('/api/patrol/duty', {
    onRequest: inspector,
    schema: {
      tags: ['patrol'], summary: 'Go on or off duty (inspectors). Starting twice is a no-op. Retry-safe with Idempotency-Key.',
      description: 'A retry with the same Idempotency-Key returns the first answer (header idempotent-replayed: true); the same key with another body is 422.',
      security: [{ bearer: [] }],
      headers: IdempotencyHeaders,
      body: DutyBody,
      response: { 200: DutyStateSchema, ...errorResponses, ...denied, 409: ErrorBody, 422: ErrorBody },
    },
  }, async (req, reply) => {
    const r = await patrol.setDuty(pdeps, currentUser(req), req.body.on_duty, keyOf(req.headers));
    if (r.replay) reply.header('idempotent-replayed', 'true');
    return wire(r.state);
  });

  app.post('/api/patrol/positions', {
    onRequest: inspector,
    schema: {
      tags: ['patrol'], summary: 'A batch of positions taken on duty (inspectors); idempotent per fix and per Idempotency-Key',
      description: 'Each fix is stored once per (user, id — else its instant): a re-sent batch counts as duplicate. Fixes taken '
        + 'outside every duty period of the caller, in the future (beyond 2 minutes), older than the retention or less '
        + 'accurate than 1000 m are rejected one by one with a reason and never stored.',
      security: [{ bearer: [] }],
      headers: IdempotencyHeaders,
      body: PositionsBody,
      response: { 200: IngestResultSchema, ...errorResponses, ...denied, 409: ErrorBody, 422: ErrorBody },
    },
  }, async (req, reply) => {
    const r = await patrol.ingest(pdeps, currentUser(req), req.body.fixes, keyOf(req.headers), req.body.sent_at);
    if (r.replay) reply.header('idempotent-replayed', 'true');
    return r.result;
  });

  app.get('/api/patrol/last-positions', {
    onRequest: centre,
    schema: {
      tags: ['patrol'], summary: "Every inspector's last position, on duty or not, fresh or stale (command centre, leaders)",
      description: 'stale: no fix for stale_after_seconds (3 intervals), or none at all.',
      security: [{ bearer: [] }],
      response: { 200: LastPositionsSchema, ...denied },
    },
  }, async (req) => wire(await patrol.lastPositions(pdeps, currentUser(req))));

  app.get('/api/patrol/tracks', {
    onRequest: app.authenticate,
    schema: {
      tags: ['patrol'], summary: "An inspector's track of one local day (GeoJSON Feature, LineString)",
      description: 'An inspector reads its own; the command centre and leaders anyone\'s. 404 when user_id is not an inspector.',
      security: [{ bearer: [] }],
      querystring: TrackQuery,
      response: { 200: TrackSchema, ...errorResponses, ...denied },
    },
  }, async (req) => wire(await patrol.track(pdeps, currentUser(req), req.query.user_id, req.query.date)));

  app.get('/api/patrol/coverage', {
    onRequest: centre,
    schema: {
      tags: ['patrol'], summary: 'Per inspector for one local day: unit grids of its responsibility grids visited, share, time on duty, distance',
      security: [{ bearer: [] }],
      querystring: CoverageQuery,
      response: { 200: CoverageSchema, ...errorResponses, ...denied },
    },
  }, async (req) => wire(await patrol.coverage(pdeps, req.query.date, currentUser(req), req.query.district)));
};

export default patrolRoutes;
