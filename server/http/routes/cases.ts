// Cases: report, list, read with the trail, act (docs/workflow.md; docs/api.md). Thin: validation here, rules in services/.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { actOnCase, duplicateCandidates, mergeCase, readCase, reportCase, searchCases, type CaseDeps } from '../../services/cases.js';
import { CASE_ACTIONS, CASE_SOURCES, CLOSING_TYPES } from '../../domain/workflow.js';
import { ClassCode, ComponentId, Crs, ErrorBody, Lat, Lon, errorResponses } from '../schemas/common.js';
import { CaseSearchQuerystring } from '../schemas/case-search.js';
import { wire } from '../wire.js';
import { CaseDetailSchema, CaseListSchema, CaseViewSchema, DuplicateCandidatesSchema, ReportResultSchema } from '../schemas/cases.js';
import { anonymousIntakeThrottle } from '../intake-throttle.js';
import { withPhotoLinks, type PhotoLinkDeps } from '../../services/photos.js';

const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));

const ReportBody = Type.Object({
  kind: lit(['component_anomaly', 'event'] as const),
  class_code: ClassCode,
  lon: Lon,
  lat: Lat,
  crs: Type.Optional(Crs),
  source: Type.Optional(lit(CASE_SOURCES)),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  address: Type.Optional(Type.String({ maxLength: 256 })),
  component_id: Type.Optional(ComponentId),
  photo_ids: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'ids from POST /api/photos' }), { maxItems: 20 })),
  self_handled: Type.Optional(Type.Boolean()),
  urgent: Type.Optional(Type.Boolean()),
  reporter_name: Type.Optional(Type.String({ maxLength: 100, description: 'the caller (hotline: set by an operator or shift leader; the public: its own); masked for other roles' })),
  reporter_phone: Type.Optional(Type.String({ maxLength: 30, pattern: '^[0-9+ ().-]*$', description: 'a Chinese mobile or landline number or a US number (422 otherwise), stored in one form: 13812345678, 010-12345678, (617) 555-0123' })),
  notify_reporter: Type.Optional(Type.Boolean({ description: 'the caller asked to be told of each step of the case by SMS to reporter_phone (issue 11)' })),
}, { additionalProperties: false });

const ActionBody = Type.Object({
  action: lit(CASE_ACTIONS),
  version: Type.Integer({ minimum: 1 }),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
  photo_ids: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'ids from POST /api/photos' }), { maxItems: 20 })),
  found: Type.Optional(Type.Boolean()),
  passed: Type.Optional(Type.Boolean()),
  hours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365 })),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  class_code: Type.Optional(ClassCode),
  condition: Type.Optional(Type.String({ maxLength: 100 })),
  department_id: Type.Optional(Type.Integer({ minimum: 1 })),
  closing_type: Type.Optional(lit(CLOSING_TYPES)),
}, { additionalProperties: false });

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });


const caseRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const auth = app.authenticate;
  const authOptional = app.authenticateOptional;
  const photoLinks: PhotoLinkDeps = { db: deps.db, secret: deps.config.secret, link_minutes: deps.config.photo_link_minutes, clock: deps.cases.clock };

  const intakeThrottle = anonymousIntakeThrottle(deps.cases.clock); // anonymous reports per client address (429)
  app.post('/api/cases', {
    onRequest: authOptional,
    preHandler: intakeThrottle,
    schema: {
      tags: ['cases'], summary: 'Report a problem (row 1; self-handled: row 19). Retry-safe with Idempotency-Key.',
      description: 'A retry with the same Idempotency-Key returns the same case (header idempotent-replayed: true) and creates nothing; the same key with a different body is 422; while the first request is still running, 409. '
        + 'Anonymous reports (no login) are limited per client address to 10 at once and 20 an hour: past that, 429 with Retry-After.',
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
      body: ReportBody,
      response: { 201: ReportResultSchema, ...errorResponses, 403: ErrorBody, 422: ErrorBody, 429: ErrorBody },
    },
  }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    const r = await reportCase(deps.cases, req.user, req.body, typeof key === 'string' ? key : null);
    if (r.replay) reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(wire({ ...r.case, possible_duplicates: r.possible_duplicates }));
  });

  app.get('/api/cases', {
    onRequest: auth,
    schema: {
      tags: ['cases'],
      summary: 'Search the cases the caller may see (docs/leader-api.md §Case search), closed and void included; red first by default',
      querystring: CaseSearchQuerystring,
      response: { 200: CaseListSchema, ...errorResponses },
    },
  }, async (req) => wire(await searchCases(deps.cases, req.user, req.query)));

  app.get('/api/cases/duplicates', {
    onRequest: auth,
    schema: {
      tags: ['cases'],
      summary: 'Possible duplicates: open cases of a class near a point that the caller may see, nearest first (before filing a hotline call; beside a case with exclude=its id)',
      querystring: Type.Object({
        lon: Lon, lat: Lat, crs: Type.Optional(Crs), class_code: ClassCode,
        exclude: Type.Optional(Type.String({ format: 'uuid', description: 'leave this case out (the case whose duplicates are asked for)' })),
        meters: Type.Optional(Type.Integer({ minimum: 10, maximum: 500, description: 'search radius, m (default: the duplicate radius reports use, 50)' })),
      }, { additionalProperties: false }),
      response: { 200: DuplicateCandidatesSchema, ...errorResponses },
    },
  }, async (req) => wire(await duplicateCandidates(deps.cases, req.user, req.query)));

  app.get('/api/cases/:id', {
    onRequest: auth,
    schema: {
      tags: ['cases'], summary: 'One case with its full trail',
      params: IdParams,
      response: { 200: CaseDetailSchema, ...errorResponses },
    },
  }, async (req) => wire(await withPhotoLinks(photoLinks, req.user, await readCase(deps.cases, req.user, req.params.id))));

  app.post('/api/cases/:id/actions', {
    onRequest: auth,
    schema: {
      tags: ['cases'], summary: 'Perform a workflow action (workflow.md): 409 stale version, 403 role, 422 state or fields',
      params: IdParams,
      body: ActionBody,
      response: { 200: CaseViewSchema, ...errorResponses, 403: ErrorBody, 409: ErrorBody, 422: ErrorBody },
    },
  }, async (req) => wire(await actOnCase(deps.cases, req.user, req.params.id, req.body)));

  app.post('/api/cases/:id/merge', {
    onRequest: auth,
    schema: {
      tags: ['cases'], summary: 'Merge this report into the open case it duplicates; both trails keep an entry',
      params: IdParams,
      body: Type.Object({ into: Type.String({ format: 'uuid' }), version: Type.Integer({ minimum: 1 }), note: Type.Optional(Type.String({ maxLength: 2000 })) },
        { additionalProperties: false }),
      response: { 200: Type.Object(CaseViewSchema.properties, { additionalProperties: false, description: 'the merged (now void) case' }), ...errorResponses, 403: ErrorBody, 409: ErrorBody, 422: ErrorBody },
    },
  }, async (req) => wire(await mergeCase(deps.cases, req.user, req.params.id, req.body)));
};

export default caseRoutes;
