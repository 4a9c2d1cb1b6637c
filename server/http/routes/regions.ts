// Administrative regions: docs/domain.md §1.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as regions from '../../services/regions.js';
import { errorResponses } from '../schemas/common.js';
import { RegionLevelSchema as Level, RegionSchema as RegionView } from '../schemas/regions.js';


const regionRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/regions', {
    schema: {
      tags: ['regions'], summary: 'Districts, streets and communities',
      querystring: Type.Object({
        level: Type.Optional(Level),
        parent_code: Type.Optional(Type.String({ pattern: '^[0-9]{6}([0-9]{3})?$' })),
      }, { additionalProperties: false }),
      response: { 200: Type.Array(RegionView), ...errorResponses },
    },
  }, async (req) => regions.list(deps.db, req.query));
};

export default regionRoutes;
