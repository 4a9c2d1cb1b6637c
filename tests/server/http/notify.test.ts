// Notifications end to end on each engine (issue 11 §Notifications): the outbox rows are written in the case's own
// transaction; the worker delivers them to local receivers (a webhook receiver that checks the signature, an SMS
// gateway, a tiny SMTP server), retries after 500s and refused connections with backoff, dead-letters after the last
// attempt, and loses nothing while a channel is down; the admin API (webhooks, outbox, retry, department e-mail).
// And Open311's odds and ends: address_string without a point, and the per-key POST limit (429, Retry-After).
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { withTestApp, loginHeaders } from '../../helpers/app.js';
import { caseDeps, demoUsers, newUser, pointInGrid, someDepartment } from '../../helpers/cases.js';
import { closedPort, httpReceiver, startSmtpServer } from '../../helpers/receivers.js';
import type { Queryable } from '../../../server/db/types.js';
import { actOnCase, reportCase, type CaseDeps } from '../../../server/services/cases.js';
import { channelsOf } from '../../../server/services/notify/channels.js';
import { deliverDue, startNotifyWorker, type WorkerDeps } from '../../../server/services/notify/worker.js';
import { createWebhook } from '../../../server/services/notify/admin.js';
import { verifyWebhookSignature } from '../../../server/domain/notify.js';
import { issueKey } from '../../../server/services/open311.js';

const ALL = ['webhook', 'email', 'sms'] as const;

type Row = { id: number; channel: string; target: string; template: string; event: string; dedupe_key: string; attempts: number; delivered_at: Date | null; dead_at: Date | null; last_error: string | null };
const outbox = async (db: Queryable, case_id?: string) => (await db.query<Row>(
  `select id::float8 as id, channel, target, template, event, dedupe_key, attempts, delivered_at, dead_at, last_error from notification_outbox
    ${case_id ? 'where case_id = $1' : ''} order by id`, case_id ? [case_id] : [])).rows;

/** A worker on a clock the test moves; retries wait 1 s doubling, jitter fixed at the middle. */
function worker(db: Queryable, channels: WorkerDeps['channels'], at = new Date('2026-11-23T03:00:00Z')) {
  let now = at;
  const d: WorkerDeps = {
    db, channels, clock: { now: () => now }, language: () => 'zh', random: () => 0.5,
    retry: { base_ms: 1000, max_ms: 60_000, max_attempts: 4 },
  };
  return { d, tick: () => deliverDue(d), advance: (ms: number) => { now = new Date(now.getTime() + ms); } };
}

const admin = { id: 1, username: 'admin' };

async function dispatchedCase(deps: CaseDeps, db: Queryable) {
  const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
  const p = await pointInGrid(db);
  const r = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: '路边垃圾' }, null);
  let c = r.case;
  for (const [u, action] of [[operator, 'accept'], [shiftLead, 'file'], [dispatcher, 'dispatch']] as const) c = await actOnCase(deps, u, c.id, { action, version: c.version });
  return c;
}

