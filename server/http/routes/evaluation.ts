// Evaluation (绩效评价, evaluation.md; api.md `GET /api/evaluation/{regions|departments|posts}`) and the headline
// indicators, each figure with the cases behind it. Thin: rules in services/evaluation.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import type { CaseDeps, CaseUser } from '../../services/cases.js';
import { drillDown, evaluate, headline, headlineCases, saveSettings, settingsInForce, type EvalDeps } from '../../services/evaluation.js';
import { OBJECTS, POSTS, REGION_LEVELS, type EvalObject } from '../../domain/evaluation.js';
import { errorResponses } from '../schemas/common.js';

/** Roles that see every case may see the evaluation (evaluation.md: leaders and the command centre). */
export const EVALUATION_ROLES = ['leader', 'operator', 'shift_leader', 'dispatcher', 'admin'] as const;

const DateParam = (what: string) => Type.String({ maxLength: 40, description: `${what}: a local date YYYY-MM-DD of the district (inclusive)` });
const Period = {
  from: DateParam('first day'),
  to: DateParam('last day'),
};
const Filters = {
  level: Type.Optional(Type.String({ maxLength: 20, description: `regions: ${REGION_LEVELS.join(' | ')} (default street)` })),
  parent: Type.Optional(Type.String({ maxLength: 20, description: 'regions: only regions inside this region code' })),
  post: Type.Optional(Type.String({ maxLength: 20, description: `posts: ${POSTS.join(' | ')} (default inspector)` })),
};
const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
};
const Drill = {
  indicator: Type.String({ maxLength: 60 }),
  part: Type.Optional(Type.String({ maxLength: 20, description: 'numerator | denominator (default denominator)' })),
};
const ObjectParams = Type.Object({ object: Type.Union(OBJECTS.map((o) => Type.Literal(o))) });

const Figure = Type.Object({
  numerator: Type.Number(), denominator: Type.Union([Type.Number(), Type.Null()]), rate: Type.Union([Type.Number(), Type.Null()]),
  score: Type.Union([Type.Number(), Type.Null()]), weight: Type.Number(), used_weight: Type.Number(),
});
const Rate = Type.Object({ numerator: Type.Number(), denominator: Type.Number(), rate: Type.Union([Type.Number(), Type.Null()]) });
const CaseList = Type.Object({
  items: Type.Array(Type.Object({ id: Type.String(), case_no: Type.String() }, { additionalProperties: true })),
  total: Type.Integer({ description: 'distinct cases' }),
  events: Type.Integer({ description: 'rows counted by the figure (a case dispatched twice counts twice)' }),
});

function userOf(req: FastifyRequest): CaseUser {
  const u = (req as FastifyRequest & { user?: CaseUser }).user;
  return u ? { id: Number(u.id), username: u.username, roles: u.roles, department_id: u.department_id == null ? null : Number(u.department_id) } : null;
}

const evaluationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const requireRole = (app as unknown as { requireRole(...r: string[]): never }).requireRole;
  const e: EvalDeps = { db: deps.db, clock: deps.cases.clock, work: deps.cases.work };
  const guard = requireRole(...EVALUATION_ROLES);

  app.get('/api/evaluation/headline', {
    onRequest: guard,
    schema: {
      tags: ['evaluation'], summary: 'Headline indicators: discovery rate, dispatch accuracy, average handling time, closing rates',
      description: 'For the district or one region (`region` = its code). Beside them the seeds\' Dongcheng figures.',
      querystring: Type.Object({ ...Period, region: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          from: Type.String(), to: Type.String(), region: Type.Union([Type.String(), Type.Null()]),
          discovery_rate: Rate, dispatch_accuracy: Rate, suggestion_accuracy: Rate, closing_rate: Rate, on_time_closing_rate: Rate,
          avg_handling_hours: Type.Object({ working: Type.Union([Type.Number(), Type.Null()]), natural: Type.Union([Type.Number(), Type.Null()]), count: Type.Integer() }),
          reference: Type.Record(Type.String(), Type.Number()),
        }),
        ...errorResponses,
      },
    },
  }, async (req) => headline(e, req.query));

  app.get('/api/evaluation/headline/cases', {
    onRequest: guard,
    schema: {
      tags: ['evaluation'], summary: 'The cases behind a headline figure',
      querystring: Type.Object({ ...Period, region: Type.Optional(Type.String({ maxLength: 20 })), ...Drill, ...Paging }, { additionalProperties: false }),
      response: { 200: CaseList, ...errorResponses },
    },
  }, async (req) => headlineCases(e, userOf(req), req.query));

  app.get('/api/evaluation/settings', {
    onRequest: guard,
    schema: { tags: ['evaluation'], summary: 'Weights, bands and grades in force (version 0 = evaluation.md defaults)', response: { 200: Type.Unknown(), ...errorResponses } },
  }, async () => settingsInForce(deps.db));

  app.put('/api/evaluation/settings', {
    onRequest: requireRole('admin'),
    schema: {
      tags: ['evaluation'], summary: 'Store new weights and bands (admin): a new version',
      body: Type.Object({}, { additionalProperties: true }),
      response: { 200: Type.Unknown(), ...errorResponses },
    },
  }, async (req) => saveSettings(e, Number(userOf(req)!.id), req.body));

  app.get('/api/evaluation/:object', {
    onRequest: guard,
    schema: {
      tags: ['evaluation'], summary: 'Evaluation of regions, departments or posts: every indicator, the composite and the grade',
      description: 'Rates with a zero denominator are null ("no data") and left out of the composite, whose weights are renormalised (used_weight).',
      params: ObjectParams,
      querystring: Type.Object({ ...Period, ...Filters }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          object: Type.String(), from: Type.String(), to: Type.String(),
          level: Type.Union([Type.String(), Type.Null()]), post: Type.Union([Type.String(), Type.Null()]), parent: Type.Union([Type.String(), Type.Null()]),
          settings: Type.Unknown(),
          indicators: Type.Array(Type.Object({ key: Type.String(), kind: Type.String(), label_zh: Type.String(), label_en: Type.String(), weight: Type.Number() }, { additionalProperties: true })),
          rows: Type.Array(Type.Object({
            key: Type.String(), name: Type.String(), indicators: Type.Record(Type.String(), Figure),
            composite: Type.Union([Type.Number(), Type.Null()]), grade: Type.Union([Type.String(), Type.Null()]),
          }, { additionalProperties: true })),
        }),
        ...errorResponses,
      },
    },
  }, async (req) => evaluate(e, req.params.object as EvalObject, req.query));

  app.get('/api/evaluation/:object/cases', {
    onRequest: guard,
    schema: {
      tags: ['evaluation'], summary: 'Exactly the cases behind one figure (numerator or denominator) of one row',
      params: ObjectParams,
      querystring: Type.Object({ ...Period, ...Filters, key: Type.String({ maxLength: 40, description: 'the row: region code, department id or user id' }), ...Drill, ...Paging }, { additionalProperties: false }),
      response: { 200: CaseList, ...errorResponses },
    },
  }, async (req) => drillDown(e, userOf(req), req.params.object as EvalObject, req.query));
};

export default evaluationRoutes;
