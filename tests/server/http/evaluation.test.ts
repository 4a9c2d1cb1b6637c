// Evaluation over HTTP: cases moved through the real workflow, then every figure of every row checked against the
// list of cases behind it (numerator and denominator), hand-computed expectations for the department and the
// dispatcher, the headline, versioned settings, roles and bad input.
import { beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { sharedPglite, testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import { newPhotos } from '../../helpers/cases.js';
import { DEFAULT_SETTINGS } from '../../../server/domain/evaluation.js';

const USERS = ['inspector1', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin'] as const;
type U = (typeof USERS)[number];
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; clock: { advance(m: number): void } };

function withApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2027-04-12T02:00:00Z'); // Monday 10:00 in Beijing; a month no other test file commits cases in
    const clock = { now: () => now, advance: (m: number) => { now = new Date(now.getTime() + m * 60_000); } };
    const app = await buildApp(testConfig(), { db, clock });
    try {
      const h = {} as Record<U, Record<string, string>>;
      for (const u of USERS) {
        const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
        h[u] = { authorization: `Bearer ${res.json().token}` };
      }
      return await fn({ app, db, h, clock });
    } finally {
      await app.close();
    }
  });
}

async function newCase(ctx: Ctx, steps: [U, string, Record<string, unknown>?][], minutes = 3) {
  const { rows } = await ctx.db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(g.geom) as p from grids g
       join responsibility_grid_members m on m.grid_code = g.code join responsibility_grids r on r.code = m.responsibility_code
       join users u on u.id = r.inspector_id where u.username = 'inspector1' order by g.code limit 1) s`);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector1,
    payload: { kind: 'event', class_code: '06010', lon: rows[0].lon, lat: rows[0].lat } });
  expect(res.statusCode, res.body).toBe(201);
  let c = res.json();
  for (const [who, action, fields] of steps) {
    ctx.clock.advance(minutes);
    const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[who], payload: { action, version: c.version, ...fields } });
    expect(r.statusCode, `${who} ${action}: ${r.body}`).toBe(200);
    c = r.json();
  }
  return c;
}

const Q = 'from=2027-04-01&to=2027-04-30';

// The shared PGlite starts once per worker; on a busy machine that alone can outlast a test's timeout.
beforeAll(async () => { if (testBackends().includes('pglite')) await sharedPglite(); }, 600_000);

describe.each(testBackends())('evaluation over HTTP on %s', (backend) => {
  test('every figure of every row equals the cases behind its numerator and denominator; hand-computed department and dispatcher', () => withApp(backend, async (ctx) => {
    const photos = await newPhotos(ctx.db, 1);
    const dispatched: [U, string, Record<string, unknown>?][] = [['operator1', 'accept'], ['shiftlead1', 'file'], ['dispatcher1', 'dispatch']];
    const fixed: [U, string, Record<string, unknown>?][] = [...dispatched, ['crew1', 'feedback', { photo_ids: photos }], ['operator1', 'send_check']];
    await newCase(ctx, [...fixed, ['inspector1', 'check', { passed: true }], ['shiftlead1', 'close']]);  // closed, on time
    await newCase(ctx, [...fixed, ['inspector1', 'check', { passed: false, photo_ids: photos }]]);                          // rework
    await newCase(ctx, dispatched);                                                                      // still handling
    await newCase(ctx, [['operator1', 'accept'], ['shiftlead1', 'refuse', { reason: 'not ours' }]]);      // refused at filing
    await newCase(ctx, []);                                                                              // only reported
    const crewDept = String((await ctx.db.query<{ d: number }>(`select department_id as d from users where username = 'crew1'`)).rows[0].d);

    for (const [object, extra] of [['departments', ''], ['regions', '&level=street'], ['regions', '&level=grid'], ['posts', '&post=inspector'],
      ['posts', '&post=operator'], ['posts', '&post=shift_leader'], ['posts', '&post=dispatcher']] as const) {
      const res = await ctx.app.inject({ url: `/api/evaluation/${object}?${Q}${extra}`, headers: ctx.h.leader1 });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.settings.version).toBe(0);
      for (const row of body.rows) {
        for (const [key, fig] of Object.entries(row.indicators) as [string, { numerator: number; denominator: number | null }][]) {
          if (fig.numerator === 0 && !fig.denominator) continue;
          const spec = body.indicators.find((i: { key: string }) => i.key === key);
          const parts = spec.kind === 'count_band' ? [['denominator', fig.numerator]] : [['numerator', fig.numerator], ['denominator', fig.denominator]];
          for (const [part, expected] of parts) {
            const d = await ctx.app.inject({ url: `/api/evaluation/${object}/cases?${Q}${extra}&key=${row.key}&indicator=${key}&part=${part}&limit=500`, headers: ctx.h.leader1 });
            expect(d.statusCode, d.body).toBe(200);
            expect(d.json().events, `${object}${extra} ${row.key} ${key} ${part}`).toBe(expected);
            expect(d.json().items.length).toBe(d.json().total);
          }
        }
      }
      if (object === 'departments') {
        const row = body.rows.find((r: { key: string }) => r.key === crewDept);
        // 3 kept dispatches; 1 closed of 3; due to handle: 2 fed back (both on time); 1 of 2 feedbacks reworked.
        expect(row.indicators.filed_count).toMatchObject({ numerator: 3, score: 100 });
        expect(row.indicators.closing_rate).toMatchObject({ numerator: 1, denominator: 3 });
        expect(row.indicators.on_time_handling_rate).toMatchObject({ numerator: 2, denominator: 2, score: 100 });
        expect(row.indicators.rework_rate).toMatchObject({ numerator: 1, denominator: 2, score: 50 });
        expect(row.composite).toBeCloseTo(0.1 * 100 + 0.3 * (100 / 3) + 0.3 * 100 + 0.3 * 50, 9);
        expect(row.grade).toBe('C'); // 65
        expect(row.extra).toMatchObject({ pending: 1, returns: 0 });
        // Departments with nothing dispatched: no data, no grade.
        const empty = body.rows.find((r: { key: string }) => r.key !== crewDept);
        expect(empty.composite === null || empty.indicators.filed_count.numerator === 0).toBe(true);
        expect(empty.indicators.closing_rate.rate).toBeNull();
      }
      if (object === 'posts' && extra === '&post=dispatcher') {
        const row = body.rows.find((r: { name: string }) => r.name.includes('dispatcher1'));
        expect(row.indicators.dispatch_count.numerator).toBe(3);           // 4 dispatches in the band ≤ 100 → 0
        expect(row.indicators.dispatch_count.score).toBe(0);
        expect(row.indicators.accurate_dispatch_rate).toMatchObject({ numerator: 3, denominator: 3 });
      }
      if (object === 'posts' && extra === '&post=inspector') {
        const row = body.rows.find((r: { name: string }) => r.name.includes('inspector1'));
        // 5 reports, 3 filed and not void (the refused one is void, the last never filed).
        expect(row.indicators.valid_report_rate).toMatchObject({ numerator: 3, denominator: 5 });
      }
    }

    const head = await ctx.app.inject({ url: `/api/evaluation/headline?${Q}`, headers: ctx.h.dispatcher1 });
    expect(head.statusCode, head.body).toBe(200);
    expect(head.json().discovery_rate).toMatchObject({ numerator: 3, denominator: 3, rate: 1 });
    expect(head.json().closing_rate).toMatchObject({ numerator: 1, denominator: 3 });
    expect(head.json().avg_handling_hours.count).toBe(2);
    expect(head.json().reference.dispatch_accuracy).toBe(0.98);
    const hc = await ctx.app.inject({ url: `/api/evaluation/headline/cases?${Q}&indicator=closing_rate&part=numerator`, headers: ctx.h.leader1 });
    expect(hc.json().total).toBe(1);
    expect(hc.json().items[0].status).toBe('closed');
  }));

  test('settings are versioned, only an admin changes them, and results name the version they used', () => withApp(backend, async (ctx) => {
    const w = structuredClone(DEFAULT_SETTINGS);
    w.weights.departments = { filed_count: 0.25, closing_rate: 0.25, on_time_handling_rate: 0.25, rework_rate: 0.25 };
    const denied = await ctx.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: ctx.h.leader1, payload: w });
    expect(denied.statusCode).toBe(403);
    const put = await ctx.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: ctx.h.admin, payload: w });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().version).toBe(1);
    const res = await ctx.app.inject({ url: `/api/evaluation/departments?${Q}`, headers: ctx.h.leader1 });
    expect(res.json().settings.version).toBe(1);
    expect(res.json().settings.weights.closing_rate).toBe(0.25);
    const bad = await ctx.app.inject({ method: 'PUT', url: '/api/evaluation/settings', headers: ctx.h.admin, payload: { ...w, weights: { ...w.weights, regions: { closing_rate: 1 } } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/weights\.regions/);
    expect((await ctx.app.inject({ url: '/api/evaluation/settings', headers: ctx.h.leader1 })).json().version).toBe(1);
  }));

  test('who may see it, and bad input answers 400 naming the field', () => withApp(backend, async (ctx) => {
    expect((await ctx.app.inject({ url: `/api/evaluation/regions?${Q}` })).statusCode).toBe(401);
    expect((await ctx.app.inject({ url: `/api/evaluation/regions?${Q}`, headers: ctx.h.crew1 })).statusCode).toBe(403);
    expect((await ctx.app.inject({ url: `/api/evaluation/regions?${Q}`, headers: ctx.h.inspector1 })).statusCode).toBe(403);
    const bad: [string, string][] = [
      ['/api/evaluation/regions?from=2027-04-30&to=2027-04-01', 'from'],
      ['/api/evaluation/regions?from=2026-11-01&to=2026-13-01', 'to'],
      ['/api/evaluation/regions?from=2020-01-01&to=2026-11-01', 'to'],
      [`/api/evaluation/regions?${Q}&level=planet`, 'level'],
      [`/api/evaluation/regions?${Q}&parent=999999`, 'parent'],
      [`/api/evaluation/posts?${Q}&post=mayor`, 'post'],
      [`/api/evaluation/headline?${Q}&region=12x`, 'region'],
      [`/api/evaluation/departments/cases?${Q}&key=1&indicator=speed`, 'indicator'],
      [`/api/evaluation/departments/cases?${Q}&key=1&indicator=closing_rate&part=half`, 'part'],
      [`/api/evaluation/departments/cases?${Q}&key=abc&indicator=closing_rate`, 'key'],
      [`/api/evaluation/regions/cases?${Q}&key=1&indicator=closing_rate`, 'key'],
    ];
    for (const [url, field] of bad) {
      const res = await ctx.app.inject({ url, headers: ctx.h.leader1 });
      expect(res.statusCode, url).toBe(400);
      expect(Object.keys(res.json().error.details ?? {}), url).toContain(field);
    }
    expect((await ctx.app.inject({ url: `/api/evaluation/nations?${Q}`, headers: ctx.h.leader1 })).statusCode).toBe(400);
    expect((await ctx.app.inject({ url: '/api/evaluation/regions?to=2026-11-01', headers: ctx.h.leader1 })).statusCode).toBe(400);
  }));
});
