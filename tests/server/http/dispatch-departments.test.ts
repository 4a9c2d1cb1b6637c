// Deactivated departments (migration 0030) are never dispatched to: the suggestion passes over them, the dispatch
// list (GET /api/departments?active=true) leaves them out, and a dispatch naming one (or falling back to one) is a
// 422 that says what to do. Both engines, the real app on a rolled-back transaction.
import { beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { loginHeaders, testConfig } from '../../helpers/app.js';

const USERS = ['inspector1', 'operator1', 'shiftlead1', 'dispatcher1', 'admin'] as const;
type U = (typeof USERS)[number];
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>> };

function withApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    const app = await buildApp(testConfig(), { db, clock: { now: () => new Date('2026-11-23T02:00:00Z') } });
    try {
      return await fn({ app, db, h: await loginHeaders(app, USERS) });
    } finally {
      await app.close();
    }
  });
}

/** A case of class 06010 reported by inspector1, accepted and filed: pending dispatch. */
async function pendingDispatch(ctx: Ctx) {
  const { rows } = await ctx.db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(g.geom) as p from grids g
       join responsibility_grid_members m on m.grid_code = g.code join responsibility_grids r on r.code = m.responsibility_code
       join users u on u.id = r.inspector_id where u.username = 'inspector1' order by g.code limit 1) s`);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector1,
    payload: { kind: 'event', class_code: '06010', lon: rows[0].lon, lat: rows[0].lat, description: 'inactive department test' } });
  expect(res.statusCode, res.body).toBe(201);
  let c = res.json();
  for (const [who, action] of [['operator1', 'accept'], ['shiftlead1', 'file']] as const) {
    const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[who], payload: { action, version: c.version } });
    expect(r.statusCode, r.body).toBe(200);
    c = r.json();
  }
  expect(c.status).toBe('pending_dispatch');
  return c as { id: string; version: number; suggested_department_id: string | number | null };
}

const setActive = (ctx: Ctx, id: number, active: boolean) =>
  ctx.app.inject({ method: 'PATCH', url: `/api/departments/${id}`, headers: ctx.h.admin, payload: { active } });

const defaultOf0610 = async (db: Queryable) => Number((await db.query<{ id: string }>(
  `select department_id::text as id from class_departments where kind = 'matter' and class_code = '06010'`)).rows[0].id);

describe.each(testBackends())('dispatch and deactivated departments on %s', (backend) => {
  beforeAll(() => withTestDb(backend, async () => {}), 300_000); // the engine opened and seeded before the clock starts

  test('the dispatch list leaves deactivated departments out; the full list keeps them (old cases name them)', () => withApp(backend, async (ctx) => {
    const dept = await defaultOf0610(ctx.db);
    expect((await setActive(ctx, dept, false)).statusCode).toBe(200);
    const all = (await ctx.app.inject({ url: '/api/departments', headers: ctx.h.dispatcher1 })).json() as { id: number; active: boolean }[];
    const dispatchable = (await ctx.app.inject({ url: '/api/departments?active=true', headers: ctx.h.dispatcher1 })).json() as { id: number; active: boolean }[];
    expect(all.find((d) => d.id === dept)).toMatchObject({ active: false });
    expect(dispatchable.map((d) => d.id)).not.toContain(dept);
    expect(dispatchable.length).toBe(all.filter((d) => d.active).length);
    expect(dispatchable.every((d) => d.active)).toBe(true);
    expect((await ctx.app.inject({ url: '/api/departments?active=maybe', headers: ctx.h.dispatcher1 })).statusCode).toBe(400);
  }));

  test('a case reported for a deactivated default department gets no suggestion of it; another active one is used when set', () => withApp(backend, async (ctx) => {
    const dept = await defaultOf0610(ctx.db);
    expect((await pendingDispatch(ctx)).suggested_department_id).toEqual(expect.anything());
    await setActive(ctx, dept, false);
    const c = await pendingDispatch(ctx);
    expect(c.suggested_department_id).toBeNull();
    // The one-click dispatch has nowhere to go; naming an active department works.
    const none = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h.dispatcher1, payload: { action: 'dispatch', version: c.version } });
    expect(none.statusCode).toBe(422);
    const { rows: [other] } = await ctx.db.query<{ id: string }>('select id::text as id from departments where active and id <> $1 order by id limit 1', [dept]);
    const ok = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h.dispatcher1,
      payload: { action: 'dispatch', version: c.version, department_id: Number(other.id) } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(Number(ok.json().department_id)).toBe(Number(other.id));
  }));

  test('dispatching to a deactivated department, named or as the earlier suggestion, is a 422 that says to pick an active one', () => withApp(backend, async (ctx) => {
    const dept = await defaultOf0610(ctx.db);
    const c = await pendingDispatch(ctx); // suggested while still active
    expect(Number(c.suggested_department_id)).toBe(dept);
    await setActive(ctx, dept, false);
    for (const fields of [{}, { department_id: dept }]) {
      const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h.dispatcher1,
        payload: { action: 'dispatch', version: c.version, ...fields } });
      expect(r.statusCode, JSON.stringify(fields)).toBe(422);
      expect(r.json().error).toMatchObject({ code: 'unprocessable', details: { department_id: 'inactive department' } });
      expect(r.json().error.message).toMatch(/deactivated: dispatch to an active department/);
    }
    const { rows: [still] } = await ctx.db.query<{ status: string; department_id: string | null }>('select status, department_id from cases where id = $1', [c.id]);
    expect(still).toEqual({ status: 'pending_dispatch', department_id: null });
    await setActive(ctx, dept, true); // reactivated: taken again
    const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h.dispatcher1, payload: { action: 'dispatch', version: c.version } });
    expect(r.statusCode, r.body).toBe(200);
  }));
});
