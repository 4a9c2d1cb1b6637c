// Notifications (issue 11 §Satisfaction and notifications): which messages a case change causes and to whom, their
// texts in zh and en, the retry schedule, the webhook signature, the SMS gateway request and the e-mail message.
// Pure: the outbox rows are written by services/notify/outbox.ts in the case's transaction, delivered by its worker.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';

export type NotifyChannel = 'webhook' | 'email' | 'sms';
export type Language = 'zh' | 'en';
export type Template = 'task_new' | 'case_progress' | 'case_changed' | 'test';
export const NOTIFY_CHANNELS: readonly NotifyChannel[] = ['webhook', 'email', 'sms'];

/** What the outbox holds of one case change: enough to write every message later, in any language. */
export type CaseChange = {
  case_id: string; case_no: string; version: number; action: string;
  from: string | null; to: string; department_id: number | null; class_code: string; class_name_zh: string | null; class_name_en: string | null;
  grid_code: string; address: string | null; lon: number; lat: number; urgent: boolean; at: Date;
};

/** Who may hear of it: the active webhooks, the department's crews and e-mail, reporters who opted in. */
export type Recipients = {
  webhooks: readonly { id: number; url: string }[];
  crew_phones: readonly string[];
  department_email: string | null;
  optins: readonly { channel: 'sms' | 'email'; target: string; language: Language | null }[];
};

export type OutboxRow = {
  channel: NotifyChannel; target: string; subscription_id: number | null; language: Language | null;
  template: Template; params: Record<string, unknown>; case_id: string | null; event: string; dedupe_key: string;
};

/** Statuses a reporter hears of (the steps the public follows); the others are the city's internal steps. */
export const PROGRESS_STATUSES: readonly string[] = ['pending_acceptance', 'pending_dispatch', 'handling', 'pending_check', 'closed', 'void'];

/**
 * The outbox rows one case change causes: every webhook hears of every change; the department a case is dispatched
 * to hears of its new task (an SMS to each crew phone, an e-mail to its address); a reporter who opted in hears of
 * each public step. Each row's dedupe key names the case, its version and the recipient, so writing the same change
 * twice adds nothing and a receiver can tell a retry from a new message.
 * @example planCaseNotifications({ ...change, action: 'dispatch', to: 'handling', department_id: 3 }, { webhooks: [], crew_phones: ['13800000000'], department_email: null, optins: [] })
 *   // → [{ channel: 'sms', target: '13800000000', template: 'task_new', … }]
 */
export function planCaseNotifications(c: CaseChange, r: Recipients): OutboxRow[] {
  const event = `case.${c.action}`;
  const base = `case:${c.case_id}:v${c.version}`;
  const params = caseParams(c);
  const rows: OutboxRow[] = [];
  for (const w of r.webhooks) {
    rows.push({ channel: 'webhook', target: w.url, subscription_id: w.id, language: null, template: 'case_changed', params, case_id: c.case_id, event, dedupe_key: `${base}:webhook:${w.id}` });
  }
  if (c.action === 'dispatch' && c.department_id != null) {
    for (const phone of new Set(r.crew_phones)) {
      rows.push({ channel: 'sms', target: phone, subscription_id: null, language: null, template: 'task_new', params, case_id: c.case_id, event, dedupe_key: `${base}:task:sms:${phone}` });
    }
    if (r.department_email) {
      rows.push({ channel: 'email', target: r.department_email, subscription_id: null, language: null, template: 'task_new', params, case_id: c.case_id, event, dedupe_key: `${base}:task:email:${r.department_email}` });
    }
  }
  // back to acceptance after a verification is no news to the reporter: "received" is said once, at the report
  if (c.from !== c.to && PROGRESS_STATUSES.includes(c.to) && !(c.to === 'pending_acceptance' && c.from !== null)) {
    for (const o of r.optins) {
      rows.push({ channel: o.channel, target: o.target, subscription_id: null, language: o.language, template: 'case_progress', params, case_id: c.case_id, event, dedupe_key: `${base}:progress:${o.channel}:${o.target}` });
    }
  }
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.dedupe_key) && !!seen.add(row.dedupe_key)); // one contact given twice: one message
}

