// Cases: report, list, read with the trail, act (workflow.md; api.md). Thin: validation here, rules in services/.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { actOnCase, mergeCase, readCase, reportCase, searchCases, type CaseDeps, type CaseUser } from '../../services/cases.js';
import { CASE_ACTIONS, CASE_SOURCES, CLOSING_TYPES } from '../../domain/workflow.js';
import { ClassCode, ComponentId, Crs, Lat, Lon, errorResponses } from '../schemas/common.js';
import { CaseSearchQuerystring } from '../schemas/case-search.js';

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
  reporter_name: Type.Optional(Type.String({ maxLength: 100 })),
  reporter_phone: Type.Optional(Type.String({ maxLength: 30, pattern: '^[0-9+ ()-]*$' })),
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

function userOf(req: FastifyRequest): CaseUser {
  const u = (req as FastifyRequest & { user?: CaseUser }).user;
  return u ? { id: Number(u.id), username: u.username, roles: u.roles, department_id: u.department_id == null ? null : Number(u.department_id) } : null;
}

const caseRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const auth = (app as unknown as { authenticate: never }).authenticate;
  const authOptional = (app as unknown as { authenticateOptional: never }).authenticateOptional;

  app.post('/api/cases', {
    onRequest: authOptional,
    schema: {
      tags: ['cases'], summary: 'Report a problem (row 1; self-handled: row 19). Retry-safe with Idempotency-Key.',
      description: 'A retry with the same Idempotency-Key returns the same case (header idempotent-replayed: true) and creates nothing; the same key with a different body is 422; while the first request is still running, 409.',
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
      body: ReportBody,
      response: { 201: Type.Unknown({ description: 'the case, with possible_duplicates' }), ...errorResponses },
    },
  }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    const r = await reportCase(deps.cases, userOf(req), req.body, typeof key === 'string' ? key : null);
    if (r.replay) reply.header('idempotent-replayed', 'true');
    return reply.status(201).send({ ...r.case, possible_duplicates: r.possible_duplicates });
  });

  app.get('/api/cases', {
    onRequest: auth,
    schema: {
      tags: ['cases'],
      summary: 'Search the cases the caller may see (docs/leader-api.md §Case search), closed and void included; red first by default',
      querystring: CaseSearchQuerystring,
      response: { 200: Type.Unknown({ description: '{ items, total }; each item carries origin (live, imported, simulated)' }), ...errorResponses },
    },
  }, async (req) => searchCases(deps.cases, userOf(req), req.query));

  app.get('/api/cases/:id', {
    onRequest: auth,
    schema: {
      tags: ['cases'], summary: 'One case with its full trail',
      params: IdParams,
      response: { 200: Type.Unknown({ description: 'the case and `trail`' }), ...errorResponses },
    },
  }, async (req) => readCase(deps.cases, userOf(req), req.params.id));

  app.post('/api/cases/:id/actions', {
    onRequest: auth,
    schema: {
      tags: ['cases'], summary: 'Perform a workflow action (workflow.md): 409 stale version, 403 role, 422 state or fields',
      params: IdParams,
      body: ActionBody,
      response: { 200: Type.Unknown({ description: 'the updated case' }), ...errorResponses },
    },
  }, async (req) => actOnCase(deps.cases, userOf(req), req.params.id, req.body));

  app.post('/api/cases/:id/merge', {
    onRequest: auth,
    schema: {
      tags: ['cases'], summary: 'Merge this report into the open case it duplicates; both trails keep an entry',
      params: IdParams,
      body: Type.Object({ into: Type.String({ format: 'uuid' }), version: Type.Integer({ minimum: 1 }), note: Type.Optional(Type.String({ maxLength: 2000 })) },
        { additionalProperties: false }),
      response: { 200: Type.Unknown({ description: 'the merged (now void) case' }), ...errorResponses },
    },
  }, async (req) => mergeCase(deps.cases, userOf(req), req.params.id, req.body));
};

export default caseRoutes;
