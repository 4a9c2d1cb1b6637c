// Satisfaction call-backs over HTTP (回访, issue 11): the reporter rates a closed case with the tracking code H3's public
// report gives (404 alike for a wrong code and an unknown case, 422 before closing, 409 the second time, a retry with
// the same Idempotency-Key answers the first rating); an operator records a call-back (roles, reporter needed, trail
// and audit); a dissatisfied rating lands in the supervision centre's review list, where the shift leader reopens the
// case (workflow action reopen: back to dispatch, same department, new deadlines) or confirms the closure; the ratings
// feed the evaluation of departments and regions (figure and drill-down agree). Every engine.
import { beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { solveChallenge } from '../../../server/domain/public.js';
import { verifyChain } from '../../../server/domain/trail.js';
import * as casesDb from '../../../server/db/cases.js';
import { sharedPglite, testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { loginHeaders, testConfig } from '../../helpers/app.js';
import { newPhotos, pointInGrid } from '../../helpers/cases.js';

const USERS = ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1'] as const;
type U = (typeof USERS)[number];
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; clock: { advance(min: number): void; now(): Date } };

function withRatingApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
    const clock = { now: () => now, advance: (m: number) => { now = new Date(now.getTime() + m * 60_000); } };
    const app = await buildApp(testConfig(), { db, clock });
    try {
      return await fn({ app, db, clock, h: await loginHeaders(app, USERS) });
    } finally {
      await app.close();
    }
  });
}

let addr = 0;
/** A public report through H3's public API: challenge → ticket → report; the case number and tracking code. */
async function publicReport(ctx: Ctx): Promise<{ id: string; case_no: string; code: string }> {
  const remoteAddress = `198.51.100.${(addr++ % 250) + 1}`;
  const ch = (await ctx.app.inject({ method: 'GET', url: '/api/public/challenge', remoteAddress })).json();
  const t = await ctx.app.inject({ method: 'POST', url: '/api/public/tickets', remoteAddress, payload: { challenge: ch.challenge, nonce: solveChallenge(ch.challenge, ch.bits) } });
  expect(t.statusCode, t.body).toBe(201);
  const p = await pointInGrid(ctx.db);
  const r = await ctx.app.inject({ method: 'POST', url: '/api/public/reports', remoteAddress, headers: { 'idempotency-key': `r-${Math.random()}` },
    payload: { ticket: t.json().ticket, class_code: '06010', lon: p.lon, lat: p.lat, description: 'ratings test', contact: { name: 'Li Lei', phone: '13912345678' } } });
  expect(r.statusCode, r.body).toBe(201);
  const { rows } = await ctx.db.query<{ id: string }>('select id::text as id from cases where case_no = $1', [r.json().case_no]);
  return { id: rows[0].id, case_no: r.json().case_no, code: r.json().tracking_code };
}

/** The action by the first of `users` who may see the case; the case after it. */
async function act(ctx: Ctx, users: U[], id: string, action: string, fields: Record<string, unknown> = {}, expectStatus = 200) {
  ctx.clock.advance(3);
  let last = '';
  for (const u of users) {
    const cur = await ctx.app.inject({ url: `/api/cases/${id}`, headers: ctx.h[u] });
    if (cur.statusCode !== 200) { last = cur.body; continue; }
    const res = await ctx.app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: ctx.h[u], payload: { action, version: cur.json().version, ...fields } });
    expect(res.statusCode, `${u} ${action}: ${res.body}`).toBe(expectStatus);
    return res.json();
  }
  throw new Error(`${action}: ${last}`);
}

async function toClosed(ctx: Ctx, id: string, verify = true) {
  if (verify) {
    await act(ctx, ['operator1'], id, 'send_verify');
    await act(ctx, ['inspector1', 'inspector2'], id, 'verify', { found: true });
  }
  await act(ctx, ['operator1'], id, 'accept');
  await act(ctx, ['shiftlead1'], id, 'file');
  await act(ctx, ['dispatcher1'], id, 'dispatch');
  await act(ctx, ['crew1'], id, 'feedback', { photo_ids: await newPhotos(ctx.db) });
  await act(ctx, ['operator1'], id, 'send_check');
  await act(ctx, ['inspector1', 'inspector2'], id, 'check', { passed: true });
  return act(ctx, ['shiftlead1'], id, 'close');
}

