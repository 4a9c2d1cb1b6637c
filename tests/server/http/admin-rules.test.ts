// The district's calendar and time limits in the admin console: admin only, versioned with valid_from, audited, 400 on
// bad input, and a new version steers the deadlines of steps started after it while running ones keep theirs.
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import * as audit from '../../../server/db/audit.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';

type Ctx = { app: FastifyInstance; db: Queryable; setNow(iso: string): void; as(u: string): Promise<{ authorization: string }> };

function withClockApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-12-04T02:00:00Z');
    const app = await buildApp(testConfig(), { db, clock: { now: () => now } });
    const as = async (username: string) => {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
      expect(res.statusCode).toBe(200);
      return { authorization: `Bearer ${res.json().token}` };
    };
    try {
      return await fn({ app, db, setNow: (iso) => { now = new Date(iso); }, as });
    } finally {
      await app.close();
    }
  });
}

const NY = { time_zone: 'America/New_York', holiday_set: 'us', periods: [['08:30', '12:00'], ['13:00', '17:00']], weekend: [0, 6], working_day_hours: 7.5 };

describe.each(testBackends())('admin calendar and limits on %s', (backend) => {
  test('the demo district runs on Asia/Shanghai with China\'s calendar; /api/config carries the zone', () => withClockApp(backend, async ({ app, as }) => {
    const config = await app.inject({ url: '/api/config' });
    expect(config.json().time_zone).toBe('Asia/Shanghai');
    const res = await app.inject({ url: '/api/admin/calendar', headers: await as('admin') });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.in_force).toMatchObject({ version: 1, time_zone: 'Asia/Shanghai', holiday_set: 'cn', created_by: null });
    expect(body.workdays).toEqual(expect.arrayContaining([{ date: '2026-02-14', for: '春节' }]));
    expect(body.holidays).toEqual(expect.arrayContaining([{ date: '2026-10-01', name_zh: '国庆节', name_en: 'National Day' }]));
  }));

  test('only an admin reads or changes them', () => withClockApp(backend, async ({ app, as }) => {
    expect((await app.inject({ url: '/api/admin/limits' })).statusCode).toBe(401);
    const h = await as('dispatcher1');
    expect((await app.inject({ url: '/api/admin/limits', headers: h })).statusCode).toBe(403);
    expect((await app.inject({ method: 'PUT', url: '/api/admin/calendar', headers: h, payload: NY })).statusCode).toBe(403);
  }));

  test('a calendar change is a new version, audited, in force from valid_from, and /api/config follows', () => withClockApp(backend, async ({ app, db, as, setNow }) => {
    const h = await as('admin');
    const res = await app.inject({ method: 'PUT', url: '/api/admin/calendar', headers: h, payload: { ...NY, valid_from: '2026-12-05T00:00:00Z', note: 'move to Cambridge' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ version: 2, created: true });
    expect(body.in_force.time_zone).toBe('Asia/Shanghai'); // scheduled, not yet in force
    expect(body.versions.map((v: { version: number }) => v.version)).toEqual([0, 1, 2]);
    expect((await app.inject({ url: '/api/config' })).json().time_zone).toBe('Asia/Shanghai');
    const [entry] = await audit.list(db, { action: 'admin.calendar', limit: 5 });
    expect(entry).toMatchObject({ username: 'admin', target: expect.stringMatching(/^district:/) });
    expect(entry.detail).toMatchObject({ version: 2, valid_from: '2026-12-05T00:00:00.000Z', to: { time_zone: 'America/New_York' }, note: 'move to Cambridge' });

    setNow('2026-12-05T00:00:01Z');
    expect((await app.inject({ url: '/api/config' })).json().time_zone).toBe('America/New_York');
    const h2 = await as('admin'); // the first session ended: idle longer than GRIDLINE_SESSION_IDLE_MINUTES
    const now = (await app.inject({ url: '/api/admin/calendar', headers: h2 })).json();
    expect(now.in_force).toMatchObject({ version: 2, holiday_set: 'us' });
    expect(now.holidays).toEqual(expect.arrayContaining([{ date: '2027-12-31', name_zh: '元旦 2028（补假）', name_en: "New Year's Day 2028 (observed)" }]));
    expect(now.workdays).toEqual([]);

    // the same settings again, no valid_from (a retried save): nothing new
    const again = await app.inject({ method: 'PUT', url: '/api/admin/calendar', headers: h2, payload: NY });
    expect(again.json()).toMatchObject({ version: 2, created: false });
  }));

  test('bad input is a 400 with our error shape, never a 500', () => withClockApp(backend, async ({ app, as }) => {
    const h = await as('admin');
    const put = (url: string, payload: unknown) => app.inject({ method: 'PUT', url, headers: h, payload: payload as object });
    for (const [url, payload, message] of [
      ['/api/admin/calendar', { ...NY, time_zone: 'Mars/Olympus' }, /time_zone/],
      ['/api/admin/calendar', { ...NY, periods: [['13:00', '12:00']] }, /period/],
      ['/api/admin/calendar', { ...NY, holiday_set: 'fr' }, /holiday_set/],
      ['/api/admin/calendar', { ...NY, valid_from: '2020-01-01T00:00:00Z' }, /past/],
      ['/api/admin/calendar', { ...NY, extra: 1 }, /.+/],
      ['/api/admin/limits', { steps: { dispatch: { value: -5, unit: 'minutes' } } }, /.+/],
      ['/api/admin/limits', { steps: { handling: { value: 5, unit: 'minutes' } } }, /.+/],
      ['/api/admin/limits', { handling: [{ class_code: '06001', condition: 'nope', limit: { value: 1, unit: 'working_days' } }] }, /06001\/nope/],
      ['/api/admin/limits', { fallback_handling: { value: 1, unit: 'fortnights' } }, /.+/],
    ] as const) {
      const res = await put(url, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
      expect(res.json().error.message).toMatch(message);
    }
  }));

  test('a limits change: only what is sent changes; new steps use it, a running deadline stays', () => withClockApp(backend, async ({ app, db, as }) => {
    const h = await as('admin');
    const before = (await app.inject({ url: '/api/admin/limits', headers: h })).json();
    expect(before.in_force.version).toBe(0);
    expect(before.in_force.limits.steps.accept).toMatchObject({ value: 15, unit: 'minutes' });

    // a report, accepted under the old limits: its filing step is due 30 min after acceptance
    const op = await as('operator1');
    const insp = await as('inspector1');
    const grid = (await db.query<{ lon: number; lat: number }>(`select st_x(st_pointonsurface(geom)) as lon, st_y(st_pointonsurface(geom)) as lat from grids limit 1`)).rows[0];
    const report = async () => {
      const r = await app.inject({ method: 'POST', url: '/api/cases', headers: { ...insp, 'idempotency-key': crypto.randomUUID() },
        payload: { kind: 'event', class_code: '06001', lon: grid.lon, lat: grid.lat, description: 'limits test' } });
      expect(r.statusCode).toBe(201);
      return r.json();
    };
    const a = await report();
    const act = (c: { id: string; version: number }, action: string) => app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: op, payload: { action, version: c.version } });
    const accA = await act(a, 'accept');
    expect(accA.statusCode).toBe(200);
    const dueA = accA.json().step_deadline_at;

    const res = await app.inject({ method: 'PUT', url: '/api/admin/limits', headers: h, payload: { steps: { file: { value: 45, unit: 'minutes' } }, note: 'more time to file' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 1, created: true });
    expect(res.json().in_force.limits.steps.file).toMatchObject({ value: 45, unit: 'minutes', urgent: { value: 10, unit: 'minutes' } });
    expect(res.json().in_force.limits.steps.accept).toMatchObject({ value: 15, unit: 'minutes' });
    const [entry] = await audit.list(db, { action: 'admin.limits', limit: 1 });
    expect(entry.detail).toMatchObject({ version: 1, based_on: 0, changes: { steps: { file: { value: 45, unit: 'minutes' } } } });

    const b = await report();
    const accB = await act(b, 'accept');
    const started = Date.parse(accB.json().step_started_at);
    expect(Date.parse(accB.json().step_deadline_at) - started).toBe(45 * 60_000);
    const caseA = (await app.inject({ url: `/api/cases/${a.id}`, headers: op })).json();
    expect(caseA.step_deadline_at).toBe(dueA);
    expect(Date.parse(dueA) - Date.parse(caseA.step_started_at)).toBe(30 * 60_000);
  }));
});
