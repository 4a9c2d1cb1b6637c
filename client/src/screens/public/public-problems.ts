// What went wrong, in the words of the public pages (client/src/i18n/words-public.ts): the server's error code and
// field details → a message key (and the minutes to wait after a 429).
import { ApiError } from '../../api/http.js';
import type { MessageKey } from '../../i18n/index.js';

export type Problem = { key: MessageKey; minutes?: number };

export function problemOf(e: unknown): Problem {
  if (!(e instanceof ApiError)) return { key: 'pb_err_other' };
  if (e.isNetwork) return { key: 'pb_err_network' };
  const d = (e.details ?? {}) as Record<string, unknown>;
  if (e.code === 'too_many_requests') return { key: 'pb_err_quota', minutes: Math.max(1, Math.ceil(Number(d.retry_after_s ?? 60) / 60)) };
  if (e.code === 'not_found') return { key: 'pb_err_not_found' };
  if ('contact.phone' in d) return { key: 'pb_err_phone' };
  if ('contact.email' in d) return { key: 'pb_err_email' };
  if ('contact.notify' in d) return { key: 'pb_err_notify' };
  if (d.reason === 'outside_district') return { key: 'pb_outside' };
  if (e.code === 'forbidden' || (e.code === 'conflict' && d.ticket === 'used')) return { key: 'pb_err_ticket' };
  return { key: 'pb_err_other' };
}

