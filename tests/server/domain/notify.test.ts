// Notifications (issue 11), no database: who hears of a case change, the texts in zh and en, the retry schedule,
// the webhook signature, the SMS gateway request, the e-mail message, and the channels against local receivers
// (a tiny SMTP server that records the conversation, an HTTP SMS gateway). Also Open311's address lookup and the
// per-key token bucket.
import { afterEach, describe, expect, test } from 'vitest';
import {
  afterFailure, districtLanguage, emailData, parseSmsGateway, parseSmtp, planCaseNotifications, renderMessage, smsRequest,
  verifyWebhookSignature, webhookSignature, type CaseChange, type Recipients,
} from '../../../server/domain/notify.js';
import { geocodeOf } from '../../../server/domain/open311.js';
import { takeToken } from '../../../server/domain/token-bucket.js';
import { sendMail, smtpChannel } from '../../../server/services/notify/smtp.js';
import { smsChannel } from '../../../server/services/notify/sms.js';
import { webhookChannel, webhookRequest } from '../../../server/services/notify/webhook.js';
import { closedPort, httpReceiver, startSmtpServer } from '../../helpers/receivers.js';

const change = (over: Partial<CaseChange> = {}): CaseChange => ({
  case_id: '00000000-0000-4000-8000-000000000001', case_no: '110101202611230001', version: 4, action: 'dispatch',
  from: 'pending_dispatch', to: 'handling', department_id: 7, class_code: '06010', class_name_zh: '暴露垃圾', class_name_en: 'Exposed garbage',
  grid_code: '110101001001001', address: '东四北大街', lon: 116.41, lat: 39.93, urgent: false, at: new Date('2026-11-23T02:00:00Z'), ...over,
});
const everyone: Recipients = {
  webhooks: [{ id: 1, url: 'http://a.example/hook' }, { id: 2, url: 'http://b.example/hook' }],
  crew_phones: ['13800000001', '13800000002'], department_email: 'crew@example.org',
  optins: [{ channel: 'sms', target: '13900000000', language: null }],
};

describe('who hears of a case change', () => {
  test('a dispatch: every webhook, each crew phone and the department e-mail of the new task, and the opted-in reporter', () => {
    const rows = planCaseNotifications(change(), everyone);
    expect(rows.map((r) => [r.channel, r.target, r.template])).toEqual([
      ['webhook', 'http://a.example/hook', 'case_changed'], ['webhook', 'http://b.example/hook', 'case_changed'],
      ['sms', '13800000001', 'task_new'], ['sms', '13800000002', 'task_new'], ['email', 'crew@example.org', 'task_new'],
      ['sms', '13900000000', 'case_progress'],
    ]);
    expect(new Set(rows.map((r) => r.dedupe_key)).size).toBe(rows.length);
    expect(rows.every((r) => r.event === 'case.dispatch' && r.dedupe_key.startsWith(`case:${change().case_id}:v4:`))).toBe(true);
  });

  test('the same change planned twice gives the same dedupe keys (a retried write adds nothing)', () => {
    expect(planCaseNotifications(change(), everyone).map((r) => r.dedupe_key)).toEqual(planCaseNotifications(change(), everyone).map((r) => r.dedupe_key));
  });

  test('an internal step (no status change, or a status the public does not follow) reaches only the webhooks', () => {
    const urge = planCaseNotifications(change({ action: 'urge', from: 'handling', to: 'handling' }), everyone);
    expect(urge.map((r) => r.channel)).toEqual(['webhook', 'webhook']);
    const check = planCaseNotifications(change({ action: 'send_check', from: 'pending_check', to: 'checking' }), everyone);
    expect(check.map((r) => r.template)).toEqual(['case_changed', 'case_changed']);
  });

  test('a contact given twice (hotline opt-in and the public form) gets one message', () => {
    const rows = planCaseNotifications(change({ action: 'close', from: 'pending_closing', to: 'closed' }),
      { ...everyone, webhooks: [], optins: [everyone.optins[0], everyone.optins[0]] });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ template: 'case_progress', target: '13900000000' });
  });

  test('the webhook payload carries no reporter contact', () => {
    const [w] = planCaseNotifications(change(), everyone);
    expect(Object.keys(w.params).sort()).toEqual(['action', 'address', 'at', 'case_id', 'case_no', 'class_code', 'class_name_en', 'class_name_zh',
      'department_id', 'from', 'grid_code', 'lat', 'lon', 'status', 'urgent', 'version']);
  });
});

