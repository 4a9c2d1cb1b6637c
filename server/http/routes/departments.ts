// Departments (专业部门): the list the dispatcher picks from; the admin console creates, edits and deactivates them
// (a department is never deleted: cases, users and the evaluation keep referring to it).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as departments from '../../services/departments.js';
import * as admin from '../../services/admin.js';
import { ErrorBody, Id, errorResponses } from '../schemas/common.js';
import { DepartmentSchema } from '../schemas/classes.js';
import { AdminDepartmentSchema, DepartmentCreateBody, DepartmentPatchBody, DepartmentWithUseSchema } from '../schemas/admin.js';
import { currentUser, requestMeta } from '../plugins/auth.js';

const adminErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };

const departmentRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { clock: { now(): Date } } }> = async (app, { deps }) => {
  const adminOnly = app.requireRole('admin');

  app.get('/api/departments', {
    onRequest: app.authenticate,
    schema: {
      tags: ['departments'], summary: 'Departments (id, name, credit code, level, parent)',
      description: 'Every department, deactivated ones too (old cases still name them); active=true: only those a case may be dispatched to.',
      querystring: Type.Object({
        active: Type.Optional(Type.Boolean({ description: 'true: only active departments (the dispatch list)' })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Array(DepartmentSchema),
        ...errorResponses,
      },
    },
  }, async (req) => (await departments.list(deps.db, { active_only: req.query.active === true }))
    .map((d) => ({ ...d, id: Number(d.id), parent_id: d.parent_id === null ? null : Number(d.parent_id) })));

  app.get('/api/admin/departments', {
    onRequest: adminOnly,
    schema: {
      tags: ['departments'], summary: 'Departments with whether they are active and what refers to them (admin)',
      response: { 200: Type.Object({ items: Type.Array(DepartmentWithUseSchema) }), ...adminErrors },
    },
  }, async () => ({ items: await admin.listDepartments(deps) }));

  app.post('/api/departments', {
    onRequest: adminOnly,
    schema: {
      tags: ['departments'], summary: 'Create a department (admin; audited)',
      description: '409 when the name or the credit code is taken (a retried create answers 409 naming the department it made). Level defaults to 2.',
      body: DepartmentCreateBody,
      response: { 201: AdminDepartmentSchema, ...adminErrors },
    },
  }, async (req, reply) => reply.status(201).send(await admin.createDepartment(deps, currentUser(req), req.body, requestMeta(req))));

  app.patch('/api/departments/:id', {
    onRequest: adminOnly,
    schema: {
      tags: ['departments'], summary: 'Change a department (admin; audited); active: false deactivates it',
      description: 'A deactivated department keeps its cases, users and history; it is only no longer offered. Sending what is set already records nothing.',
      params: Type.Object({ id: Id('department') }),
      body: DepartmentPatchBody,
      response: { 200: AdminDepartmentSchema, ...adminErrors },
    },
  }, async (req) => admin.updateDepartment(deps, currentUser(req), req.params.id, req.body, requestMeta(req)));
};

export default departmentRoutes;
