// SMS channel through an HTTP gateway (GRIDLINE_SMS_URL with {to}/{text}, optionally GRIDLINE_SMS_METHOD,
// GRIDLINE_SMS_HEADERS and a GRIDLINE_SMS_BODY template): any 2xx is sent. The delivery id goes along in
// X-Gridline-Delivery and Idempotency-Key for gateways that drop repeats.
import { renderMessage, smsRequest, type SmsGateway } from '../../domain/notify.js';
import type { Channel } from './channels.js';
import { failureText } from './channels.js';

export function smsChannel(g: SmsGateway, o: { timeout_ms: number }): Channel {
  return {
    name: 'sms',
    async deliver(d) {
      const { text } = renderMessage(d.template, d.params, d.language);
      const r = smsRequest(g, d.target, text);
      let res: Response;
      try {
        res = await fetch(r.url, {
          method: r.method, headers: { ...r.headers, 'x-gridline-delivery': d.dedupe_key, 'idempotency-key': d.dedupe_key },
          body: r.body ?? undefined, redirect: 'manual', signal: AbortSignal.timeout(o.timeout_ms),
        });
      } catch (e) {
        throw new Error(`SMS gateway ${new URL(r.url).host} failed (${failureText(e)})`);
      }
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) throw new Error(`SMS gateway ${new URL(r.url).host} answered HTTP ${res.status}`);
    },
  };
}