describe('texts', () => {
  test.each([
    ['zh', 'task_new', '新任务：案件 110101202611230001（暴露垃圾），东四北大街。请登录格线处置并按时反馈。'],
    ['en', 'task_new', 'New task: case 110101202611230001 (Exposed garbage) at 东四北大街. Log in to Gridline to handle it and report back in time.'],
    ['zh', 'case_progress', '您反映的问题（案件 110101202611230001，暴露垃圾）已派遣，处置中。如需查询请报案件号。'],
    ['en', 'case_progress', 'Your report (case 110101202611230001, Exposed garbage) is dispatched, being fixed. Quote the case number when you ask about it.'],
  ] as const)('%s %s', (lang, template, text) => {
    const [row] = planCaseNotifications(change(), { ...everyone, webhooks: [] });
    expect(renderMessage(template, row.params, lang).text).toBe(text);
  });

  test('the district decides the language: US holidays (Cambridge) en, otherwise zh', () => {
    expect(districtLanguage('us')).toBe('en');
    expect(districtLanguage('cn')).toBe('zh');
  });
});

describe('retries', () => {
  const p = { base_ms: 1000, max_ms: 60_000, max_attempts: 6 };
  const at = new Date(0);
  test('the wait doubles with each failure, between half and all of it (jitter), capped', () => {
    const waits = [1, 2, 3, 4, 5].map((n) => [0, 0.999999].map((r) => { const x = afterFailure(n, at, r, p); return x.dead ? -1 : x.next_at.getTime(); }));
    expect(waits).toEqual([[500, 1000], [1000, 2000], [2000, 4000], [4000, 8000], [8000, 16000]]);
    const capped = afterFailure(5, at, 0.5, { ...p, max_ms: 3000, max_attempts: 10 });
    expect(capped.dead ? 0 : capped.next_at.getTime()).toBe(2250);
  });
  test('after the last attempt the message is dead', () => {
    expect(afterFailure(6, at, 0.5, p)).toEqual({ dead: true });
    expect(afterFailure(5, at, 0.5, p).dead).toBe(false);
  });
});

describe('webhook signature', () => {
  test('HMAC-SHA256 over timestamp.body verifies, and fails for another body, time or secret', () => {
    const secret = 'whsec_0123456789abcdef0123456789abcdef';
    const sig = webhookSignature(secret, 1764900000, '{"a":1}');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, 1764900000, '{"a":1}', sig)).toBe(true);
    expect(verifyWebhookSignature(secret, 1764900000, '{"a":2}', sig)).toBe(false);
    expect(verifyWebhookSignature(secret, 1764900001, '{"a":1}', sig)).toBe(false);
    expect(verifyWebhookSignature(`${secret}x`, 1764900000, '{"a":1}', sig)).toBe(false);
  });
  test('the request carries the delivery id as X-Gridline-Delivery and Idempotency-Key', () => {
    const r = webhookRequest({ target: 'http://x/h', dedupe_key: 'case:1:v2:webhook:3', event: 'case.file', params: { a: 1 }, template: 'case_changed', secret: 's'.repeat(32) }, new Date(1764900000_000));
    expect(r.headers).toMatchObject({ 'x-gridline-delivery': 'case:1:v2:webhook:3', 'idempotency-key': 'case:1:v2:webhook:3', 'x-gridline-timestamp': '1764900000' });
    expect(JSON.parse(r.body)).toEqual({ delivery_id: 'case:1:v2:webhook:3', event: 'case.file', case: { a: 1 } });
    expect(verifyWebhookSignature('s'.repeat(32), 1764900000, r.body, r.headers['x-gridline-signature'])).toBe(true);
  });
});

