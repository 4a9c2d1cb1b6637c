// Standard classes (GB/T 47678.5-2026): docs/domain.md §2.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as classes from '../../services/classes.js';
import { DomainError } from '../../domain/errors.js';
import { ClassCode, errorResponses } from '../schemas/common.js';
import { ClassKindSchema as Kind, ClassViewSchema as ClassView } from '../schemas/classes.js';


const classRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/classes', {
    schema: {
      tags: ['classes'], summary: 'Standard component and matter classes',
      querystring: Type.Object({ kind: Type.Optional(Kind) }, { additionalProperties: false }),
      response: { 200: Type.Array(ClassView), ...errorResponses },
    },
  }, async (req) => classes.list(deps.db, req.query.kind));

  app.get('/api/classes/:kind/:code', {
    schema: {
      tags: ['classes'], summary: 'One class',
      params: Type.Object({ kind: Kind, code: ClassCode }),
      response: { 200: ClassView, ...errorResponses },
    },
  }, async (req) => {
    const c = await classes.get(deps.db, req.params.kind, req.params.code);
    if (!c) throw new DomainError('not_found', `No ${req.params.kind} class with code ${req.params.code}`);
    return c;
  });
};

export default classRoutes;
