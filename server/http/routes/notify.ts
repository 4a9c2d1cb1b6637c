// The admin's notifications API (issue 11): webhook subscriptions (/api/admin/webhooks: create with the secret shown
// once, list, delete, test delivery), the outbox (/api/admin/notifications: pending, failed, dead, delivered; retry)
// and each department's e-mail for new tasks (/api/admin/notification-contacts). Thin: services/notify/admin.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import * as admin from '../../services/notify/admin.js';
import { ErrorBody, Id } from '../schemas/common.js';
import {
  ContactBody, ContactSchema, CreatedWebhookSchema, OutboxListSchema, OutboxQuery, WebhookBody, WebhookSchema, WebhookTestSchema,
} from '../schemas/notify.js';

export type NotifyRouteDeps = Deps & { notify: admin.NotifyAdminDeps };

const notifyRoutes: FastifyPluginAsyncTypebox<{ deps: NotifyRouteDeps }> = async (app, { deps }) => {
  const adminOnly = app.requireRole('admin');
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
  const by = (req: FastifyRequest) => ({ id: req.user!.id, username: req.user!.username });
  const tags = ['admin'];
  const d = deps.notify;

  app.post('/api/admin/webhooks', {
    onRequest: adminOnly,
    schema: {
      tags, summary: 'Subscribe a system to every case change (admin): signed POSTs; the secret is in this answer only',
      body: WebhookBody, response: { 201: CreatedWebhookSchema, ...errors },
    },
  }, async (req, reply) => reply.status(201).send(await admin.createWebhook(d, by(req), req.body)));

  app.get('/api/admin/webhooks', {
    onRequest: adminOnly,
    schema: { tags, summary: 'Webhook subscriptions (admin); never their secrets', response: { 200: Type.Array(WebhookSchema), ...errors } },
  }, async () => admin.listWebhooks(d));

  app.delete('/api/admin/webhooks/:id', {
    onRequest: adminOnly,
    schema: {
      tags, summary: 'End a subscription (admin); what it has not received yet is dead-lettered',
      params: Type.Object({ id: Id('subscription id') }), response: { 200: WebhookSchema, ...errors },
    },
  }, async (req) => admin.deleteWebhook(d, by(req), req.params.id));

  app.post('/api/admin/webhooks/:id/test', {
    onRequest: adminOnly,
    schema: {
      tags, summary: 'Send a signed test event to the subscriber now and say how it went (admin)',
      params: Type.Object({ id: Id('subscription id') }), response: { 200: WebhookTestSchema, ...errors },
    },
  }, async (req) => admin.testWebhook(d, req.params.id));

  app.get('/api/admin/notifications', {
    onRequest: adminOnly,
    schema: {
      tags, summary: 'The notification outbox, newest first (admin): pending, failed (retrying), dead, delivered',
      querystring: OutboxQuery, response: { 200: OutboxListSchema, ...errors },
    },
  }, async (req) => admin.listOutbox(d, req.query));

  app.post('/api/admin/notifications/:id/retry', {
    onRequest: adminOnly,
    schema: {
      tags, summary: 'Put a failed or dead notification back in line now (admin)',
      params: Type.Object({ id: Id('notification id') }), response: { 200: Type.Object({ id: Type.Integer() }), ...errors, 422: ErrorBody },
    },
  }, async (req) => admin.retryNotification(d, by(req), req.params.id));

  app.get('/api/admin/notification-contacts', {
    onRequest: adminOnly,
    schema: { tags, summary: "Each active department's e-mail for new tasks and how many crews get an SMS (admin)", response: { 200: Type.Array(ContactSchema), ...errors } },
  }, async () => admin.listContacts(d));

  app.put('/api/admin/notification-contacts/:department_id', {
    onRequest: adminOnly,
    schema: {
      tags, summary: "Set or clear a department's e-mail for new tasks (admin)",
      params: Type.Object({ department_id: Id('department id') }), body: ContactBody, response: { 204: Type.Null({ description: 'set' }), ...errors },
    },
  }, async (req, reply) => { await admin.setContact(d, by(req), req.params.department_id, req.body.email); return reply.status(204).send(null); });
};

export default notifyRoutes;