/** The fields every message of a case change carries (the webhook's `case`): no reporter's contact. */
export function caseParams(c: CaseChange): Record<string, unknown> {
  return {
    case_id: c.case_id, case_no: c.case_no, version: c.version, action: c.action, from: c.from, status: c.to,
    department_id: c.department_id, class_code: c.class_code, class_name_zh: c.class_name_zh, class_name_en: c.class_name_en, grid_code: c.grid_code,
    address: c.address, lon: c.lon, lat: c.lat, urgent: c.urgent, at: c.at.toISOString(),
  };
}

/** The district's language for its departments and reporters: the Cambridge demo (US holidays) en, otherwise zh. */
export function districtLanguage(holiday_set: string): Language {
  return holiday_set === 'us' ? 'en' : 'zh';
}

const STATUS_WORDS: Record<Language, Record<string, string>> = {
  zh: {
    pending_acceptance: '已收到，待受理', verifying: '核实中', pending_filing: '已受理，待立案', pending_dispatch: '已立案，待派遣',
    handling: '已派遣，处置中', suspended: '挂账', pending_check: '已处置，待核查', checking: '核查中', pending_closing: '核查通过，待结案',
    closed: '已结案', void: '已作废（不予立案）',
  },
  en: {
    pending_acceptance: 'received, awaiting acceptance', verifying: 'being verified', pending_filing: 'accepted, awaiting filing',
    pending_dispatch: 'filed, awaiting dispatch', handling: 'dispatched, being fixed', suspended: 'on hold',
    pending_check: 'fixed, awaiting a check', checking: 'being checked', pending_closing: 'checked, awaiting closing',
    closed: 'closed', void: 'closed without action',
  },
};

/** The words of a status in a language (the status code itself for an unknown one). */
export const statusWords = (status: string, lang: Language): string => STATUS_WORDS[lang][status] ?? status;

/**
 * A message's subject and text in the recipient's language. SMS send the text; e-mail both.
 * @example renderMessage('task_new', { case_no: '2026-000123', class_name_zh: '井盖', address: '东四北大街' }, 'zh').text
 *   // → '新任务：案件 2026-000123（井盖），东四北大街。请登录格线处置并按时反馈。'
 */
export function renderMessage(template: Template, p: Record<string, unknown>, lang: Language): { subject: string; text: string } {
  const s = (k: string) => (p[k] == null ? '' : String(p[k]));
  const what = s(`class_name_${lang}`) || s('class_name_zh') || s('class_code');
  const where = s('address') || (lang === 'zh' ? `网格 ${s('grid_code')}` : `grid ${s('grid_code')}`);
  switch (template) {
    case 'task_new':
      return lang === 'zh'
        ? { subject: `新任务 ${s('case_no')}${p.urgent ? '（紧急）' : ''}`, text: `新任务：案件 ${s('case_no')}（${what}），${where}。${p.urgent ? '紧急案件，' : ''}请登录格线处置并按时反馈。` }
        : { subject: `New task ${s('case_no')}${p.urgent ? ' (urgent)' : ''}`, text: `New task: case ${s('case_no')} (${what}) at ${where}.${p.urgent ? ' Urgent.' : ''} Log in to Gridline to handle it and report back in time.` };
    case 'case_progress':
      return lang === 'zh'
        ? { subject: `您反映的问题 ${s('case_no')}：${statusWords(s('status'), 'zh')}`, text: `您反映的问题（案件 ${s('case_no')}，${what}）${statusWords(s('status'), 'zh')}。如需查询请报案件号。` }
        : { subject: `Your report ${s('case_no')}: ${statusWords(s('status'), 'en')}`, text: `Your report (case ${s('case_no')}, ${what}) is ${statusWords(s('status'), 'en')}. Quote the case number when you ask about it.` };
    case 'case_changed':
      return lang === 'zh'
        ? { subject: `案件 ${s('case_no')}：${s('action')}`, text: `案件 ${s('case_no')} ${s('action')}：${statusWords(s('status'), 'zh')}` }
        : { subject: `Case ${s('case_no')}: ${s('action')}`, text: `Case ${s('case_no')} ${s('action')}: ${statusWords(s('status'), 'en')}` };
    case 'test':
      return lang === 'zh'
        ? { subject: '格线测试通知', text: '这是格线的测试通知：收到即说明配置正确。' }
        : { subject: 'Gridline test notification', text: 'This is a test notification from Gridline: receiving it means the setup works.' };
  }
}

