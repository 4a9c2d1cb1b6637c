// Electronic supervision over HTTP (/api/supervision/…): cases driven through the real actions API into each category
// (overdue by department and step, urged and answered, stockpiled, late return, extension), who may read and who may
// change thresholds (audited), bad input. A fixed clock moved forward; every engine. Other cases may exist in the
// fixture (and, on PostgreSQL, be committed by other files meanwhile): assertions look for this test's own cases.
import { beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { sharedPglite, testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { loginHeaders, testConfig } from '../../helpers/app.js';
import { newPhotos, pointInGrid } from '../../helpers/cases.js';

const USERS = ['inspector1', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin'] as const;
type U = (typeof USERS)[number] | 'anonymous';
type Ctx = {
  app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; clock: { advance(min: number): void; now(): Date };
  /** Moves the clock on by days and logs everyone in again (sessions end after 8 idle hours). */
  skipDays(days: number): Promise<void>;
};

function withSupervisionApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
    const clock = { now: () => now, advance: (m: number) => { now = new Date(now.getTime() + m * 60_000); } };
    const app = await buildApp(testConfig(), { db, clock });
    try {
      const h = { anonymous: {} } as Record<U, Record<string, string>>;
      const login = async () => { Object.assign(h, await loginHeaders(app, USERS)); };
      await login();
      const skipDays = async (days: number) => { clock.advance(days * 24 * 60); await login(); };
      return await fn({ app, db, h, clock, skipDays });
    } finally {
      await app.close();
    }
  });
}

type Step = [U, string, Record<string, unknown>?, number?];

/** A case reported by inspector1 and moved on by `steps` (who, action, fields, minutes to wait before; default 3). */
async function newCase(ctx: Ctx, steps: Step[]): Promise<{ id: string; version: number; department_id: number | null }> {
  const p = await pointInGrid(ctx.db);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector1,
    payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'supervision test' } });
  expect(res.statusCode, res.body).toBe(201);
  let c = res.json();
  for (const s of steps) await act(ctx, c, s).then((n) => { c = n; });
  return c;
}

async function act(ctx: Ctx, c: { id: string; version: number }, [who, action, fields, wait]: Step) {
  ctx.clock.advance(wait ?? 3);
  const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[who], payload: { action, version: c.version, ...fields } });
  expect(r.statusCode, `${who} ${action}: ${r.body}`).toBe(200);
  return r.json();
}

const TO_HANDLING: Step[] = [['operator1', 'accept'], ['shiftlead1', 'file'], ['dispatcher1', 'dispatch']];

async function get(ctx: Ctx, url: string, who: U = 'leader1') {
  const r = await ctx.app.inject({ url, headers: ctx.h[who] });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}
const ids = (list: { items: { id: string }[] }) => list.items.map((i) => i.id);

// The shared PGlite starts once per worker; on a busy machine that alone can outlast a test's timeout.
beforeAll(async () => { if (testBackends().includes('pglite')) await sharedPglite(); }, 600_000);

