// Health, client configuration.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as regions from '../../db/regions.js';
import { Bbox } from '../schemas/common.js';

const metaRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/health', {
    schema: {
      tags: ['meta'], summary: 'Liveness and database engine',
      response: {
        200: Type.Object({
          status: Type.Literal('ok'),
          db: Type.Object({ engine: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]), postgis: Type.String() }),
        }),
      },
    },
  }, async () => {
    const { rows } = await deps.db.query<{ v: string }>('select postgis_lib_version() as v');
    return { status: 'ok' as const, db: { engine: deps.db.engine, postgis: rows[0].v } };
  });

  app.get('/api/config', {
    schema: {
      tags: ['meta'], summary: 'Settings the web client needs: basemap and the district to show',
      response: {
        200: Type.Object({
          basemap_url: Type.Union([Type.String(), Type.Null()]),
          district: Type.Union([Type.Object({ code: Type.String(), name: Type.String(), bbox: Type.Union([Bbox, Type.Null()]) }), Type.Null()]),
          history: Type.Optional(Type.Object({
            state: Type.String({ description: 'none | loading | done: the demo\'s simulated history, loaded in the background after the first start' }),
            days: Type.Integer(), loaded_days: Type.Integer(), cases: Type.Integer(), loaded_until: Type.Union([Type.String(), Type.Null()]),
          })),
        }),
      },
    },
  }, async () => {
    const d = await regions.firstDistrict(deps.db);
    return {
      basemap_url: deps.config.basemap_url, district: d ? { code: d.code, name: d.name, bbox: d.bbox } : null,
      ...(deps.history && deps.history.state !== 'none' ? { history: { ...deps.history } } : {}),
    };
  });
};

export default metaRoutes;