// ── Retries ─────────────────────────────────────────────────────────────────────────────────────────────────────

export type RetryPolicy = { base_ms: number; max_ms: number; max_attempts: number };
export const DEFAULT_RETRY: RetryPolicy = { base_ms: 30_000, max_ms: 6 * 3600_000, max_attempts: 10 };

/**
 * After the `attempts`-th failed attempt: dead (no more attempts, the admin sees it), or the next attempt's time,
 * base·2^(attempts−1) capped at max, with "equal jitter" (half fixed, half random) so receivers that come back are
 * not hit by every sender at once. `random` is in [0, 1).
 * @example afterFailure(1, new Date(0), 0.5, { base_ms: 1000, max_ms: 60_000, max_attempts: 5 }) // → { dead: false, next_at: 1970-01-01T00:00:00.750Z }
 */
export function afterFailure(attempts: number, now: Date, random: number, p: RetryPolicy = DEFAULT_RETRY): { dead: true } | { dead: false; next_at: Date } {
  if (attempts >= p.max_attempts) return { dead: true };
  const full = Math.min(p.max_ms, p.base_ms * 2 ** Math.max(0, attempts - 1));
  const wait = full / 2 + (full / 2) * Math.min(Math.max(random, 0), 1);
  return { dead: false, next_at: new Date(now.getTime() + Math.round(wait)) };
}

