// The admin's notifications endpoints (issue 11): webhook subscriptions, the outbox with retry, departments' e-mail.
// One function per endpoint; types from the server's response schemas.
import type { Static } from '@fastify/type-provider-typebox';
import type { ContactSchema, CreatedWebhookSchema, OutboxItemSchema, OutboxListSchema, WebhookSchema, WebhookTestSchema } from '../../../server/http/schemas/notify.js';
import { getJson, sendJson, withQuery } from './http.js';

export type Webhook = Static<typeof WebhookSchema>;
export type CreatedWebhook = Static<typeof CreatedWebhookSchema>;
export type WebhookTest = Static<typeof WebhookTestSchema>;
export type OutboxItem = Static<typeof OutboxItemSchema>;
export type OutboxList = Static<typeof OutboxListSchema>;
export type OutboxState = OutboxItem['state'];
export type NotificationContact = Static<typeof ContactSchema>;

export const listWebhooks = (signal?: AbortSignal) => getJson<Webhook[]>('/api/admin/webhooks', { signal });
export const createWebhook = (w: { name: string; url: string }) => sendJson<CreatedWebhook>('POST', '/api/admin/webhooks', w);
export const deleteWebhook = (id: number) => sendJson<Webhook>('DELETE', `/api/admin/webhooks/${id}`);
export const testWebhook = (id: number) => sendJson<WebhookTest>('POST', `/api/admin/webhooks/${id}/test`);
export const listOutbox = (q: { state?: OutboxState; limit?: number; offset?: number }, signal?: AbortSignal) =>
  getJson<OutboxList>(withQuery('/api/admin/notifications', { state: q.state, limit: q.limit, offset: q.offset }), { signal });
export const retryNotification = (id: number) => sendJson<{ id: number }>('POST', `/api/admin/notifications/${id}/retry`);
export const listContacts = (signal?: AbortSignal) => getJson<NotificationContact[]>('/api/admin/notification-contacts', { signal });
export const setContact = (department_id: number, email: string | null) =>
  sendJson<null>('PUT', `/api/admin/notification-contacts/${department_id}`, { email });
