// GET /api/cases/wall: the wall's bulk feed (issue 10), every open case the caller may see in a few keyset pages of
// columns, so the command centre's wall holds 100,000 cases. Thin: the rules are services/wall-feed.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import { wallFeedPage } from '../../services/wall-feed.js';
import { WALL_PAGE, WALL_PAGE_MAX } from '../../domain/wall-feed.js';
import { errorResponses } from '../schemas/common.js';
import { WallFeedSchema } from '../schemas/wall-feed.js';
import { wire } from '../wire.js';

const wallFeedRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  app.get('/api/cases/wall', {
    onRequest: app.authenticate,
    schema: {
      tags: ['cases'],
      summary: 'The wall\'s bulk feed: every open case the caller may see (same visibility as GET /api/cases), only the fields the wall draws, as columns, keyset-paged by id',
      description: `Call without \`after\`, then with each answer's \`next_after\` until it is null: every open case the caller may see comes exactly once (cases changed meanwhile come by GET /api/live). Pages of \`limit\` rows (default ${WALL_PAGE}).`,
      querystring: Type.Object({
        after: Type.Optional(Type.String({ format: 'uuid', description: 'the previous page\'s next_after' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: WALL_PAGE_MAX, default: WALL_PAGE, description: `rows a page (at most ${WALL_PAGE_MAX})` })),
      }, { additionalProperties: false }),
      response: { 200: WallFeedSchema, ...errorResponses },
    },
  }, async (req) => wire(await wallFeedPage(deps.cases, req.user, req.query)) as never);
};

export default wallFeedRoutes;
