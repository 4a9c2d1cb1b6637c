// Webhook channel: POST JSON to the subscriber, signed with its secret (X-Gridline-Signature: sha256=HMAC over
// `${timestamp}.${body}`), the delivery id in X-Gridline-Delivery and Idempotency-Key so a retry is recognisable.
// Any 2xx is delivered; anything else (another status, refused connection, timeout) is a failed attempt.
import { webhookBody, webhookSignature } from '../../domain/notify.js';
import type { Channel, Delivery } from './channels.js';
import { failureText } from './channels.js';

export type WebhookRequest = { url: string; headers: Record<string, string>; body: string };

/** The request of one webhook delivery at `now` (exported for the admin's test delivery and for tests). */
export function webhookRequest(d: Pick<Delivery, 'target' | 'dedupe_key' | 'event' | 'params' | 'template' | 'secret'>, now: Date): WebhookRequest {
  const body = webhookBody(d);
  const ts = Math.floor(now.getTime() / 1000);
  return {
    url: d.target, body,
    headers: {
      'content-type': 'application/json; charset=utf-8', 'user-agent': 'Gridline-Webhook/1',
      'x-gridline-event': d.event, 'x-gridline-delivery': d.dedupe_key, 'idempotency-key': d.dedupe_key,
      'x-gridline-timestamp': String(ts), 'x-gridline-signature': webhookSignature(d.secret ?? '', ts, body),
    },
  };
}

export async function postWebhook(r: WebhookRequest, timeout_ms: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(r.url, { method: 'POST', headers: r.headers, body: r.body, redirect: 'manual', signal: AbortSignal.timeout(timeout_ms) });
  } catch (e) {
    throw new Error(`POST ${r.url} failed (${failureText(e)})`);
  }
  await res.arrayBuffer().catch(() => undefined); // read to the end: the connection is reused
  if (res.status < 200 || res.status > 299) throw new Error(`POST ${r.url} answered HTTP ${res.status}`);
}

export function webhookChannel(o: { timeout_ms: number; now?: () => Date }): Channel {
  return {
    name: 'webhook',
    async deliver(d) {
      if (!d.secret) throw new Error('the webhook subscription has no secret');
      await postWebhook(webhookRequest(d, (o.now ?? (() => new Date()))()), o.timeout_ms);
    },
  };
}