describe.each(testBackends())('supervision over HTTP on %s', (backend) => {
  test('an overdue handling case counts against its department, an overdue dispatch against the centre', () => withSupervisionApp(backend, async (ctx) => {
    const handling = await newCase(ctx, TO_HANDLING);
    const waiting = await newCase(ctx, [['operator1', 'accept'], ['shiftlead1', 'file']]);
    let s = await get(ctx, '/api/supervision/summary');
    const overdueBefore = s.counts.overdue;
    await ctx.skipDays(3); // three days: both steps long past their limits
    s = await get(ctx, '/api/supervision/summary');
    expect(s.counts.overdue).toBeGreaterThanOrEqual(overdueBefore + 2);
    const dept = s.departments.find((r: { department_id: number | null }) => r.department_id === handling.department_id);
    expect(dept.by_step.handling).toBeGreaterThanOrEqual(1);
    const centre = s.departments.find((r: { department_id: number | null }) => r.department_id === null);
    expect(centre.by_step.dispatch).toBeGreaterThanOrEqual(1);
    expect(s.steps).toEqual(expect.arrayContaining(['dispatch', 'handling']));
    for (let i = 1; i < s.departments.length; i++) expect(s.departments[i - 1].total).toBeGreaterThanOrEqual(s.departments[i].total);

    const byDept = await get(ctx, `/api/supervision/cases/overdue?department=${handling.department_id}&step=handling&limit=500`);
    expect(ids(byDept)).toContain(handling.id);
    expect(ids(byDept)).not.toContain(waiting.id);
    const atCentre = await get(ctx, '/api/supervision/cases/overdue?department=centre&step=dispatch&limit=500');
    expect(ids(atCentre)).toContain(waiting.id);
    expect(atCentre.items.find((i: { id: string }) => i.id === waiting.id)).toMatchObject({ step: 'dispatch', department_id: null, status: 'pending_dispatch' });
  }));

  test('a suspended case is not overdue; past 60 natural days it is stockpiled', () => withSupervisionApp(backend, async (ctx) => {
    const c = await newCase(ctx, [...TO_HANDLING, ['crew1', 'apply_suspension', { reason: 'needs a budget' }], ['dispatcher1', 'approve_suspension']]);
    await ctx.skipDays(59);
    expect(ids(await get(ctx, '/api/supervision/cases/stockpiled?limit=500'))).not.toContain(c.id);
    expect(ids(await get(ctx, '/api/supervision/cases/overdue?limit=500'))).not.toContain(c.id);
    await ctx.skipDays(2);
    const list = await get(ctx, '/api/supervision/cases/stockpiled?limit=500');
    expect(ids(list)).toContain(c.id);
    expect(list.items.find((i: { id: string }) => i.id === c.id)).toMatchObject({ status: 'suspended', department_id: c.department_id });
    const s = await get(ctx, '/api/supervision/summary');
    expect(s.counts.stockpiled).toBeGreaterThanOrEqual(1);
    expect(s.alerts.some((a: { kind: string }) => a.kind === 'stockpiled')).toBe(true); // default threshold 1
  }));

  test('urges are listed with the handling side\'s answer; unanswered ones first and alone with answered=no', () => withSupervisionApp(backend, async (ctx) => {
    const answered = await newCase(ctx, [...TO_HANDLING, ['leader1', 'urge']]);
    await act(ctx, answered, ['crew1', 'apply_extension', { hours: 2 }, 30]);
    const silent = await newCase(ctx, [...TO_HANDLING, ['leader1', 'urge']]);
    const all = await get(ctx, '/api/supervision/cases/urged?limit=500');
    const a = all.items.find((i: { id: string }) => i.id === answered.id);
    const b = all.items.find((i: { id: string }) => i.id === silent.id);
    expect(a).toMatchObject({ answer_action: 'apply_extension', answered_at: expect.any(String) });
    expect(b).toMatchObject({ answer_action: null, answered_at: null });
    expect(all.items.findIndex((i: { id: string }) => i.id === silent.id)).toBeLessThan(all.items.findIndex((i: { id: string }) => i.id === answered.id));
    const open = await get(ctx, '/api/supervision/cases/urged?answered=no&limit=500');
    expect(ids(open)).toContain(silent.id);
    expect(ids(open)).not.toContain(answered.id);
    expect(ids(await get(ctx, '/api/supervision/cases/urged?answered=yes&limit=500'))).toContain(answered.id);

    // left unanswered past the threshold (default 24 h) the urge raises an alert
    let alerts = (await get(ctx, '/api/supervision/alerts')).alerts;
    const before = alerts.find((x: { kind: string }) => x.kind === 'unanswered_urges')?.count ?? 0;
    await ctx.skipDays(25 / 24);
    alerts = (await get(ctx, '/api/supervision/alerts')).alerts;
    expect(alerts.find((x: { kind: string }) => x.kind === 'unanswered_urges').count).toBeGreaterThanOrEqual(before + 1);
  }));

  test('a return applied later than 2 working hours after dispatch is late; an early one is not', () => withSupervisionApp(backend, async (ctx) => {
    const early = await newCase(ctx, [...TO_HANDLING, ['crew1', 'apply_return', { reason: 'not our asset' }, 60]]);
    const late = await newCase(ctx, [...TO_HANDLING, ['crew1', 'apply_return', { reason: 'not our asset' }, 5 * 60]]);
    await act(ctx, late, ['dispatcher1', 'approve_return']);
    const list = await get(ctx, '/api/supervision/cases/late_returns?limit=500');
    expect(ids(list)).toContain(late.id);
    expect(ids(list)).not.toContain(early.id);
    expect(list.items.find((i: { id: string }) => i.id === late.id)).toMatchObject({ return_outcome: 'approved', dispatched_at: expect.any(String) });
    expect((await get(ctx, '/api/supervision/summary')).counts.late_returns).toBeGreaterThanOrEqual(1);
  }));

  test('an extension granted is listed with its hours and counted in the window', () => withSupervisionApp(backend, async (ctx) => {
    const before = (await get(ctx, '/api/supervision/summary')).counts;
    const c = await newCase(ctx, [...TO_HANDLING, ['crew1', 'apply_extension', { hours: 4 }], ['dispatcher1', 'approve_extension']]);
    const list = await get(ctx, '/api/supervision/cases/extensions?limit=500');
    expect(list.items.find((i: { id: string }) => i.id === c.id)).toMatchObject({ extension_hours: 4, department_id: c.department_id });
    const after = (await get(ctx, '/api/supervision/summary')).counts;
    expect(after.extensions).toBe(before.extensions + 1);
    expect(after.extension_hours).toBe(before.extension_hours + 4);
    await ctx.skipDays(31); // out of the default 30-day window, still inside a 60-day one
    expect(ids(await get(ctx, '/api/supervision/cases/extensions?limit=500'))).not.toContain(c.id);
    expect(ids(await get(ctx, '/api/supervision/cases/extensions?days=60&limit=500'))).toContain(c.id);
  }));

  test.each([
    ['anonymous', 401], ['inspector1', 403], ['crew1', 403], ['dispatcher1', 403],
    ['operator1', 200], ['shiftlead1', 200], ['leader1', 200], ['admin', 200],
  ] as const)('%s reading supervision gets %s', (who, status) => withSupervisionApp(backend, async (ctx) => {
    for (const url of ['/api/supervision/summary', '/api/supervision/cases/overdue', '/api/supervision/alerts', '/api/supervision/thresholds']) {
      const r = await ctx.app.inject({ url, headers: ctx.h[who] });
      expect(r.statusCode, `${url}: ${r.body}`).toBe(status);
      if (status !== 200) expect(r.json().error.code).toBe(status === 401 ? 'unauthorized' : 'forbidden');
    }
  }));

  test('a leader changes the thresholds: a new version, in force at once, recorded in the audit log', () => withSupervisionApp(backend, async (ctx) => {
    const handling = await newCase(ctx, TO_HANDLING);
    await ctx.skipDays(3);
    const before = await get(ctx, '/api/supervision/thresholds');
    const body = { department_overdue: 1, step_overdue: 100000, stockpiled: 100000, unanswered_urge_hours: 8760 };
    const put = await ctx.app.inject({ method: 'PUT', url: '/api/supervision/thresholds', headers: ctx.h.leader1, payload: body });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ ...body, version: before.version + 1, source: 'stored', updated_by_name: 'leader1' });
    expect(await get(ctx, '/api/supervision/thresholds', 'operator1')).toMatchObject(body);
    const { rows } = await ctx.db.query<{ username: string; target: string; detail: { before: unknown; after: unknown } }>(
      `select username, target, detail from audit_log where action = 'supervision.thresholds' order by id desc limit 1`);
    expect(rows[0]).toMatchObject({ username: 'leader1', target: `supervision_thresholds:${before.version + 1}` });
    expect(rows[0].detail.after).toEqual(body);
    const alerts = (await get(ctx, '/api/supervision/alerts')).alerts;
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'department_overdue', department_id: handling.department_id, threshold: 1 }));
  }));

  test.each(['operator1', 'shiftlead1', 'crew1'] as const)('%s may not change the thresholds (403, nothing stored)', (who) => withSupervisionApp(backend, async (ctx) => {
    const before = await get(ctx, '/api/supervision/thresholds');
    const r = await ctx.app.inject({ method: 'PUT', url: '/api/supervision/thresholds', headers: ctx.h[who],
      payload: { department_overdue: 1, step_overdue: 1, stockpiled: 1, unanswered_urge_hours: 1 } });
    expect(r.statusCode).toBe(403);
    expect((await get(ctx, '/api/supervision/thresholds')).version).toBe(before.version);
  }));

  test.each([
    [{ department_overdue: 0, step_overdue: 1, stockpiled: 1, unanswered_urge_hours: 1 }, /department_overdue/],
    [{ department_overdue: 1, step_overdue: 1, stockpiled: 1 }, /unanswered_urge_hours/],
    [{ department_overdue: 1, step_overdue: 1, stockpiled: 1, unanswered_urge_hours: 1, colour: 'red' }, /colour/],
    [{ department_overdue: 'many', step_overdue: 1, stockpiled: 1, unanswered_urge_hours: 1 }, /department_overdue/],
    [{ department_overdue: 1.5, step_overdue: 1, stockpiled: 1, unanswered_urge_hours: 1 }, /department_overdue/],
  ])('thresholds %j are refused with 400 naming the field', (payload, message) => withSupervisionApp(backend, async (ctx) => {
    const r = await ctx.app.inject({ method: 'PUT', url: '/api/supervision/thresholds', headers: ctx.h.admin, payload });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(message);
  }));

  test.each([
    '/api/supervision/cases/everything', '/api/supervision/cases/overdue?department=roads', '/api/supervision/cases/overdue?department=0',
    '/api/supervision/cases/overdue?step=lunch', '/api/supervision/cases/urged?answered=maybe', '/api/supervision/summary?days=0',
    '/api/supervision/summary?days=400', '/api/supervision/cases/overdue?limit=0', '/api/supervision/cases/overdue?offset=-1',
    '/api/supervision/summary?extra=1',
  ])('%s is a 400', (url) => withSupervisionApp(backend, async (ctx) => {
    const r = await ctx.app.inject({ url, headers: ctx.h.leader1 });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'bad_request', message: expect.any(String) });
  }));
});
