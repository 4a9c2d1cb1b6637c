// Health, client configuration.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { clientDistrict } from '../../services/client-config.js';
import { health } from '../../services/meta.js';
import type { RuleBook } from '../../services/district-rules.js';
import { ClientConfigSchema, HealthSchema } from '../schemas/meta.js';

/** rules: every district's calendar (services/district-rules.ts); its clock says which version is in force. */
const metaRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { rules: RuleBook } }> = async (app, { deps }) => {
  app.get('/api/health', {
    schema: {
      tags: ['meta'], summary: 'Liveness and database engine',
      response: { 200: HealthSchema },
    },
  }, async () => {
    return { status: 'ok' as const, db: await health(deps.db) };
  });

  app.get('/api/config', {
    onRequest: app.authenticateOptional, // public; with a token, a user kept to a district gets its own (issue 12)
    schema: {
      tags: ['meta'], summary: 'Settings the web client needs: basemap and the district to show',
      description: 'The anonymous public and users of every district get the first district; a user kept to a district, '
        + 'street or community (users.region_code) gets its own district, with its bbox and its time zone.',
      response: { 200: ClientConfigSchema },
    },
  }, async (req) => {
    const { district, time_zone } = await clientDistrict({ db: deps.db, book: deps.rules }, req.user);
    return {
      basemap_url: deps.config.basemap_url, district, time_zone,
      ...(deps.history && deps.history.state !== 'none' ? { history: { ...deps.history } } : {}),
    };
  });
};

export default metaRoutes;
