// Evaluation (绩效评价, docs/evaluation.md; docs/api.md `GET /api/evaluation/{regions|departments|posts}`) and the headline
// indicators, each figure with the cases behind it. Thin: rules in services/evaluation.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import { currentUser } from '../plugins/auth.js';
import { drillDown, evaluate, headline, headlineCases, keptEvalQuery, saveSettings, settingsInForce, type EvalDeps } from '../../services/evaluation.js';
import { keptRegionOf } from '../../services/visibility.js';
import { OBJECTS, POSTS, REGION_LEVELS, type EvalObject } from '../../domain/evaluation.js';
import { errorResponses } from '../schemas/common.js';
import { wire } from '../wire.js';
import { EvaluationSchema, FigureCasesSchema, HeadlineSchema, SettingsSchema } from '../schemas/evaluation.js';

/** Roles that see every case may see the evaluation (docs/evaluation.md: leaders and the command centre). */
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


// A user kept to a district (users.region_code, issue 12) reads its district: `region` and `parent` default to it, a
// region of another district is a 403 naming both (services/visibility.ts keptRegionOf, services/evaluation.ts
// keptEvalQuery), departments and posts count its cases only.
const evaluationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const e: EvalDeps = { db: deps.db, clock: deps.cases.clock, work: deps.cases.work };
  const guard = app.requireRole(...EVALUATION_ROLES);

  app.get('/api/evaluation/headline', {
    onRequest: guard,
    schema: {
      tags: ['evaluation'], summary: 'Headline indicators: discovery rate, dispatch accuracy, average handling time, closing rates',
      description: 'For the district or one region (`region` = its code). Beside them the seeds\' Dongcheng figures.',
      querystring: Type.Object({ ...Period, region: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false }),
      response: { 200: HeadlineSchema, ...errorResponses },
    },
  }, async (req) => headline(e, { ...req.query, region: await keptRegionOf(deps.db, req.user, req.query.region) }));

  app.get('/api/evaluation/headline/cases', {
    onRequest: guard,
    schema: {
      tags: ['evaluation'], summary: 'The cases behind a headline figure',
      querystring: Type.Object({ ...Period, region: Type.Optional(Type.String({ maxLength: 20 })), ...Drill, ...Paging }, { additionalProperties: false }),
      response: { 200: FigureCasesSchema, ...errorResponses },
    },
  }, async (req) => wire(await headlineCases(e, req.user, { ...req.query, region: await keptRegionOf(deps.db, req.user, req.query.region) })));

  app.get('/api/evaluation/settings', {
    onRequest: guard,
    schema: { tags: ['evaluation'], summary: 'Weights, bands and grades in force (version 0 = evaluation.md defaults)', response: { 200: SettingsSchema, ...errorResponses } },
  }, async () => settingsInForce(deps.db));

  app.put('/api/evaluation/settings', {
    onRequest: app.requireRole('admin'),
    schema: {
      tags: ['evaluation'], summary: 'Store new weights and bands (admin): a new version',
      body: Type.Object({}, { additionalProperties: true }),
      response: { 200: SettingsSchema, ...errorResponses },
    },
  }, async (req) => saveSettings(e, currentUser(req).id, req.body));

  app.get('/api/evaluation/:object', {
    onRequest: guard,
    schema: {
      tags: ['evaluation'], summary: 'Evaluation of regions, departments or posts: every indicator, the composite and the grade',
      description: 'Rates with a zero denominator are null ("no data") and left out of the composite, whose weights are renormalised (used_weight).',
      params: ObjectParams,
      querystring: Type.Object({ ...Period, ...Filters }, { additionalProperties: false }),
      response: { 200: EvaluationSchema, ...errorResponses },
    },
  }, async (req) => evaluate(e, req.params.object as EvalObject, await keptEvalQuery(deps.db, req.user, req.params.object as EvalObject, req.query)));

  app.get('/api/evaluation/:object/cases', {
    onRequest: guard,
    schema: {
      tags: ['evaluation'], summary: 'Exactly the cases behind one figure (numerator or denominator) of one row',
      params: ObjectParams,
      querystring: Type.Object({ ...Period, ...Filters, key: Type.String({ maxLength: 40, description: 'the row: region code, department id or user id' }), ...Drill, ...Paging }, { additionalProperties: false }),
      response: { 200: FigureCasesSchema, ...errorResponses },
    },
  }, async (req) => wire(await drillDown(e, req.user, req.params.object as EvalObject, await keptEvalQuery(deps.db, req.user, req.params.object as EvalObject, req.query))));
};

export default evaluationRoutes;
