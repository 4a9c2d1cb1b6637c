// Departments (专业部门): the list the dispatcher picks from.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as departments from '../../services/departments.js';
import { errorResponses } from '../schemas/common.js';
import { DepartmentSchema } from '../schemas/classes.js';

const departmentRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/departments', {
    onRequest: app.authenticate,
    schema: {
      tags: ['departments'], summary: 'Departments (id, name, credit code, level, parent)',
      response: {
        200: Type.Array(DepartmentSchema),
        ...errorResponses,
      },
    },
  }, async () => (await departments.list(deps.db)).map((d) => ({ ...d, id: Number(d.id), parent_id: d.parent_id === null ? null : Number(d.parent_id) })));
};

export default departmentRoutes;
