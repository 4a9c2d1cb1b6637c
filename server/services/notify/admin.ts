// The admin's side of notifications (issue 11): webhook subscriptions (the secret shown once), a test delivery, the
// outbox (pending, failed, dead, delivered) with a retry, and the e-mail address each department is told at.
// Every change is audited in its transaction.
import { randomBytes } from 'node:crypto';
import * as audit from '../../db/audit.js';
import * as departments from '../../db/departments.js';
import * as notify from '../../db/notify.js';
import type { Queryable } from '../../db/types.js';
import { DomainError } from '../../domain/errors.js';
import type { NotifyChannel } from '../../domain/notify.js';
import { postWebhook, webhookRequest } from './webhook.js';
import { failureText } from './channels.js';

export type NotifyAdminDeps = { db: Queryable; clock: { now(): Date }; webhook_timeout_ms: number; channels: readonly NotifyChannel[] };
export type Actor = { id: number; username: string };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type WebhookView = { id: number; name: string; url: string; created_at: string; created_by: number | null };
const webhookView = (w: notify.WebhookRow): WebhookView => ({ id: w.id, name: w.name, url: w.url, created_at: w.created_at.toISOString(), created_by: w.created_by });

/** Checks a subscriber's URL: http(s), no credentials in it (they would show in every list). */
function webhookUrl(raw: string): string {
  let u: URL;
  try { u = new URL(raw.trim()); } catch { throw new DomainError('bad_request', `"${raw}" is not a URL; give the receiver's full address, e.g. https://example.org/gridline-hook`, { url: 'not a URL' }); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DomainError('bad_request', 'The URL must start with http:// or https://', { url: 'http(s) only' });
  if (u.username || u.password) throw new DomainError('bad_request', 'Put no user name or password in the URL: the receiver checks the signature instead', { url: 'no credentials' });
  return u.toString();
}

/** Subscribes a system: every case change is POSTed to it. The secret is in this answer only. */
export async function createWebhook(deps: NotifyAdminDeps, by: Actor, input: { name: string; url: string }): Promise<WebhookView & { secret: string }> {
  const name = input.name.trim();
  if (!name) throw new DomainError('bad_request', 'name is empty; name the system that receives the events', { name: 'required' });
  const url = webhookUrl(input.url);
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const row = await notify.insertWebhook(tx, { name, url, secret, at: now, by: by.id });
    await audit.record(tx, { at: now, action: 'webhook.created', user_id: by.id, username: by.username, target: `webhook:${row.id}`, detail: { name, url } });
    return { ...webhookView(row), secret };
  });
}

export async function listWebhooks(deps: Pick<NotifyAdminDeps, 'db'>): Promise<WebhookView[]> {
  return (await notify.listWebhooks(deps.db)).map(webhookView);
}

/** Ends a subscription; what it had not received yet is dead-lettered. @throws DomainError not_found */
export async function deleteWebhook(deps: NotifyAdminDeps, by: Actor, id: number): Promise<WebhookView> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const row = await notify.deleteWebhook(tx, id, now);
    if (!row) throw new DomainError('not_found', `No webhook subscription with id ${id}`);
    await audit.record(tx, { at: now, action: 'webhook.deleted', user_id: by.id, username: by.username, target: `webhook:${id}`, detail: { name: row.name, url: row.url } });
    return webhookView(row);
  });
}

/** Sends a signed test event to the subscriber now (not through the outbox) and says how it went. */
export async function testWebhook(deps: NotifyAdminDeps, id: number): Promise<{ ok: boolean; error: string | null; delivery_id: string }> {
  const w = await notify.getWebhook(deps.db, id);
  if (!w) throw new DomainError('not_found', `No webhook subscription with id ${id}`);
  const now = deps.clock.now();
  const delivery_id = `test:${id}:${now.getTime()}`;
  try {
    await postWebhook(webhookRequest({ target: w.url, dedupe_key: delivery_id, event: 'test', params: {}, template: 'test', secret: w.secret }, now), deps.webhook_timeout_ms);
    return { ok: true, error: null, delivery_id };
  } catch (e) {
    return { ok: false, error: failureText(e), delivery_id };
  }
}

export type OutboxItem = Omit<notify.OutboxView, 'created_at' | 'next_attempt_at' | 'delivered_at' | 'dead_at'> & {
  state: notify.OutboxState; created_at: string; next_attempt_at: string | null; delivered_at: string | null; dead_at: string | null;
};

const stateOf = (r: notify.OutboxView): notify.OutboxState =>
  r.delivered_at ? 'delivered' : r.dead_at ? 'dead' : r.last_error ? 'failed' : 'pending';

/** The outbox, newest first, with the count of each state and the channels this server has set up. */
export async function listOutbox(deps: NotifyAdminDeps, q: { state?: notify.OutboxState; limit: number; offset: number }) {
  const { items, counts } = await notify.listOutbox(deps.db, { state: q.state ?? null, limit: q.limit, offset: q.offset });
  return {
    counts, channels: [...deps.channels],
    items: items.map((r): OutboxItem => {
      const state = stateOf(r);
      return { ...r, state, created_at: r.created_at.toISOString(), next_attempt_at: state === 'pending' || state === 'failed' ? r.next_attempt_at.toISOString() : null, delivered_at: iso(r.delivered_at), dead_at: iso(r.dead_at) };
    }),
  };
}

/** Puts a failed or dead message back in line for now. @throws DomainError not_found, not_allowed_in_state (delivered) */
export async function retryNotification(deps: NotifyAdminDeps, by: Actor, id: number): Promise<{ id: number }> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const row = await notify.retry(tx, id, now);
    if (!row) {
      if (await notify.outboxExists(tx, id)) throw new DomainError('not_allowed_in_state', `Notification ${id} was delivered already; there is nothing to retry`);
      throw new DomainError('not_found', `No notification with id ${id}`);
    }
    await audit.record(tx, { at: now, action: 'notification.retry', user_id: by.id, username: by.username, target: `notification:${id}` });
    return row;
  });
}

export async function listContacts(deps: Pick<NotifyAdminDeps, 'db'>) {
  return notify.listContacts(deps.db);
}

/** Sets (or with null clears) the address a department is told of new tasks at. @throws DomainError not_found, bad_request */
export async function setContact(deps: NotifyAdminDeps, by: Actor, department_id: number, email: string | null): Promise<void> {
  const e = email?.trim() || null;
  if (e && (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) || e.length > 254)) throw new DomainError('bad_request', `"${e}" is not an e-mail address`, { email: 'not an e-mail address' });
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (!(await departments.get(tx, department_id))) throw new DomainError('not_found', `No department with id ${department_id}`);
    await notify.setContact(tx, department_id, e, now);
    await audit.record(tx, { at: now, action: 'notification_contact.set', user_id: by.id, username: by.username, target: `department:${department_id}`, detail: { email: e } });
  });
}
