// Grid-level statistics for leaders (docs/leader-api.md §Statistics): choropleth with hot spots, trend, top classes,
// a grid's card. Roles that see every case only; parameters arrive as strings and are checked by the service, so
// every 400 names its field in words.
import { SEE_ALL_ROLES } from '../../domain/visibility.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import * as statsService from '../../services/stats.js';
import { keptRegionOf, userDistrict } from '../../services/visibility.js';
import { featureCollectionText } from '../geojson.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import { geojsonResponse } from '../schemas/geojson.js';
import { ChoroplethSchema } from '../schemas/stats.js';

/** Roles that may see every case: statistics, case tiles and the OGC cases collection are theirs (domain/visibility.ts). */
export const STATS_ROLES = SEE_ALL_ROLES;

const date = (what: string) => Type.Optional(Type.String({ description: `${what}: local date YYYY-MM-DD (inclusive) of the region's district (a user kept to a district: its own; no region: the first district's)`, examples: ['2026-01-01'] }));
const Period = { from: date('first day'), to: date('last day') };
const Filters = {
  class: Type.Optional(Type.String({ description: '5-digit matter class code' })),
  major: Type.Optional(Type.String({ description: '2-digit major class code' })),
  channel: Type.Optional(Type.String({ description: 'inspector, public, hotline, media, video, leader or other (cases.source)' })),
  region: Type.Optional(Type.String({ description: 'district (6), street (9) or community (12) code; a user kept to a district: its district when left out, another district\'s is a 403' })),
};

const ClassCount = Type.Object({
  class_code: Type.String(), name_zh: Type.String(), name_en: Type.String(), major_code: Type.String(), count: Type.Integer(),
});
const Named = Type.Object({ code: Type.String(), name: Type.Union([Type.String(), Type.Null()]) });
const CaseBrief = Type.Object({
  id: Type.String(), case_no: Type.String(), status: Type.String(), class_code: Type.String(), source: Type.String(),
  origin: Type.String({ description: 'live, imported or simulated' }),
  light: Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red'), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }), closed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const forbidden = { 401: ErrorBody, 403: ErrorBody };

const statsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const sdeps: statsService.StatsDeps = { db: deps.db, work: deps.cases.work, clock: deps.cases.clock };
  const onRequest = app.requireRole(...STATS_ROLES);
  // A user kept to a district (users.region_code, issue 12) reads its district: `region` defaults to it, a region of
  // another district is a 403 naming both (services/visibility.ts); the ticker and a grid's card likewise.
  const kept = async <Q extends { region?: string }>(req: { user: { id: number; region_code?: string | null } | null; query: Q }): Promise<Q> =>
    ({ ...req.query, region: await keptRegionOf(deps.db, req.user, req.query.region) });

  app.get('/api/stats/choropleth', {
    onRequest,
    schema: {
      tags: ['stats'], summary: 'Cases per unit grid, community or street in a period, with change and Gi* hot spots (GeoJSON)',
      description: 'Each feature: code, name, level, count, area_m2 (geodesic), per_10k_m2, prev_count (the previous period of '
        + 'the same length), change, change_rate (null when prev_count is 0), gi_z (Getis–Ord Gi*, queen contiguity, self '
        + 'included, on cases per 10,000 m²) and hotspot (hot_99|hot_95|hot_90|none|cold_90|cold_95|cold_99 by |z| ≥ '
        + '2.576/1.96/1.645). Top level: total, prev_total, method. A period is at most 5 years.',
      security: [{ bearer: [] }],
      querystring: Type.Object({
        ...Period, level: Type.Optional(Type.String({ description: 'grid (default), community or street' })), ...Filters,
      }, { additionalProperties: false }),
      response: { 200: geojsonResponse('GeoJSON FeatureCollection', ChoroplethSchema), ...errorResponses, ...forbidden },
    },
  }, async (req, reply) => {
    const c = await statsService.choropleth(sdeps, await kept(req));
    const { features, ...head } = c;
    return reply.type('application/geo+json').send(featureCollectionText(features, 'code', head));
  });

  app.get('/api/stats/trend', {
    onRequest,
    schema: {
      tags: ['stats'], summary: 'Reported, filed and closed cases per day, ISO week or month (local dates; first and last bucket clipped to the period)',
      security: [{ bearer: [] }],
      querystring: Type.Object({
        ...Period, bucket: Type.Optional(Type.String({ description: 'day (default), week or month' })), ...Filters,
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          from: Type.String(), to: Type.String(), bucket: Type.String(),
          time_zone: Type.String({ description: 'the zone of the dates: the region\'s district\'s (a user kept to a district: its own); with no region, the first district\'s' }),
          points: Type.Array(Type.Object({
            start: Type.String(), end: Type.String(), reported: Type.Integer(), filed: Type.Integer(), closed: Type.Integer(),
          })),
        }),
        ...errorResponses, ...forbidden,
      },
    },
  }, async (req) => statsService.trend(sdeps, await kept(req)));

  app.get('/api/stats/today', {
    onRequest,
    schema: {
      tags: ['stats'], summary: 'Today\'s counts for the wall\'s ticker: reported, filed, dispatched and closed since local midnight; open cases overdue (red) now',
      security: [{ bearer: [] }],
      response: {
        200: Type.Object({
          date: Type.String({ description: 'the district\'s local date' }), at: Type.String({ format: 'date-time' }),
          time_zone: Type.String({ description: 'the zone of date and of its midnight: a user kept to a district, its district\'s; a user of every district, the first district\'s' }),
          reported: Type.Integer(), filed: Type.Integer(), dispatched: Type.Integer(), closed: Type.Integer(),
          overdue: Type.Integer({ description: 'open cases past their step\'s deadline now' }),
        }, { additionalProperties: false }),
        ...errorResponses, ...forbidden,
      },
    },
  }, async (req) => statsService.today(sdeps, await userDistrict(deps.db, req.user)));

  app.get('/api/stats/top-classes', {
    onRequest,
    schema: {
      tags: ['stats'], summary: 'The classes with most cases reported in the period, most first',
      security: [{ bearer: [] }],
      querystring: Type.Object({
        ...Period, limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }), ...Filters,
      }, { additionalProperties: false }),
      response: { 200: Type.Array(ClassCount), ...errorResponses, ...forbidden },
    },
  }, async (req) => statsService.topClasses(sdeps, await kept(req)));

  app.get('/api/stats/grids/:code', {
    onRequest,
    schema: {
      tags: ['stats'], summary: 'A unit grid\'s card: community, street, area, its cases in the period by class and status, components, latest cases',
      security: [{ bearer: [] }],
      params: Type.Object({ code: Type.String({ description: '15-digit unit-grid code' }) }),
      querystring: Type.Object(Period, { additionalProperties: false }),
      response: {
        200: Type.Object({
          code: Type.String(), current: Type.Boolean({ description: 'false for a grid that was redrawn (its last version)' }),
          community: Named, street: Named, area_m2: Type.Number(), from: Type.String(), to: Type.String(), count: Type.Integer(),
          by_class: Type.Array(ClassCount),
          by_status: Type.Array(Type.Object({ status: Type.String(), count: Type.Integer() })),
          components: Type.Array(Type.Object({ class_code: Type.String(), name_zh: Type.String(), name_en: Type.String(), count: Type.Integer() })),
          recent_cases: Type.Array(CaseBrief),
        }),
        ...errorResponses, ...forbidden,
      },
    },
  }, async (req) => statsService.gridCard(sdeps, req.params.code, req.query, await userDistrict(deps.db, req.user)));
};

export default statsRoutes;