describe.each(testBackends())('notifications on %s', (backend) => {
  beforeAll(() => withTestDb(backend, async () => {}), 300_000); // the engine opened and seeded before the clock starts
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => { for (const c of closers.splice(0)) await c(); });

  test('each case change writes its webhook rows in its own transaction; a rolled-back action leaves none', () => withTestDb(backend, async (db) => {
    const deps = { ...caseDeps(db), notify_channels: ALL };
    await createWebhook({ db, clock: deps.clock, webhook_timeout_ms: 1000, channels: ALL }, admin, { name: 'city 311', url: 'http://127.0.0.1:9/hook' });
    const { inspector, operator } = await demoUsers(db);
    const p = await pointInGrid(db);
    const r = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
    expect((await outbox(db, r.case.id)).map((x) => [x.channel, x.event, x.template])).toEqual([['webhook', 'case.report', 'case_changed']]);
    // the accept runs and then its transaction fails: neither the case change nor its notification stays
    await expect(db.transaction(async (tx) => {
      await actOnCase({ ...deps, db: tx }, operator, r.case.id, { action: 'accept', version: 1 });
      expect((await outbox(tx, r.case.id)).length).toBe(2);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    expect((await outbox(db, r.case.id)).map((x) => x.event)).toEqual(['case.report']);
    await expect(actOnCase(deps, operator, r.case.id, { action: 'accept', version: 7 })).rejects.toThrow(/version/);
    expect((await outbox(db, r.case.id)).length).toBe(1);
    await actOnCase(deps, operator, r.case.id, { action: 'accept', version: 1 });
    expect((await outbox(db, r.case.id)).map((x) => x.event)).toEqual(['case.report', 'case.accept']);
  }));

  test('a dispatch tells the crew by SMS and the department by e-mail, in the district language, through local receivers', () => withTestDb(backend, async (db) => {
    const deps = { ...caseDeps(db), notify_channels: ALL };
    const dept = await someDepartment(db);
    const crew = await newUser(db, ['department'], dept);
    await db.query(`update users set phone = '13800000042' where id = $1`, [crew.id]);
    await db.query(`insert into notification_contacts (department_id, email, updated_at) values ($1, 'crew@city.example', now())`, [dept]);
    const c = await dispatchedCase(deps, db);
    const rows = (await outbox(db, c.id)).filter((x) => x.template === 'task_new');
    expect(rows.map((x) => [x.channel, x.target])).toEqual([['sms', '13800000042'], ['email', 'crew@city.example']]);

    const gw = httpReceiver();
    const gwPort = await gw.start();
    closers.push(gw.stop);
    const smtp = await startSmtpServer();
    closers.push(smtp.close);
    const w = worker(db, channelsOf({
      webhook_timeout_ms: 2000, smtp: { secure: false, host: '127.0.0.1', port: smtp.port, user: null, pass: null, from: 'noreply@city.example' },
      sms: { url: `http://127.0.0.1:${gwPort}/sms?to={to}&text={text}`, method: 'GET', headers: {}, body: null },
    }));
    expect(await w.tick()).toMatchObject({ delivered: 2, failed: 0, dead: 0 });
    const sms = new URL(gw.hits[0].url, 'http://x');
    expect(sms.searchParams.get('to')).toBe('13800000042');
    expect(sms.searchParams.get('text')).toBe(`新任务：案件 ${c.case_no}（暴露垃圾），${c.address}。请登录格线处置并按时反馈。`);
    expect(gw.hits[0].headers['x-gridline-delivery']).toBe(rows[0].dedupe_key);
    expect(smtp.record.messages).toHaveLength(1);
    expect(smtp.record.messages[0].to).toEqual(['crew@city.example']);
    expect(smtp.record.messages[0].data).toContain(`X-Gridline-Delivery: ${rows[1].dedupe_key}`);
    expect((await outbox(db, c.id)).filter((x) => x.template === 'task_new').every((x) => x.delivered_at && x.attempts === 1)).toBe(true);
    expect(await w.tick()).toMatchObject({ claimed: 0 });
  }));

  test('a hotline caller who asked is told of each public step by SMS', () => withTestDb(backend, async (db) => {
    const deps = { ...caseDeps(db), notify_channels: ALL };
    const { operator, shiftLead, inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    const r = await reportCase(deps, operator, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'hotline', reporter_phone: '13912345678', notify_reporter: true }, null);
    let c = r.case;
    for (const [u, action, extra] of [[operator, 'send_verify', {}], [inspector, 'verify', { found: true }], [operator, 'accept', {}], [shiftLead, 'file', {}]] as const) {
      c = await actOnCase(deps, u, c.id, { action, version: c.version, ...extra });
    }
    expect(c.status).toBe('pending_dispatch');
    // "received" at the report, "filed" at filing; the verification round trip and the acceptance are internal
    const progress = (await outbox(db, c.id)).filter((x) => x.template === 'case_progress');
    expect(progress.map((x) => [x.channel, x.target, x.event])).toEqual([['sms', '13912345678', 'case.report'], ['sms', '13912345678', 'case.file']]);
    // without the opt-in, the same call tells nobody
    const quiet = await reportCase(deps, operator, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'hotline', reporter_phone: '13912345678' }, null);
    expect((await outbox(db, quiet.case.id)).filter((x) => x.template === 'case_progress')).toEqual([]);
  }));

  test('webhooks: signed, retried after 500s and a refused connection, accepted once per delivery id', () => withTestDb(backend, async (db) => {
    const deps = { ...caseDeps(db), notify_channels: ALL };
    const port = await closedPort();
    const sub = await createWebhook({ db, clock: deps.clock, webhook_timeout_ms: 1000, channels: ALL }, admin, { name: 'other system', url: `http://127.0.0.1:${port}/hook` });
    const c = await dispatchedCase(deps, db); // report, accept, file, dispatch: four events
    const w = worker(db, channelsOf({ webhook_timeout_ms: 2000, smtp: null, sms: null }));
    // first attempt: nobody listens (connection refused)
    expect(await w.tick()).toMatchObject({ claimed: 4, failed: 4 });
    expect((await outbox(db, c.id)).every((x) => /ECONNREFUSED/.test(x.last_error ?? ''))).toBe(true);
    // the receiver comes up on that port, answers 500 to the first try of each delivery, then accepts
    const accepted = new Map<string, number>();
    const seen = new Map<string, string>();
    const rx = httpReceiver((hit) => {
      const id = String(hit.headers['x-gridline-delivery']);
      expect(verifyWebhookSignature(sub.secret, Number(hit.headers['x-gridline-timestamp']), hit.body, String(hit.headers['x-gridline-signature']))).toBe(true);
      expect(hit.headers['idempotency-key']).toBe(id);
      if (seen.has(id)) expect(hit.body).toBe(seen.get(id)); // a retry is the same message
      if (!seen.has(id)) { seen.set(id, hit.body); return 500; }
      if (accepted.has(id)) return 200; // a receiver drops a repeat it has already taken
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
      return 200;
    });
    await rx.start(port);
    closers.push(rx.stop);
    expect(await w.tick()).toMatchObject({ claimed: 0 }); // not due yet: backoff
    w.advance(1000);
    expect(await w.tick()).toMatchObject({ claimed: 4, failed: 4 });
    w.advance(2000);
    expect(await w.tick()).toMatchObject({ claimed: 4, delivered: 4 });
    const rows = await outbox(db, c.id);
    expect(rows.every((x) => x.delivered_at && x.attempts === 3 && x.last_error === null)).toBe(true);
    expect([...accepted.keys()].sort()).toEqual(rows.map((x) => x.dedupe_key).sort());
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    const events = [...seen.values()].map((b) => JSON.parse(b)).map((b) => [b.event, b.case.case_no, b.case.status]);
    expect(events).toEqual(expect.arrayContaining([['case.dispatch', c.case_no, 'handling'], ['case.report', c.case_no, 'pending_acceptance']]));
    expect([...seen.values()].some((b) => /reporter|phone/.test(b))).toBe(false);
  }));

  test('e-mail down, then up: everything queued meanwhile is delivered; after the last attempt a message is dead until retried', () => withTestApp(backend, async ({ app, db }) => {
    const deps = { ...caseDeps(db), notify_channels: ALL };
    const port = await closedPort();
    const depts = (await db.query<{ id: number }>('select id::float8 as id from departments where active order by id limit 1')).rows;
    await db.query(`insert into notification_contacts (department_id, email, updated_at) values ($1, 'desk@city.example', now())`, [depts[0].id]);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      let c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
      for (const [u, action, extra] of [[operator, 'accept', {}], [shiftLead, 'file', {}], [dispatcher, 'dispatch', { department_id: depts[0].id }]] as const) {
        c = await actOnCase(deps, u, c.id, { action, version: c.version, ...extra });
      }
      ids.push(c.id);
    }
    const smtpAt = (port: number) => channelsOf({ webhook_timeout_ms: 2000, smtp: { secure: false, host: '127.0.0.1', port, user: null, pass: null, from: 'noreply@city.example' }, sms: null });
    const w = worker(db, smtpAt(port));
    expect(await w.tick()).toMatchObject({ claimed: 3, failed: 3 });
    w.advance(1000);
    expect(await w.tick()).toMatchObject({ claimed: 3, failed: 3 });
    const smtp = await startSmtpServer();
    closers.push(smtp.close);
    w.d.channels = smtpAt(smtp.port); // the mail server is back (on its port)
    w.advance(2000);
    expect(await w.tick()).toMatchObject({ claimed: 3, delivered: 3 });
    expect(smtp.record.messages.map((m) => m.to[0])).toEqual(['desk@city.example', 'desk@city.example', 'desk@city.example']);

    // a channel that stays down: four attempts, then dead, shown to the admin, and a retry puts it back
    await db.query(`update notification_contacts set email = 'gone@city.example' where department_id = $1`, [depts[0].id]);
    const down = worker(db, smtpAt(await closedPort()));
    const h = await loginHeaders(app, ['admin', 'operator1'] as const);
    let e = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    for (const [u, action, extra] of [[operator, 'accept', {}], [shiftLead, 'file', {}], [dispatcher, 'dispatch', { department_id: depts[0].id }]] as const) {
      e = await actOnCase(deps, u, e.id, { action, version: e.version, ...extra });
    }
    const [mail] = (await outbox(db, e.id)).filter((x) => x.channel === 'email');
    expect(mail.target).toBe('gone@city.example');
    for (let i = 0; i < 4; i++) { await down.tick(); down.advance(60_000); }
    const dead = (await outbox(db, e.id)).find((x) => x.id === mail.id)!;
    expect(dead).toMatchObject({ attempts: 4 });
    expect(dead.dead_at).not.toBeNull();
    const list = await app.inject({ method: 'GET', url: '/api/admin/notifications?state=dead', headers: h.admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((x: { id: number }) => x.id)).toContain(mail.id);
    expect(list.json().items.find((x: { id: number }) => x.id === mail.id)).toMatchObject({ state: 'dead', case_no: e.case_no, channel: 'email', last_error: expect.stringMatching(/ECONNREFUSED/) });
    expect(list.json().counts.dead).toBeGreaterThanOrEqual(1);
    expect((await app.inject({ method: 'GET', url: '/api/admin/notifications', headers: h.operator1 })).statusCode).toBe(403);
    const retry = await app.inject({ method: 'POST', url: `/api/admin/notifications/${mail.id}/retry`, headers: h.admin });
    expect(retry.statusCode).toBe(200);
    await worker(db, smtpAt(smtp.port), new Date(Date.now() + 60_000)).tick(); // the retry made it due at the app's now
    expect((await outbox(db, e.id)).find((x) => x.id === mail.id)!.delivered_at).not.toBeNull();
    const again = await app.inject({ method: 'POST', url: `/api/admin/notifications/${mail.id}/retry`, headers: h.admin });
    expect(again.statusCode).toBe(422);
    expect((await app.inject({ method: 'POST', url: '/api/admin/notifications/999999999/retry', headers: h.admin })).statusCode).toBe(404);
  }));

  test('admin webhooks: the secret shown once, a signed test delivery, delete; bad input is a 400', () => withTestApp(backend, async ({ app }) => {
    const h = await loginHeaders(app, ['admin', 'dispatcher1'] as const);
    const rx = httpReceiver();
    const port = await rx.start();
    closers.push(rx.stop);
    const created = await app.inject({ method: 'POST', url: '/api/admin/webhooks', headers: h.admin, payload: { name: 'FixMyStreet', url: `http://127.0.0.1:${port}/in` } });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect(secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    const list = await app.inject({ method: 'GET', url: '/api/admin/webhooks', headers: h.admin });
    expect(list.json().find((x: { id: number }) => x.id === id)).toEqual({ id, name: 'FixMyStreet', url: `http://127.0.0.1:${port}/in`, created_at: expect.any(String), created_by: expect.any(Number) });
    expect(list.body).not.toContain(secret);
    const t = await app.inject({ method: 'POST', url: `/api/admin/webhooks/${id}/test`, headers: h.admin });
    expect(t.json()).toMatchObject({ ok: true, error: null });
    expect(verifyWebhookSignature(secret, Number(rx.hits[0].headers['x-gridline-timestamp']), rx.hits[0].body, String(rx.hits[0].headers['x-gridline-signature']))).toBe(true);
    expect(JSON.parse(rx.hits[0].body)).toMatchObject({ event: 'test', test: true });
    await rx.stop();
    const down = await app.inject({ method: 'POST', url: `/api/admin/webhooks/${id}/test`, headers: h.admin });
    expect(down.json()).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
    for (const payload of [{ name: 'x', url: 'ftp://example.org/' }, { name: 'x', url: 'not a url' }, { name: ' ', url: 'http://example.org/' }, { name: 'x', url: 'http://u:p@example.org/' }, { name: 'x' }]) {
      const bad = await app.inject({ method: 'POST', url: '/api/admin/webhooks', headers: h.admin, payload });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().error.code).toBe('bad_request');
    }
    expect((await app.inject({ method: 'POST', url: '/api/admin/webhooks', headers: h.dispatcher1, payload: { name: 'x', url: 'http://example.org/' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/api/admin/webhooks/${id}`, headers: h.admin })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/api/admin/webhooks/${id}`, headers: h.admin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/admin/webhooks/${id}/test`, headers: h.admin })).statusCode).toBe(404);
  }));

  test('admin department e-mail: set, listed, cleared; a bad address is a 400', () => withTestApp(backend, async ({ app, db }) => {
    const h = await loginHeaders(app, ['admin'] as const);
    const dept = await someDepartment(db);
    expect((await app.inject({ method: 'PUT', url: `/api/admin/notification-contacts/${dept}`, headers: h.admin, payload: { email: 'desk@city.example' } })).statusCode).toBe(204);
    const list = await app.inject({ method: 'GET', url: '/api/admin/notification-contacts', headers: h.admin });
    expect(list.json().find((x: { department_id: number }) => x.department_id === dept)).toMatchObject({ email: 'desk@city.example' });
    const bad = await app.inject({ method: 'PUT', url: `/api/admin/notification-contacts/${dept}`, headers: h.admin, payload: { email: 'nope' } });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ method: 'PUT', url: '/api/admin/notification-contacts/99999999', headers: h.admin, payload: { email: null } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PUT', url: `/api/admin/notification-contacts/${dept}`, headers: h.admin, payload: { email: '' } })).statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/api/admin/notification-contacts', headers: h.admin });
    expect(after.json().find((x: { department_id: number }) => x.department_id === dept).email).toBeNull();
  }));

  test('the worker loop delivers on its own and stops cleanly', () => withTestDb(backend, async (db) => {
    const deps = { ...caseDeps(db), notify_channels: ALL };
    const rx = httpReceiver();
    const port = await rx.start();
    closers.push(rx.stop);
    await createWebhook({ db, clock: deps.clock, webhook_timeout_ms: 1000, channels: ALL }, admin, { name: 'loop', url: `http://127.0.0.1:${port}/h` });
    const { inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    const r = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
    // a message delivered 31 days before the worker's now is deleted by its hourly purge; one of 29 days stays
    await db.query(`insert into notification_outbox (channel, target, subscription_id, template, params, event, dedupe_key, created_at, next_attempt_at, delivered_at)
      select 'webhook', 'http://old.example/', id, 'test', '{}', 'test', 'old:' || d, now(), now(), timestamptz '2026-11-23T03:00:00Z' - make_interval(days => d)
        from webhook_subscriptions, (values (31), (29)) v(d) where name = 'loop'`);
    const loop = startNotifyWorker({ ...worker(db, channelsOf({ webhook_timeout_ms: 2000, smtp: null, sms: null })).d, poll_ms: 50 });
    for (let i = 0; i < 200 && !(await outbox(db, r.case.id))[0].delivered_at; i++) await new Promise((s) => setTimeout(s, 50));
    await loop.stop();
    expect((await outbox(db, r.case.id))[0].delivered_at).not.toBeNull();
    expect(rx.hits).toHaveLength(1);
    expect((await db.query<{ dedupe_key: string }>(`select dedupe_key from notification_outbox where dedupe_key like 'old:%'`)).rows).toEqual([{ dedupe_key: 'old:29' }]);
  }));

  test('Open311: address_string without lat/long is placed at the named place; none or several is the spec\'s 400', () => withTestApp(backend, async ({ app, db }) => {
    const p = await pointInGrid(db);
    await db.query(`insert into places (kind, name, geom) values ('poi', '格线测试广场', st_setsrid(st_makepoint($1, $2), 4326)),
      ('road', '格线测试路一', st_setsrid(st_makepoint($1, $2), 4326)), ('road', '格线测试路二', st_setsrid(st_makepoint($1, $2), 4326))`, [p.lon, p.lat]);
    const key = await issueKey(db, admin, { name: 'geocode test' }, new Date());
    const post = (fields: Record<string, string>, fmt = 'json') => app.inject({
      method: 'POST', url: `/open311/v2/requests.${fmt}`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ api_key: key.api_key, service_code: '06010', ...fields }).toString(),
    });
    const ok = await post({ address_string: '格线测试广场', description: 'by address' });
    expect(ok.statusCode).toBe(201);
    const no = ok.json()[0].service_request_id;
    const got = (await app.inject({ method: 'GET', url: `/open311/v2/requests/${no}.json` })).json()[0];
    expect(got.address).toBe('格线测试广场');
    expect(got.lat).toBeCloseTo(p.lat, 6);
    expect(got.long).toBeCloseTo(p.lon, 6);
    const many = await post({ address_string: '格线测试路' });
    expect(many.statusCode).toBe(400);
    expect(many.json()).toEqual([{ code: '400', description: expect.stringMatching(/ambiguous.*"格线测试路一", "格线测试路二"/) }]);
    const none = await post({ address_string: '没有这个地方' }, 'xml');
    expect(none.statusCode).toBe(400);
    expect(none.body).toMatch(/<errors><error><code>400<\/code><description>address_string: &quot;没有这个地方&quot; matches no street/);
    const neither = await post({});
    expect(neither.statusCode).toBe(400);
    expect(neither.json()[0].description).toMatch(/lat and long.*or address_string/);
  }));

  test('Open311: each API key may POST so often; past it 429 with Retry-After in the spec\'s error list', () => withTestApp(backend, async ({ app, db }) => {
    const a = await issueKey(db, admin, { name: 'busy client' }, new Date());
    const b = await issueKey(db, admin, { name: 'quiet client' }, new Date());
    const post = (k: string) => app.inject({
      method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ api_key: k, service_code: '99999', lat: '39.9', long: '116.4' }).toString(),
    });
    expect((await post(a.api_key)).statusCode).toBe(400); // unknown service: the form was read, a token taken
    expect((await post(a.api_key)).statusCode).toBe(400);
    const third = await post(a.api_key);
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(third.json()).toEqual([{ code: '429', description: expect.stringMatching(/Too many requests from the API key of busy client .* try again in \d+ s/) }]);
    expect((await post(b.api_key)).statusCode).toBe(400); // another key is not held back
  }, { GRIDLINE_OPEN311_POSTS_PER_MINUTE: '2' }));
});
