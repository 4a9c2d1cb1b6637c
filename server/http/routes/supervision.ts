// Electronic supervision (电子监察, issue 10): summary, one list per category, thresholds and alerts for the supervision
// centre, leaders and admin. Thin: rules in domain/supervision.ts, use cases in services/supervision.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as supervision from '../../services/supervision.js';
import { SUPERVISION_READERS, THRESHOLD_EDITORS } from '../../domain/supervision.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import { wire } from '../wire.js';
import { currentUser } from '../plugins/auth.js';
import {
  AlertsSchema, ListParams, ListQuery, SummaryQuery, SummarySchema, SupervisionListSchema, ThresholdsBody, ThresholdsSchema,
} from '../schemas/supervision.js';

const denied = { 401: ErrorBody, 403: ErrorBody };

const supervisionRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { supervision: supervision.SupervisionDeps } }> = async (app, { deps }) => {
  const s = deps.supervision;
  const readers = app.requireRole(...SUPERVISION_READERS);

  app.get('/api/supervision/summary', {
    onRequest: readers,
    schema: {
      tags: ['supervision'], summary: 'Electronic supervision: counts, overdue cases by department × step (worst first), the alerts',
      description: 'Overdue: open cases whose current step\'s light is red (suspended cases excluded); the handling step counts '
        + 'against the department, every other step against the centre\'s posts (department_id null). Urges, late returns '
        + 'and extensions count within the window of `days`; stockpiled counts the cases suspended now past the stockpile limit.',
      security: [{ bearer: [] }],
      querystring: SummaryQuery,
      response: { 200: SummarySchema, ...errorResponses, ...denied },
    },
  }, async (req) => wire(await supervision.summary(s, currentUser(req), req.query)));

  app.get('/api/supervision/cases/:category', {
    onRequest: readers,
    schema: {
      tags: ['supervision'], summary: 'One page of the cases of a supervision category (each row opens a case)',
      description: 'overdue: longest overdue first, filter by department (id or centre) and step. urged: each urge in the '
        + 'window with the handling side\'s answer (the first later action by the side the case waited on), unanswered first. '
        + 'stockpiled: suspended past the stockpile limit, longest first. late_returns: return applications in the window '
        + 'later than the return limit after their dispatch. extensions: granted in the window, newest first.',
      security: [{ bearer: [] }],
      params: ListParams,
      querystring: ListQuery,
      response: { 200: SupervisionListSchema, ...errorResponses, ...denied },
    },
  }, async (req) => wire(await supervision.list(s, currentUser(req), req.params.category, req.query)));

  app.get('/api/supervision/thresholds', {
    onRequest: readers,
    schema: {
      tags: ['supervision'], summary: 'The alert thresholds in force (version 0 = Gridline defaults)',
      security: [{ bearer: [] }],
      response: { 200: ThresholdsSchema, ...denied },
    },
  }, async () => wire(await supervision.thresholdsInForce(s.db)));

  app.put('/api/supervision/thresholds', {
    onRequest: app.requireRole(...THRESHOLD_EDITORS),
    schema: {
      tags: ['supervision'], summary: 'Set the alert thresholds (leaders, admin): a new version, recorded in the audit log',
      description: 'Every field is required. Setting the same values again is harmless (a new version with the same values), so a retry needs no Idempotency-Key.',
      security: [{ bearer: [] }],
      body: ThresholdsBody,
      response: { 200: ThresholdsSchema, ...errorResponses, ...denied },
    },
  }, async (req) => wire(await supervision.saveThresholds(s, currentUser(req), req.body, req.ip ?? null)));

  app.get('/api/supervision/alerts', {
    onRequest: readers,
    schema: {
      tags: ['supervision'], summary: 'The supervision alerts in force now (for the wall)',
      security: [{ bearer: [] }],
      response: { 200: AlertsSchema, ...denied },
    },
  }, async (req) => wire(await supervision.alerts(s, currentUser(req))));
};

export default supervisionRoutes;