const ratePublic = (ctx: Ctx, case_no: string, payload: Record<string, unknown>, key?: string) => ctx.app.inject({
  method: 'POST', url: `/api/public/cases/${case_no}/rating`, remoteAddress: '203.0.113.77', payload, headers: key ? { 'idempotency-key': key } : {},
});

async function trailOf(ctx: Ctx, id: string) {
  const res = await ctx.app.inject({ url: `/api/cases/${id}`, headers: ctx.h.shiftlead1 });
  return res.json() as { status: string; version: number; department_id: number | null; rework_count: number; step: string | null; step_deadline_at: string | null; trail: { action: string; actor: string | null; note: string | null; data: Record<string, unknown> | null }[] };
}

// The shared PGlite starts once per worker; on a busy machine that alone can outlast a test's timeout.
beforeAll(async () => { if (testBackends().includes('pglite')) await sharedPglite(); }, 600_000);

describe.each(testBackends())('satisfaction call-backs ($name)', (backend) => {
  test('the reporter rates once, with the tracking code, after closing; retries are safe; the trail records it', () => withRatingApp(backend, async (ctx) => {
    const c = await publicReport(ctx);
    const early = await ratePublic(ctx, c.case_no, { code: c.code, rating: 'satisfied' });
    expect(early.statusCode, early.body).toBe(422);
    expect(early.json().error.code).toBe('not_allowed_in_state');
    await toClosed(ctx, c.id);

    const wrong = await ratePublic(ctx, c.case_no, { code: 'ZZZZ-ZZZZ-ZZZZ', rating: 'satisfied' });
    const unknown = await ratePublic(ctx, '000000000000000000000', { code: c.code, rating: 'satisfied' });
    expect(wrong.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(wrong.json().error.code).toBe(unknown.json().error.code);

    const bad = await ratePublic(ctx, c.case_no, { code: c.code, rating: 'great' });
    expect(bad.statusCode).toBe(400);
    expect((await ratePublic(ctx, c.case_no, { code: c.code, rating: 'basic', comment: 'x'.repeat(501) })).statusCode).toBe(400);
    expect((await ratePublic(ctx, c.case_no, { rating: 'basic' })).statusCode).toBe(400);

    const first = await ratePublic(ctx, c.case_no, { code: c.code, rating: 'basic', comment: ' quick enough ' }, 'rate-1');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({ case_no: c.case_no, rating: 'basic', score: 80, comment: 'quick enough', rated_at: ctx.clock.now().toISOString() });
    const retry = await ratePublic(ctx, c.case_no, { code: c.code, rating: 'basic', comment: ' quick enough ' }, 'rate-1');
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    const again = await ratePublic(ctx, c.case_no, { code: c.code, rating: 'satisfied' });
    expect(again.statusCode).toBe(409);
    const call = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/rating`, headers: ctx.h.operator1, payload: { rating: 'satisfied' } });
    expect(call.statusCode).toBe(409);

    const t = await trailOf(ctx, c.id);
    expect(t.status).toBe('closed');
    expect(t.trail.at(-1)).toMatchObject({ action: 'rate', actor: null, note: 'quick enough', data: { rating: 'basic', score: 80, channel: 'public' } });
    expect(t.trail.filter((e) => e.action === 'rate')).toHaveLength(1);
    const row = (await casesDb.get(ctx.db, c.id, ctx.clock.now()))!;
    expect(verifyChain(await casesDb.trail(ctx.db, row), { head: row.trail_head })).toEqual({ ok: true });
    const audit = await ctx.db.query<{ n: string }>(`select count(*) as n from audit_log where action = 'case.rate' and target = $1`, [`case:${c.id}`]);
    expect(Number(audit.rows[0].n)).toBe(1);
    // H3's tracking answer sees it
    const track = await ctx.app.inject({ method: 'POST', url: '/api/public/track', remoteAddress: '203.0.113.78', payload: { case_no: c.case_no, code: c.code } });
    expect(track.json().rating).toMatchObject({ rating: 'basic', comment: 'quick enough' });
    const rating = await ctx.app.inject({ url: `/api/cases/${c.id}/rating`, headers: ctx.h.operator1 });
    expect(rating.json()).toMatchObject({ rating: { rating: 'basic', score: 80, channel: 'public', review_status: null }, can_callback: false });
  }));

  test('call-backs: operators and shift leaders, cases with a reporter; dissatisfied → review list → reopen to dispatch, same department', () => withRatingApp(backend, async (ctx) => {
    // a hotline call with the caller's contact, registered by the operator
    const p = await pointInGrid(ctx.db, 4);
    const hot = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.operator1,
      payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'hotline', description: 'callback test', reporter_name: '王小明', reporter_phone: '13812345678' } });
    expect(hot.statusCode, hot.body).toBe(201);
    const id = hot.json().id;
    const open = await ctx.app.inject({ method: 'POST', url: `/api/cases/${id}/rating`, headers: ctx.h.operator1, payload: { rating: 'satisfied' } });
    expect(open.statusCode).toBe(422);
    const closed = await toClosed(ctx, id);
    const dept = closed.department_id;

    const before = await ctx.app.inject({ url: `/api/cases/${id}/rating`, headers: ctx.h.operator1 });
    expect(before.json()).toEqual({ rating: null, can_callback: true });
    for (const u of ['dispatcher1', 'crew1', 'inspector1', 'leader1'] as const) {
      const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${id}/rating`, headers: ctx.h[u], payload: { rating: 'satisfied' } });
      expect(r.statusCode, u).toBe(403);
    }
    expect((await ctx.app.inject({ method: 'POST', url: `/api/cases/${id}/rating`, payload: { rating: 'satisfied' } })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/cases/not-a-uuid/rating', headers: ctx.h.operator1, payload: { rating: 'satisfied' } })).statusCode).toBe(400);

    const cb = await ctx.app.inject({ method: 'POST', url: `/api/cases/${id}/rating`, headers: { ...ctx.h.operator1, 'idempotency-key': 'cb-1' }, payload: { rating: 'dissatisfied', comment: 'still overflowing' } });
    expect(cb.statusCode, cb.body).toBe(201);
    expect(cb.json()).toMatchObject({ case_id: id, rating: 'dissatisfied', score: 0, channel: 'callback', review_status: 'pending' });
    const replay = await ctx.app.inject({ method: 'POST', url: `/api/cases/${id}/rating`, headers: { ...ctx.h.operator1, 'idempotency-key': 'cb-1' }, payload: { rating: 'dissatisfied', comment: 'still overflowing' } });
    expect(replay.statusCode).toBe(200);
    const reused = await ctx.app.inject({ method: 'POST', url: `/api/cases/${id}/rating`, headers: { ...ctx.h.operator1, 'idempotency-key': 'cb-1' }, payload: { rating: 'satisfied' } });
    expect(reused.statusCode).toBe(422);
    let t = await trailOf(ctx, id);
    const operatorId = (await ctx.db.query<{ id: string }>(`select id::text as id from users where username = 'operator1'`)).rows[0].id;
    expect(t.trail.at(-1)).toMatchObject({ action: 'callback', actor: operatorId, note: 'still overflowing', data: { rating: 'dissatisfied', score: 0, channel: 'callback', review: 'pending' } });

    // the review list: the supervision centre reads it; crews do not
    const list = await ctx.app.inject({ url: '/api/supervision/satisfaction', headers: ctx.h.shiftlead1 });
    expect(list.statusCode, list.body).toBe(200);
    const item = list.json().items.find((x: { case_id: string }) => x.case_id === id);
    expect(item).toMatchObject({ rating: 'dissatisfied', channel: 'callback', review_status: 'pending', case_status: 'closed', case_version: t.version, department_id: dept, comment: 'still overflowing' });
    expect((await ctx.app.inject({ url: '/api/supervision/satisfaction', headers: ctx.h.crew1 })).statusCode).toBe(403);
    expect((await ctx.app.inject({ url: '/api/supervision/satisfaction?status=maybe', headers: ctx.h.shiftlead1 })).statusCode).toBe(400);

    // only the shift leader reopens, with a reason
    await act(ctx, ['operator1'], id, 'reopen', { reason: 'x' }, 403);
    await act(ctx, ['shiftlead1'], id, 'reopen', {}, 422);
    const reopenAt = new Date(ctx.clock.now().getTime() + 3 * 60_000);
    const re = await act(ctx, ['shiftlead1'], id, 'reopen', { reason: 'caller says it is still overflowing' });
    expect(re).toMatchObject({ status: 'pending_dispatch', closing_type: null, closed_at: null, rework_count: 1, step: 'dispatch', department_id: dept });
    expect(re.step_deadline_at).toBe(new Date(reopenAt.getTime() + 15 * 60_000).toISOString());
    const after = (await ctx.app.inject({ url: '/api/supervision/satisfaction?status=reopened', headers: ctx.h.leader1 })).json();
    expect(after.items.find((x: { case_id: string }) => x.case_id === id)).toMatchObject({ review_status: 'reopened', review_note: 'caller says it is still overflowing', reviewed_by_name: expect.any(String) });
    const pending = (await ctx.app.inject({ url: '/api/supervision/satisfaction', headers: ctx.h.shiftlead1 })).json();
    expect(pending.items.some((x: { case_id: string }) => x.case_id === id)).toBe(false);
    const conf = await ctx.app.inject({ method: 'POST', url: `/api/supervision/satisfaction/${id}/confirm`, headers: ctx.h.shiftlead1, payload: {} });
    expect(conf.statusCode).toBe(422); // settled already

    // back to the same department with a new handling clock; the rating stays (one per case)
    const d = await act(ctx, ['dispatcher1'], id, 'dispatch');
    expect(d).toMatchObject({ status: 'handling', department_id: dept });
    expect(Date.parse(d.handling_deadline_at)).toBeGreaterThan(ctx.clock.now().getTime());
    t = await trailOf(ctx, id);
    expect(t.trail.slice(-2).map((e) => e.action)).toEqual(['reopen', 'dispatch']);
    const { rows } = await ctx.db.query<{ rework: boolean; outcome: string | null }>('select rework, outcome from case_dispatches where case_id = $1 order by seq', [id]);
    expect(rows).toEqual([{ rework: true, outcome: 'feedback' }, { rework: false, outcome: null }]);
  }));

  test('a call-back needs someone to call; the shift leader confirms a closure once', () => withRatingApp(backend, async (ctx) => {
    const p = await pointInGrid(ctx.db, 5);
    const own = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector1, payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat } });
    expect(own.statusCode, own.body).toBe(201);
    await toClosed(ctx, own.json().id, false);
    const none = await ctx.app.inject({ method: 'POST', url: `/api/cases/${own.json().id}/rating`, headers: ctx.h.shiftlead1, payload: { rating: 'satisfied' } });
    expect(none.statusCode).toBe(422);
    expect((await ctx.app.inject({ url: `/api/cases/${own.json().id}/rating`, headers: ctx.h.shiftlead1 })).json()).toEqual({ rating: null, can_callback: false });

    const c = await publicReport(ctx);
    await toClosed(ctx, c.id);
    expect((await ratePublic(ctx, c.case_no, { code: c.code, rating: 'dissatisfied' })).statusCode).toBe(201);
    const byOperator = await ctx.app.inject({ method: 'POST', url: `/api/supervision/satisfaction/${c.id}/confirm`, headers: ctx.h.operator1, payload: { note: 'x' } });
    expect(byOperator.statusCode).toBe(403);
    const ok = await ctx.app.inject({ method: 'POST', url: `/api/supervision/satisfaction/${c.id}/confirm`, headers: ctx.h.shiftlead1, payload: { note: 'photos show it cleared' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ rating: 'dissatisfied', review_status: 'confirmed', channel: 'public' });
    expect((await ctx.app.inject({ method: 'POST', url: `/api/supervision/satisfaction/${c.id}/confirm`, headers: ctx.h.shiftlead1, payload: {} })).statusCode).toBe(422);
    const t = await trailOf(ctx, c.id);
    expect(t.status).toBe('closed');
    expect(t.trail.at(-1)).toMatchObject({ action: 'confirm_closure', note: 'photos show it cleared' });
    const unrated = await ctx.app.inject({ method: 'POST', url: `/api/supervision/satisfaction/${own.json().id}/confirm`, headers: ctx.h.shiftlead1, payload: {} });
    expect(unrated.statusCode).toBe(404);
  }));

  test('ratings feed the evaluation of departments and regions: count, average score, satisfied rate; figure and cases agree', () => withRatingApp(backend, async (ctx) => {
    const a = await publicReport(ctx);
    const b = await publicReport(ctx);
    const ca = await toClosed(ctx, a.id);
    await toClosed(ctx, b.id);
    expect((await ratePublic(ctx, a.case_no, { code: a.code, rating: 'satisfied' })).statusCode).toBe(201);
    expect((await ratePublic(ctx, b.case_no, { code: b.code, rating: 'basic' })).statusCode).toBe(201);
    const dept = String(ca.department_id);
    const q = 'from=2026-11-23&to=2026-11-23';
    // other rated cases may exist in the fixture (PostgreSQL: other files' commits), so compare with the table itself
    const { rows: [want] } = await ctx.db.query<{ n: string; s: string; sat: string }>(
      `select count(*) as n, sum(r.score) as s, count(*) filter (where r.rating = 'satisfied') as sat
         from case_ratings r join cases c on c.id = r.case_id and c.district_code = r.district_code -- the district: one co-located join on Citus
        where c.department_id = $1 and r.rated_at >= '2026-11-22T16:00:00Z' and r.rated_at < '2026-11-23T16:00:00Z'`, [dept]);
    expect(Number(want.n)).toBeGreaterThanOrEqual(2);
    const ev = await ctx.app.inject({ url: `/api/evaluation/departments?${q}`, headers: ctx.h.leader1 });
    expect(ev.statusCode, ev.body).toBe(200);
    expect(ev.json().indicators.find((i: { key: string }) => i.key === 'satisfaction_rate')).toMatchObject({ weight: 0 });
    const row = ev.json().rows.find((r: { key: string }) => r.key === dept);
    expect(row.satisfaction).toEqual({ count: Number(want.n), average_score: Number(want.s) / Number(want.n), satisfied_rate: Number(want.sat) / Number(want.n) });
    expect(row.indicators.satisfaction_rate).toMatchObject({ numerator: Number(want.sat), denominator: Number(want.n), used_weight: 0 });
    const drill = await ctx.app.inject({ url: `/api/evaluation/departments/cases?${q}&key=${dept}&indicator=satisfaction_rate&part=denominator&limit=500`, headers: ctx.h.leader1 });
    expect(drill.statusCode, drill.body).toBe(200);
    expect(drill.json().total).toBe(Number(want.n));
    expect(drill.json().items.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([a.id, b.id]));

    const street = ca.street_code;
    const reg = (await ctx.app.inject({ url: `/api/evaluation/regions?${q}&level=street`, headers: ctx.h.leader1 })).json();
    const srow = reg.rows.find((r: { key: string }) => r.key === street);
    expect(srow.satisfaction.count).toBeGreaterThanOrEqual(2);
    expect(srow.indicators.satisfaction_rate.denominator).toBe(srow.satisfaction.count);
    // a day without ratings: no data, not 0
    const empty = (await ctx.app.inject({ url: '/api/evaluation/departments?from=2020-01-01&to=2020-01-01', headers: ctx.h.leader1 })).json();
    expect(empty.rows.find((r: { key: string }) => r.key === dept).satisfaction).toEqual({ count: 0, average_score: null, satisfied_rate: null });
  }));
});
