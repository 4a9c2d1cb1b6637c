// Each district on its own working calendar and time limits (issue 12): a case's deadlines come from its own district's
// versions (services/district-rules.ts RuleBook.workOf), and the admin console reads and changes one district's rules
// at a time (`?district=`, default the first district; an admin kept to a district: its own).
// tests/helpers/two-districts.ts loads the second district (110102) beside the fixture's Dongcheng (110101); the clock
// stands at 2027-06-16T02:00Z: Wednesday 10:00 in Beijing, Tuesday 22:00 in New York.
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { loginHeaders } from '../../helpers/app.js';
import { A, B, filedCase, report, scopedUser, withTwoDistricts, type Ctx } from '../../helpers/two-districts.js';
import * as audit from '../../../server/db/audit.js';
import { US_EAST_CALENDAR } from '../../../server/domain/district-rules.js';

type Case = { id: string; version: number; case_no: string; step: string; step_started_at: string; step_deadline_at: string; handling_deadline_at: string };

/** Reported by `inspector`, accepted and filed, then dispatched by `dispatcher` to the suggested department. */
async function dispatched(ctx: Ctx, inspector: string, at: { lon: number; lat: number }, dispatcher: string): Promise<Case> {
  const c = await filedCase(ctx, inspector, at) as unknown as Case;
  const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[dispatcher], payload: { action: 'dispatch', version: c.version } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

async function reported(ctx: Ctx, who: string, at: { lon: number; lat: number }): Promise<Case> {
  const r = await report(ctx, who, at);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

const minutesOf = (c: Case) => (Date.parse(c.step_deadline_at) - Date.parse(c.step_started_at)) / 60_000;

describe.each(testBackends())('each district on its own calendar and time limits, on %s', (backend) => {
  test('a case of the second district gets its deadlines and its number from its own calendar; the first district\'s cases keep theirs', () => withTwoDistricts(backend, async (ctx) => {
    const put = await ctx.app.inject({ method: 'PUT', url: `/api/admin/calendar?district=${B}`, headers: ctx.h.admin, payload: { ...US_EAST_CALENDAR, note: 'the second district on New York time' } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ district_code: B, version: 1, created: true, in_force: { version: 1, time_zone: 'America/New_York', holiday_set: 'us' } });
    const first = (await ctx.app.inject({ url: '/api/admin/calendar', headers: ctx.h.admin })).json();
    expect(first).toMatchObject({ district_code: A, in_force: { time_zone: 'Asia/Shanghai', holiday_set: 'cn' } });

    // 06010 exposed garbage on a main road: 4 working hours from the dispatch
    const a = await dispatched(ctx, 'inspector1', ctx.a, 'dispatcher1');
    const b = await dispatched(ctx, 'inspector_b', ctx.b, 'dispatcher_b');
    expect(a.handling_deadline_at).toBe('2027-06-16T08:00:00.000Z'); // 10:00 Beijing: 10–12 and 14–16
    expect(b.handling_deadline_at).toBe('2027-06-16T17:30:00.000Z'); // 22:00 New York: Wednesday 08:30–12:00 and 13:00–13:30 (EDT)
    // the case number carries the local date of report: already Wednesday in Beijing, still Tuesday in New York
    expect(a.case_no.slice(0, 14)).toBe(`${A}20270616`);
    expect(b.case_no.slice(0, 14)).toBe(`${B}20270615`);
  }));

  test('an admin change to the second district\'s limits changes only its new cases', () => withTwoDistricts(backend, async (ctx) => {
    const before = await reported(ctx, 'inspector_b', ctx.b);
    expect(before.step).toBe('accept');
    expect(minutesOf(before)).toBe(15);

    const put = await ctx.app.inject({ method: 'PUT', url: `/api/admin/limits?district=${B}`, headers: ctx.h.admin, payload: { steps: { accept: { value: 40, unit: 'minutes' } } } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ district_code: B, version: 1, created: true, in_force: { limits: { steps: { accept: { value: 40, unit: 'minutes' } } } } });
    const [entry] = await audit.list(ctx.db, { action: 'admin.limits', limit: 1 });
    expect(entry).toMatchObject({ username: 'admin', target: `district:${B}` });
    const limitsA = (await ctx.app.inject({ url: '/api/admin/limits', headers: ctx.h.admin })).json();
    expect(limitsA).toMatchObject({ district_code: A, in_force: { version: 0, limits: { steps: { accept: { value: 15, unit: 'minutes' } } } } });

    const inB = await reported(ctx, 'inspector_b', ctx.b);
    const inA = await reported(ctx, 'inspector1', ctx.a);
    expect([minutesOf(inB), minutesOf(inA)]).toEqual([40, 15]);
    const kept = (await ctx.app.inject({ url: `/api/cases/${before.id}`, headers: ctx.h.dispatcher_b })).json();
    expect(kept.step_deadline_at).toBe(before.step_deadline_at); // a running step keeps the deadline of its start
  }));

  test('the admin routes name their district: default the first, ?district= another, 422 for a code that is no district, 400 for a malformed one', () => withTwoDistricts(backend, async (ctx) => {
    const get = (url: string, who = 'admin') => ctx.app.inject({ url, headers: ctx.h[who] });
    expect((await get('/api/admin/limits')).json().district_code).toBe(A);
    expect((await get(`/api/admin/limits?district=${A}`)).json().district_code).toBe(A);
    const inB = await get(`/api/admin/calendar?district=${B}`);
    expect(inB.statusCode, inB.body).toBe(200);
    expect(inB.json()).toMatchObject({ district_code: B, in_force: { version: 0, time_zone: 'Asia/Shanghai' }, versions: [{ version: 0 }] });

    const unknown = await ctx.app.inject({ method: 'PUT', url: '/api/admin/limits?district=110199', headers: ctx.h.admin, payload: { steps: { accept: { value: 20, unit: 'minutes' } } } });
    expect(unknown.statusCode, unknown.body).toBe(422);
    expect(unknown.json().error.message).toMatch(/110199 is not a district.*GET \/api\/regions\?level=district.*leave district out for the first district \(110101\)/);
    expect((await ctx.db.query(`select 1 from district_limits where district_code = '110199'`)).rows).toEqual([]);
    expect((await get(`/api/admin/calendar?district=${B}001`)).statusCode).toBe(400); // a street's code
  }));

  test('an admin kept to a district reads and changes its own district\'s rules; naming another is a 403', () => withTwoDistricts(backend, async (ctx) => {
    await scopedUser(ctx.db, 'admin_b', ['admin'], B);
    const h = await loginHeaders(ctx.app, ['admin_b']);
    expect((await ctx.app.inject({ url: '/api/admin/calendar', headers: h.admin_b })).json().district_code).toBe(B);
    const other = await ctx.app.inject({ url: `/api/admin/limits?district=${A}`, headers: h.admin_b });
    expect(other.statusCode, other.body).toBe(403);
    expect(other.json().error.message).toMatch(new RegExp(`${A}.*${B}`));
    const put = await ctx.app.inject({ method: 'PUT', url: '/api/admin/calendar', headers: h.admin_b, payload: US_EAST_CALENDAR });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ district_code: B, version: 1 });
    expect((await ctx.app.inject({ url: '/api/admin/calendar', headers: ctx.h.admin })).json()).toMatchObject({ district_code: A, in_force: { time_zone: 'Asia/Shanghai' } });
  }));
});
