// The admin console (issue 10), admin only: class defaults (which department a class goes to), inspectors'
// responsibility grids (set / add / remove, with the outlines for the console's map) and the audit log.
// Departments themselves are in routes/departments.ts, users and password resets in routes/users.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as admin from '../../services/admin.js';
import { ErrorBody } from '../schemas/common.js';
import { FeatureCollectionSchema, geojsonResponse } from '../schemas/geojson.js';
import {
  AuditEntrySchema, AuditQuery, ClassDefaultBody, ClassDefaultParams, ClassDefaultSchema, ClassKind, GridCodeParams,
  GridCodesBody, InspectorGridsSchema, ResponsibilityGridSchema,
} from '../schemas/admin.js';
import { Id } from '../schemas/common.js';
import { currentUser, requestMeta } from '../plugins/auth.js';
import { featureCollectionText } from '../geojson.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const changeErrors = { ...errors, 422: ErrorBody };
const InspectorParams = Type.Object({ id: Id('inspector (user id)') });

const adminRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { clock: { now(): Date } } }> = async (app, { deps }) => {
  const adminOnly = app.requireRole('admin');

  app.get('/api/admin/class-defaults', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: 'Every class with the department it goes to by default (admin)',
      querystring: Type.Object({ kind: Type.Optional(ClassKind) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(ClassDefaultSchema) }), ...errors },
    },
  }, async (req) => ({ items: await admin.listClassDefaults(deps, req.query.kind ?? null) }));

  app.put('/api/admin/class-defaults/:kind/:class_code', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: 'Set the default department of a class (admin; null clears it; audited)',
      description: 'Setting what is set already changes and records nothing, so a retry is safe. 422 for a deactivated department.',
      params: ClassDefaultParams, body: ClassDefaultBody,
      response: { 200: ClassDefaultSchema, ...changeErrors },
    },
  }, async (req) => admin.setClassDefault(deps, currentUser(req), req.params.kind, req.params.class_code, req.body.department_id, requestMeta(req)));

  app.get('/api/admin/responsibility-grids', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: 'Responsibility grids (责任网格) with their inspectors (admin); inspector_id narrows to one inspector',
      querystring: Type.Object({ inspector_id: Type.Optional(Id('inspector (user id)')) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(ResponsibilityGridSchema) }), ...errors },
    },
  }, async (req) => ({ items: await admin.listResponsibilityGrids(deps, req.query.inspector_id ?? null) }));

  app.get('/api/admin/responsibility-grids/outlines', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: 'Every responsibility grid\'s outline (union of its unit grids) with its inspector, as GeoJSON (admin)',
      response: { 200: geojsonResponse('GeoJSON FeatureCollection of responsibility grids', FeatureCollectionSchema(ResponsibilityGridSchema)), ...errors },
    },
  }, async (_req, reply) => {
    const rows = await admin.responsibilityOutlines(deps);
    return reply.type('application/geo+json').send(featureCollectionText(rows.map((r) => ({ ...r, geometry: r.geometry ?? 'null' })), 'code'));
  });

  const gridChange = (mode: admin.GridChange['mode'], summary: string) => ({
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary,
      description: 'Codes must be responsibility grids (422 otherwise, listing them) and the user an inspector (422). A grid another inspector '
        + 'held moves to this one (taken_from). A change that changes nothing records nothing, so a retry is safe. Audited with before/after.',
      params: InspectorParams, body: GridCodesBody,
      response: { 200: InspectorGridsSchema, ...changeErrors },
    },
  });

  app.put('/api/users/:id/grids', gridChange('set', 'Set an inspector\'s responsibility grids to exactly these (admin)'),
    async (req) => admin.changeInspectorGrids(deps, currentUser(req), req.params.id, { mode: 'set', codes: req.body.codes }, requestMeta(req)));
  app.post('/api/users/:id/grids', gridChange('add', 'Add responsibility grids to an inspector\'s (admin)'),
    async (req) => admin.changeInspectorGrids(deps, currentUser(req), req.params.id, { mode: 'add', codes: req.body.codes }, requestMeta(req)));

  app.delete('/api/users/:id/grids/:code', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: 'Take one responsibility grid from an inspector (admin; audited)',
      params: GridCodeParams,
      response: { 200: InspectorGridsSchema, ...changeErrors },
    },
  }, async (req) => admin.changeInspectorGrids(deps, currentUser(req), req.params.id, { mode: 'remove', codes: [req.params.code] }, requestMeta(req)));

  app.get('/api/admin/audit', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: 'The audit log (电子监察), newest first (admin); filter by action, action prefix, user and time',
      querystring: AuditQuery,
      response: { 200: Type.Object({ items: Type.Array(AuditEntrySchema) }), ...errors },
    },
  }, async (req) => {
    const q = req.query;
    const rows = await admin.auditLog(deps, {
      action: q.action, action_prefix: q.action_prefix, username: q.username, limit: q.limit, before_id: q.before_id,
      since: q.since ? new Date(q.since) : undefined, until: q.until ? new Date(q.until) : undefined,
    });
    return { items: rows.map((r) => ({ ...r, at: r.at.toISOString(), detail: r.detail ?? null })) };
  });
};

export default adminRoutes;