describe('settings', () => {
  test('SMS gateway: placeholders percent-encoded in the URL, JSON-escaped in a JSON body', () => {
    expect(smsRequest({ url: 'http://gw/send?to={to}&msg={text}', method: 'GET', headers: {}, body: null }, '+86 138', '你好 & "x"').url)
      .toBe('http://gw/send?to=%2B86%20138&msg=%E4%BD%A0%E5%A5%BD%20%26%20%22x%22');
    const post = smsRequest({ url: 'http://gw/send', method: 'POST', headers: { authorization: 'Bearer k' }, body: '{"to":"{to}","text":"{text}"}' }, '138', 'a "b"\nc');
    expect(JSON.parse(post.body!)).toEqual({ to: '138', text: 'a "b"\nc' });
    expect(post.headers).toEqual({ authorization: 'Bearer k', 'content-type': 'application/json' });
    const form = smsRequest({ url: 'http://gw/send', method: 'POST', headers: {}, body: 'to={to}&text={text}' }, '138', 'a&b c');
    expect(Object.fromEntries(new URLSearchParams(form.body!))).toEqual({ to: '138', text: 'a&b c' });
  });
  test('bad SMS and SMTP settings are named', () => {
    expect(parseSmsGateway({ url: 'http://gw/send?to={to}' }).errors).toEqual(['GRIDLINE_SMS_URL or GRIDLINE_SMS_BODY must hold {to} and {text}']);
    expect(parseSmsGateway({ url: 'http://gw/{to}/{text}', method: 'PUT' }).errors[0]).toMatch(/GRIDLINE_SMS_METHOD/);
    expect(parseSmsGateway({ url: 'http://gw/{to}/{text}', headers: '[1]' }).errors[0]).toMatch(/GRIDLINE_SMS_HEADERS/);
    expect(parseSmtp('http://x', 'a@b').errors[0]).toMatch(/smtp: or smtps:/);
    expect(parseSmtp('smtp://mail.example.org', undefined).errors[0]).toMatch(/GRIDLINE_SMTP_FROM/);
    expect(parseSmtp('smtp://u%40x:p%3Aw@mail.example.org:2525', 'g@example.org').smtp)
      .toEqual({ secure: false, host: 'mail.example.org', port: 2525, user: 'u@x', pass: 'p:w', from: 'g@example.org' });
  });
  test('e-mail DATA doubles a leading dot and ends lines with CRLF', () => {
    const d = emailData({ from: 'g@x.org', to: 'c@x.org', subject: '新任务', text: 'one\n.\n..two', date: new Date(0), message_id: 'm@x.org', delivery_id: 'k' });
    expect(d).toContain('Subject: =?UTF-8?B?5paw5Lu75Yqh?=');
    expect(d.endsWith('\r\n\r\none\r\n..\r\n...two\r\n')).toBe(true);
  });
});

