// Health, client configuration.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as regions from '../../services/regions.js';
import { health } from '../../services/meta.js';
import { DEFAULT_TIME_ZONE } from '../../domain/calendar.js';
import { ClientConfigSchema, HealthSchema } from '../schemas/meta.js';

const metaRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/health', {
    schema: {
      tags: ['meta'], summary: 'Liveness and database engine',
      response: { 200: HealthSchema },
    },
  }, async () => {
    return { status: 'ok' as const, db: await health(deps.db) };
  });

  app.get('/api/config', {
    schema: {
      tags: ['meta'], summary: 'Settings the web client needs: basemap and the district to show',
      response: { 200: ClientConfigSchema },
    },
  }, async () => {
    const d = await regions.firstDistrict(deps.db);
    return {
      basemap_url: deps.config.basemap_url, district: d ? { code: d.code, name: d.name, bbox: d.bbox } : null,
      time_zone: deps.time_zone?.() ?? DEFAULT_TIME_ZONE,
      ...(deps.history && deps.history.state !== 'none' ? { history: { ...deps.history } } : {}),
    };
  });
};

export default metaRoutes;