// ── Webhooks ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The webhook's signature header value: HMAC-SHA256 with the subscription's secret over `${timestamp}.${body}`
 * (timestamp: Unix seconds, also sent as X-Gridline-Timestamp, so a receiver can refuse old replays).
 * @example webhookSignature('s3cret…', 1764800000, '{"a":1}') // → 'sha256=…64 hex…'
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A receiver's check of a signature (constant-time), what a subscriber implements; our tests use it. */
export function verifyWebhookSignature(secret: string, timestamp: number, body: string, header: string): boolean {
  const want = Buffer.from(webhookSignature(secret, timestamp, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The body a webhook receives: the delivery's id (= the dedupe key), the event and the case's fields. */
export function webhookBody(row: { dedupe_key: string; event: string; params: Record<string, unknown>; template: Template }): string {
  return JSON.stringify({ delivery_id: row.dedupe_key, event: row.event, case: row.template === 'test' ? null : row.params, ...(row.template === 'test' ? { test: true } : {}) });
}

// ── SMS through an HTTP gateway ────────────────────────────────────────────────────────────────────────────────

export type SmsGateway = { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body: string | null };

/**
 * The gateway request of one SMS: `{to}` and `{text}` in the URL are percent-encoded; in a body they are
 * JSON-escaped when the body is JSON (starts with `{` or `[`), form-encoded otherwise.
 * @example smsRequest({ url: 'http://gw/send?to={to}&msg={text}', method: 'GET', headers: {}, body: null }, '138', 'a b').url // → 'http://gw/send?to=138&msg=a%20b'
 */
export function smsRequest(g: SmsGateway, to: string, text: string): { url: string; method: string; headers: Record<string, string>; body: string | null } {
  const fill = (tpl: string, enc: (s: string) => string) => tpl.replace(/\{(to|text)\}/g, (_m, k: string) => enc(k === 'to' ? to : text));
  const url = fill(g.url, encodeURIComponent);
  if (g.body === null) return { url, method: g.method, headers: { ...g.headers }, body: null };
  const json = /^\s*[[{]/.test(g.body);
  const body = fill(g.body, json ? (s) => JSON.stringify(s).slice(1, -1) : (s) => new URLSearchParams({ v: s }).toString().slice(2));
  const headers = { ...g.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
  return { url, method: g.method, headers, body };
}

/**
 * GRIDLINE_SMS_* as a gateway, or the problems with them (config.ts lists them at startup).
 * @example parseSmsGateway({ url: 'http://gw/send?to={to}&text={text}' }).gateway?.method // → 'GET'
 */
export function parseSmsGateway(e: { url?: string; method?: string; headers?: string; body?: string }): { gateway: SmsGateway | null; errors: string[] } {
  const errors: string[] = [];
  if (!e.url) return { gateway: null, errors };
  try {
    if (!['http:', 'https:'].includes(new URL(e.url.replace(/\{(to|text)\}/g, 'x')).protocol)) errors.push('GRIDLINE_SMS_URL must be an http(s) URL');
  } catch { errors.push(`GRIDLINE_SMS_URL is not a URL: "${e.url}"`); }
  if (!/\{to\}/.test(e.url + (e.body ?? '')) || !/\{text\}/.test(e.url + (e.body ?? ''))) errors.push('GRIDLINE_SMS_URL or GRIDLINE_SMS_BODY must hold {to} and {text}');
  const method = (e.method || (e.body ? 'POST' : 'GET')).toUpperCase();
  if (method !== 'GET' && method !== 'POST') errors.push(`GRIDLINE_SMS_METHOD must be GET or POST; got "${e.method}"`);
  let headers: Record<string, string> = {};
  if (e.headers) {
    try {
      const h = JSON.parse(e.headers) as unknown;
      if (!h || typeof h !== 'object' || Array.isArray(h) || Object.values(h).some((v) => typeof v !== 'string')) throw new Error('not an object of strings');
      headers = h as Record<string, string>;
    } catch { errors.push('GRIDLINE_SMS_HEADERS must be a JSON object of header names to strings, e.g. {"Authorization":"Bearer …"}'); }
  }
  return { gateway: errors.length ? null : { url: e.url, method: method as 'GET' | 'POST', headers, body: e.body || null }, errors };
}

// ── E-mail ──────────────────────────────────────────────────────────────────────────────────────────────────────

export type SmtpSettings = { secure: boolean; host: string; port: number; user: string | null; pass: string | null; from: string };

/**
 * GRIDLINE_SMTP_URL (smtp://user:pass@host:port, or smtps:// for TLS from the start; STARTTLS is used when the
 * server offers it) and GRIDLINE_SMTP_FROM, or the problems with them.
 */
export function parseSmtp(url: string | undefined, from: string | undefined): { smtp: SmtpSettings | null; errors: string[] } {
  if (!url) return { smtp: null, errors: [] };
  let u: URL;
  try { u = new URL(url); } catch { return { smtp: null, errors: ['GRIDLINE_SMTP_URL is not a URL (smtp://user:pass@host:587)'] }; }
  const errors: string[] = [];
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') errors.push(`GRIDLINE_SMTP_URL must use smtp: or smtps:; got "${u.protocol}"`);
  const sender = from || (u.username ? `${decodeURIComponent(u.username)}@${u.hostname}` : '');
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(sender)) errors.push('GRIDLINE_SMTP_FROM must be an e-mail address (the sender of notifications)');
  const secure = u.protocol === 'smtps:';
  return {
    smtp: errors.length ? null : {
      secure, host: u.hostname, port: u.port ? Number(u.port) : secure ? 465 : 587,
      user: u.username ? decodeURIComponent(u.username) : null, pass: u.password ? decodeURIComponent(u.password) : null, from: sender,
    },
    errors,
  };
}

/** RFC 2047 encoded-word for a header that is not ASCII. */
const headerText = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`);

/**
 * The message of DATA: headers, a UTF-8 text body with CRLF line ends and lines starting with "." doubled
 * (dot-stuffing, RFC 5321 §4.5.2), so a line of a single "." in the text cannot end the message early.
 */
export function emailData(m: { from: string; to: string; subject: string; text: string; date: Date; message_id: string; delivery_id: string }): string {
  const headers = [
    `From: ${m.from}`, `To: ${m.to}`, `Subject: ${headerText(m.subject)}`, `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${m.message_id}>`, `X-Gridline-Delivery: ${m.delivery_id}`, 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit',
  ];
  const body = m.text.replace(/\r\n|\r|\n/g, '\r\n').split('\r\n').map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}
