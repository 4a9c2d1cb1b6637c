// Notification channels (issue 11 §Notifications): one small interface, one module per way out (webhook.ts,
// smtp.ts, sms.ts). A channel delivers one message or throws; the worker (worker.ts) retries and dead-letters.
import type { Language, NotifyChannel, SmsGateway, SmtpSettings, Template } from '../../domain/notify.js';
import { webhookChannel } from './webhook.js';
import { smtpChannel } from './smtp.js';
import { smsChannel } from './sms.js';

/** One message to one recipient, as the worker hands it to a channel. */
export type Delivery = {
  id: number; channel: NotifyChannel; target: string; template: Template; params: Record<string, unknown>;
  event: string; dedupe_key: string; language: Language;
  /** The webhook subscription's HMAC key (webhooks only). */
  secret: string | null;
};

export interface Channel {
  readonly name: NotifyChannel;
  /** Delivers or throws an Error whose message says why (it is stored as last_error and shown to the admin). */
  deliver(d: Delivery): Promise<void>;
}

/** `webhook_timeout_ms` bounds a webhook POST and an SMS gateway request; an SMTP conversation waits up to 30 s a step. */
export type ChannelSettings = { webhook_timeout_ms: number; smtp: SmtpSettings | null; sms: SmsGateway | null };

/** The channels the settings make available: webhooks always; e-mail with GRIDLINE_SMTP_URL; SMS with GRIDLINE_SMS_URL. */
export function channelsOf(s: ChannelSettings): Map<NotifyChannel, Channel> {
  const out = new Map<NotifyChannel, Channel>([['webhook', webhookChannel({ timeout_ms: s.webhook_timeout_ms })]]);
  if (s.smtp) out.set('email', smtpChannel(s.smtp, { timeout_ms: 30_000 }));
  if (s.sms) out.set('sms', smsChannel(s.sms, { timeout_ms: s.webhook_timeout_ms }));
  return out;
}

/** Why a request failed, for a person: the HTTP status, or the network's error code (ECONNREFUSED, timeout …). */
export function failureText(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time (timeout)';
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return `${e.message}: ${cause.code}`;
    if (cause?.message) return `${e.message}: ${cause.message}`;
    return e.message;
  }
  return String(e);
}
