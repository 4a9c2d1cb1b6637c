// A district's working calendar and time limits (admin only; issue 10): read them, and change them as new versions
// with a valid_from, each recorded in the audit log. A running step keeps the deadline computed when it started.
// Which district (issue 12): an admin kept to one, its own; else `?district=`, default the first district.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import * as rules from '../../services/district-rules.js';
import { ErrorBody } from '../schemas/common.js';
import { CalendarChangeBody, CalendarViewSchema, LimitsChangeBody, LimitsViewSchema } from '../schemas/admin-rules.js';
import { currentUser, requestMeta } from '../plugins/auth.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 422: ErrorBody };
const DistrictQuery = Type.Object({
  district: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'the district (6 digits) whose calendar or limits are meant; default the first district. An admin kept to a district: its own (another is a 403)' })),
}, { additionalProperties: false });
const Changed = Type.Object({ version: Type.Integer(), created: Type.Boolean({ description: 'false: the same as the latest version, nothing added (a retried save)' }) });

const adminRulesRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { rules: rules.RuleBook } }> = async (app, { deps }) => {
  const adminOnly = app.requireRole('admin');
  const change = { db: deps.db, book: deps.rules };
  const districtOf = (req: FastifyRequest<{ Querystring: Static<typeof DistrictQuery> }>) => rules.rulesDistrict(change, currentUser(req), req.query.district);

  app.get('/api/admin/calendar', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: "A district's working calendar: time zone, holidays, working hours, with every version",
      querystring: DistrictQuery,
      response: { 200: CalendarViewSchema, ...errors },
    },
  }, async (req) => rules.calendarView(deps.rules, await districtOf(req)));

  app.put('/api/admin/calendar', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: "Change a district's working calendar (a new version from valid_from; audited)",
      description: 'Steps started from valid_from on use the new calendar; deadlines already set are kept. '
        + 'Sending the same settings as the latest version without valid_from adds nothing (a retry is safe).',
      querystring: DistrictQuery,
      body: CalendarChangeBody,
      response: { 200: Type.Object({ ...CalendarViewSchema.properties, ...Changed.properties }, { additionalProperties: false }), ...errors },
    },
  }, async (req) => {
    const { valid_from, note, ...settings } = req.body;
    const u = currentUser(req);
    const r = await rules.changeCalendar(change, u, requestMeta(req).ip, { settings, valid_from, note }, await districtOf(req));
    return { ...r.view, version: r.version, created: r.created };
  });

  app.get('/api/admin/limits', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: "A district's time limits: step limits and handling limits per (class, filing condition), with every version",
      querystring: DistrictQuery,
      response: { 200: LimitsViewSchema, ...errors },
    },
  }, async (req) => rules.limitsView(deps.rules, await districtOf(req)));

  app.put('/api/admin/limits', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: 'Change time limits (a new version from valid_from; audited)',
      description: 'Only the limits sent change; the rest is copied from the version in force at valid_from. '
        + 'Steps started from valid_from on use the new limits; deadlines already set are kept. '
        + 'Sending no change against the latest version without valid_from adds nothing (a retry is safe).',
      querystring: DistrictQuery,
      body: LimitsChangeBody,
      response: { 200: Type.Object({ ...LimitsViewSchema.properties, ...Changed.properties }, { additionalProperties: false }), ...errors },
    },
  }, async (req) => {
    const { valid_from, note, ...changes } = req.body;
    const r = await rules.changeLimits(change, currentUser(req), requestMeta(req).ip, { changes, valid_from, note }, await districtOf(req));
    return { ...r.view, version: r.version, created: r.created };
  });
};

export default adminRulesRoutes;