describe('channels against local receivers', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => { for (const c of closers.splice(0)) await c(); });

  test('SMTP: EHLO, AUTH PLAIN, MAIL, RCPT, DATA with dot-stuffing, QUIT; the server gets the text back', async () => {
    const smtp = await startSmtpServer({ auth: ['PLAIN', 'LOGIN'], user: 'gridline', pass: 'p@ss' });
    closers.push(smtp.close);
    await sendMail({ secure: false, host: '127.0.0.1', port: smtp.port, user: 'gridline', pass: 'p@ss', from: 'noreply@city.example' },
      { to: 'crew@city.example', subject: 'Task', text: 'line\n.\nend', delivery_id: 'case:x:v1:task:email:crew@city.example' }, { timeout_ms: 5000 });
    const cmds = smtp.record.lines.map((l) => l.split(' ')[0].toUpperCase());
    expect(cmds).toEqual(['EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect(smtp.record.lines[1]).toBe(`AUTH PLAIN ${Buffer.from('\0gridline\0p@ss').toString('base64')}`);
    expect(smtp.record.lines[2]).toBe('MAIL FROM:<noreply@city.example> BODY=8BITMIME');
    const [m] = smtp.record.messages;
    expect(m.to).toEqual(['crew@city.example']);
    expect(m.data).toContain('X-Gridline-Delivery: case:x:v1:task:email:crew@city.example');
    expect(m.data.split('\r\n\r\n')[1]).toBe('line\r\n..\r\nend'); // as on the wire: the lone dot was doubled
  });

  test('SMTP: AUTH LOGIN when only LOGIN is offered; wrong credentials are an error naming the step', async () => {
    const smtp = await startSmtpServer({ auth: ['LOGIN'], user: 'u', pass: 'right' });
    closers.push(smtp.close);
    const s = { secure: false, host: '127.0.0.1', port: smtp.port, user: 'u', pass: 'right', from: 'g@city.example' };
    await sendMail(s, { to: 'a@city.example', subject: 's', text: 't', delivery_id: 'd' }, { timeout_ms: 5000 });
    expect(smtp.record.lines).toContain('AUTH LOGIN');
    await expect(sendMail({ ...s, pass: 'wrong' }, { to: 'a@city.example', subject: 's', text: 't', delivery_id: 'd' }, { timeout_ms: 5000 }))
      .rejects.toThrow(/AUTH LOGIN password refused: 535/);
  });

  test('SMTP: a refused recipient and a closed port are errors, in words', async () => {
    const smtp = await startSmtpServer({ refuseRcpt: true });
    closers.push(smtp.close);
    const ch = smtpChannel({ secure: false, host: '127.0.0.1', port: smtp.port, user: null, pass: null, from: 'g@city.example' }, { timeout_ms: 5000 });
    const d = { id: 1, channel: 'email' as const, target: 'nobody@city.example', template: 'test' as const, params: {}, event: 'test', dedupe_key: 'k', language: 'en' as const, secret: null };
    await expect(ch.deliver(d)).rejects.toThrow(/RCPT TO refused: 550/);
    const port = await closedPort();
    await expect(sendMail({ secure: false, host: '127.0.0.1', port, user: null, pass: null, from: 'g@city.example' }, { to: 'a@b.c', subject: 's', text: 't', delivery_id: 'd' }, { timeout_ms: 5000 }))
      .rejects.toThrow(/no connection to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  test('SMS gateway: the rendered text reaches the gateway; a 5xx is a failure', async () => {
    const gw = httpReceiver((_h, n) => (n === 2 ? 503 : 200));
    const port = await gw.start();
    closers.push(gw.stop);
    const ch = smsChannel({ url: `http://127.0.0.1:${port}/send`, method: 'POST', headers: { 'x-api-key': 'k1' }, body: '{"phone":"{to}","msg":"{text}"}' }, { timeout_ms: 5000 });
    const d = { id: 1, channel: 'sms' as const, target: '13800000001', template: 'task_new' as const, event: 'case.dispatch', dedupe_key: 'case:y:v3:task:sms:13800000001', language: 'zh' as const, secret: null,
      params: planCaseNotifications(change(), { ...everyone, webhooks: [] })[0].params };
    await ch.deliver(d);
    expect(JSON.parse(gw.hits[0].body)).toEqual({ phone: '13800000001', msg: '新任务：案件 110101202611230001（暴露垃圾），东四北大街。请登录格线处置并按时反馈。' });
    expect(gw.hits[0].headers).toMatchObject({ 'x-api-key': 'k1', 'content-type': 'application/json', 'x-gridline-delivery': d.dedupe_key });
    await expect(ch.deliver(d)).rejects.toThrow(/answered HTTP 503/);
  });

  test('webhook: connection refused and timeouts are failures in words', async () => {
    const port = await closedPort();
    const ch = webhookChannel({ timeout_ms: 2000 });
    await expect(ch.deliver({ id: 1, channel: 'webhook', target: `http://127.0.0.1:${port}/h`, template: 'test', params: {}, event: 'test', dedupe_key: 'k', language: 'en', secret: 's'.repeat(32) }))
      .rejects.toThrow(/failed \(fetch failed: ECONNREFUSED\)/);
  });
});

describe('Open311 odds and ends', () => {
  const places = [{ name: '东四北大街', lon: 116.417, lat: 39.93 }, { name: '东四北大街辅路', lon: 116.418, lat: 39.931 }];
  test('an address is the place named exactly, or the only one found', () => {
    expect(geocodeOf('东四北大街', places)).toEqual({ lon: 116.417, lat: 39.93, name: '东四北大街' });
    expect(geocodeOf('辅路', [places[1]])).toEqual({ lon: 116.418, lat: 39.931, name: '东四北大街辅路' });
    expect(geocodeOf('main  street', [{ name: 'Main Street', lon: 1, lat: 2 }])).toMatchObject({ name: 'Main Street' });
  });
  test('none or several is a 400 naming the field and the candidates', () => {
    expect(() => geocodeOf('东四', places)).toThrow(/address_string: "东四" is ambiguous: it matches\s+"东四北大街", "东四北大街辅路"/);
    expect(() => geocodeOf('Nowhere', [])).toThrow(/address_string: "Nowhere" matches no street/);
    try { geocodeOf('Nowhere', []); } catch (e) { expect((e as { code: string }).code).toBe('bad_request'); }
  });
  test('a token bucket allows the burst, then one per refill interval, and says how long to wait', () => {
    const p = { burst: 2, per_minute: 6 };
    let b = takeToken(undefined, 0, p);
    b = takeToken(b.bucket, 0, p);
    expect(b.ok).toBe(true);
    const refused = takeToken(b.bucket, 1000, p);
    expect(refused).toMatchObject({ ok: false, retry_after_s: 9 });
    expect(takeToken(refused.bucket, 10_000, p).ok).toBe(true);
  });
});
