// The operator's console over HTTP (issue 10): a hotline call with the caller's name and phone (checked, stored in one
// form, masked for every role but operator and shift leader in detail, list, search, duplicates and exports, absent
// from live events), the duplicate candidates before filing (only what the caller may see), and the address search.
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { LiveCaseEventSchema } from '../../../server/http/schemas/cases.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { loginHeaders, testConfig } from '../../helpers/app.js';

const USERS = ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin'] as const;
type U = (typeof USERS)[number];
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; clock: { advance(m: number): void }; spot: { lon: number; lat: number } };

function withIntakeApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
    const clock = { now: () => now, advance: (m: number) => { now = new Date(now.getTime() + m * 60_000); } };
    const app = await buildApp(testConfig(), { db, clock });
    try {
      const h = await loginHeaders(app, USERS);
      // a point in one of inspector1's responsibility grids (inspector1 verifies there; inspector2 does not patrol it)
      const { rows } = await db.query<{ lon: number; lat: number }>(
        `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(g.geom) as p from grids g
           join responsibility_grid_members m on m.grid_code = g.code join responsibility_grids r on r.code = m.responsibility_code
           join users u on u.id = r.inspector_id where u.username = 'inspector1' order by g.code limit 1) s`);
      return await fn({ app, db, h, clock, spot: rows[0] });
    } finally {
      await app.close();
    }
  });
}

const call = (ctx: Ctx, extra: Record<string, unknown> = {}, who: U = 'operator1', key?: string) => ctx.app.inject({
  method: 'POST', url: '/api/cases', headers: { ...ctx.h[who], ...(key ? { 'idempotency-key': key } : {}) },
  payload: { kind: 'event', class_code: '06010', ...ctx.spot, source: 'hotline', description: 'overflowing bins', ...extra },
});

async function act(ctx: Ctx, c: { id: string; version: number }, who: U, action: string, fields: Record<string, unknown> = {}) {
  ctx.clock.advance(3);
  const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[who], payload: { action, version: c.version, ...fields } });
  expect(r.statusCode, `${who} ${action}: ${r.body}`).toBe(200);
  return r.json();
}

describe.each(testBackends())('hotline intake over HTTP on %s', (backend) => {
  test.each([
    ['+86 138-1234-5678', '13812345678'], ['010 12345678', '010-12345678'], ['0571-8765432-12', '0571-8765432-12'],
    ['617.555.0123', '(617) 555-0123'], ['+1 (617) 555-0123', '(617) 555-0123'],
  ])('the operator files a call from %s: stored as %s, with the caller\'s name', (phone, stored) => withIntakeApp(backend, async (ctx) => {
    const res = await call(ctx, { reporter_name: '  Alice Smith ', reporter_phone: phone }, 'operator1', `call-${phone}`);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ source: 'hotline', status: 'pending_acceptance', reporter_name: 'Alice Smith', reporter_phone: stored });
  }));

  test.each(['12345', '+44 20 7946 0958', '0123456789', '555-0123', '010-1234567'])('a phone "%s" is refused with 422 naming the field', (phone) => withIntakeApp(backend, async (ctx) => {
    const res = await call(ctx, { reporter_name: '王小明', reporter_phone: phone });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'unprocessable', details: { reporter_phone: expect.any(String) } });
  }));

  test('a phone with letters is a 400; only the operator (or the public, its own) records a caller', () => withIntakeApp(backend, async (ctx) => {
    expect((await call(ctx, { reporter_phone: '138-CALL-ME' })).statusCode).toBe(400);
    const inspector = await call(ctx, { source: 'inspector', reporter_name: '王小明', reporter_phone: '13812345678' }, 'inspector1');
    expect(inspector.statusCode).toBe(403);
    expect(inspector.json().error.code).toBe('role_not_allowed');
    expect((await call(ctx, {}, 'shiftlead1')).statusCode).toBe(403); // hotline calls are the operator's (workflow.md row 1)
    const pub = await ctx.app.inject({ method: 'POST', url: '/api/cases',
      payload: { kind: 'event', class_code: '06010', ...ctx.spot, reporter_name: 'Bob', reporter_phone: '(617) 555-0199' } });
    expect(pub.statusCode, pub.body).toBe(201);
  }));

  test('the caller is masked for every role but operator and shift leader: detail, list, search, duplicates, exports, live', () => withIntakeApp(backend, async (ctx) => {
    const marker = `m${Math.random().toString(36).slice(2, 10)}`;
    let c = (await call(ctx, { reporter_name: '王小明', reporter_phone: '13812345678', description: `bins ${marker}` })).json();
    c = await act(ctx, c, 'operator1', 'send_verify');
    c = await act(ctx, c, 'inspector1', 'verify', { found: true });
    c = await act(ctx, c, 'operator1', 'accept');
    c = await act(ctx, c, 'shiftlead1', 'file');
    c = await act(ctx, c, 'dispatcher1', 'dispatch'); // to the class's department: crew1's
    const seen: Record<string, unknown> = {};
    for (const u of USERS) {
      const full = u === 'operator1' || u === 'shiftlead1';
      const want = full ? { reporter_name: '王小明', reporter_phone: '13812345678' } : { reporter_name: '王**', reporter_phone: '138****5678' };
      const detail = await ctx.app.inject({ url: `/api/cases/${c.id}`, headers: ctx.h[u] });
      if (detail.statusCode === 404) { seen[u] = 'hidden'; continue; } // inspector2 does not patrol the grid
      expect(detail.json(), u).toMatchObject(want);
      const list = (await ctx.app.inject({ url: `/api/cases?q=${marker}`, headers: ctx.h[u] })).json();
      expect(list.items, u).toEqual([expect.objectContaining({ id: c.id, ...want })]);
      const dup = (await ctx.app.inject({ url: `/api/cases/duplicates?lon=${c.lon}&lat=${c.lat}&class_code=06010`, headers: ctx.h[u] })).json();
      expect(dup.items.find((x: { id: string }) => x.id === c.id), u).toMatchObject(want);
      const csv = await ctx.app.inject({ url: `/api/exports/cases.csv?q=${marker}`, headers: ctx.h[u] });
      expect(csv.statusCode, u).toBe(200);
      expect(csv.body.includes('13812345678'), u).toBe(full);
      expect(csv.body.includes('王小明'), u).toBe(full);
      seen[u] = full ? 'full' : 'masked';
    }
    expect(seen).toEqual({ inspector1: 'masked', inspector2: 'hidden', operator1: 'full', shiftlead1: 'full', dispatcher1: 'masked', crew1: 'masked', leader1: 'masked', admin: 'masked' });
    // live events carry no reporter at all, for anyone
    const { rows } = await ctx.db.query<{ payload: Record<string, unknown> }>('select payload from case_events where case_id = $1', [c.id]);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(Object.keys(r.payload).filter((k) => k.startsWith('reporter_') && k !== 'reporter_id')).toEqual([]);
    expect(Object.keys(LiveCaseEventSchema.properties).filter((k) => /reporter_(name|phone)/.test(k))).toEqual([]);
  }));

  test('GET /api/cases/duplicates: open cases of the class nearby that the caller may see, nearest first, exclude and radius', () => withIntakeApp(backend, async (ctx) => {
    const first = (await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector1,
      payload: { kind: 'event', class_code: '06010', ...ctx.spot, description: 'first' } })).json();
    const near = { lon: ctx.spot.lon + 0.0002, lat: ctx.spot.lat }; // ~16 m east
    const q = (extra: string, who: U = 'operator1') => ctx.app.inject({ url: `/api/cases/duplicates?lon=${near.lon}&lat=${near.lat}&class_code=06010${extra}`, headers: ctx.h[who] });
    const found = (await q('')).json();
    expect(found.meters).toBe(50);
    const mine = found.items.find((x: { id: string }) => x.id === first.id);
    expect(mine).toMatchObject({ case_no: first.case_no, description: 'first', version: 1, status: 'pending_acceptance' });
    expect(mine.distance_m).toBeGreaterThan(5);
    expect(mine.distance_m).toBeLessThan(30);
    const ds = found.items.map((x: { distance_m: number }) => x.distance_m);
    expect(ds).toEqual([...ds].sort((x, y) => x - y));
    expect((await q(`&exclude=${first.id}`)).json().items.some((x: { id: string }) => x.id === first.id)).toBe(false);
    const otherClass = await ctx.app.inject({ url: `/api/cases/duplicates?lon=${near.lon}&lat=${near.lat}&class_code=06999`, headers: ctx.h.operator1 });
    expect(otherClass.json().items.some((x: { id: string }) => x.id === first.id)).toBe(false);
    const far = await ctx.app.inject({ url: `/api/cases/duplicates?lon=${ctx.spot.lon + 0.01}&lat=${ctx.spot.lat}&class_code=06010&meters=100`, headers: ctx.h.operator1 });
    expect(far.json().items.some((x: { id: string }) => x.id === first.id)).toBe(false);
    // visibility: inspector2 does not patrol the grid and did not report it; crew1's department has not been given it
    for (const u of ['inspector2', 'crew1'] as const) expect((await q('', u)).json().items.some((x: { id: string }) => x.id === first.id), u).toBe(false);
    // a void (merged) case is no candidate
    const second = (await call(ctx, { description: 'second' })).json();
    const merged = await ctx.app.inject({ method: 'POST', url: `/api/cases/${second.id}/merge`, headers: ctx.h.operator1, payload: { into: first.id, version: second.version } });
    expect(merged.statusCode, merged.body).toBe(200);
    expect((await q('')).json().items.some((x: { id: string }) => x.id === second.id)).toBe(false);
  }));

  test.each([
    ['', 401], ['?lon=1&lat=2', 400], ['?lon=abc&lat=2&class_code=06010', 400], ['?lon=1&lat=2&class_code=6010', 400],
    ['?lon=-9.2e-77&lat=7.4e-323&class_code=06010', 200], ['?lon=1&lat=2&class_code=06010&meters=5000', 400], ['?lon=1&lat=2&class_code=06010&exclude=nope', 400], ['?lon=1&lat=2&class_code=06010&x=1', 400],
  ])('GET /api/cases/duplicates%s is refused with %s', (qs, status) => withIntakeApp(backend, async (ctx) => {
    const res = await ctx.app.inject({ url: `/api/cases/duplicates${qs}`, headers: status === 401 ? {} : ctx.h.operator1 });
    expect(res.statusCode).toBe(status);
    if (status === 200) expect(res.json().items).toEqual([]); // a subnormal coordinate is 0, not a database error
    else expect(res.json().error.code).toEqual(expect.any(String));
    // the request left the transaction usable
    expect((await ctx.app.inject({ url: '/api/cases/duplicates?lon=1&lat=2&class_code=06010', headers: ctx.h.operator1 })).statusCode).toBe(200);
  }));

  test('GET /api/places/search finds a road by part of its name, names starting with it first', () => withIntakeApp(backend, async (ctx) => {
    const w = `Zq${Math.random().toString(36).slice(2, 7)}`; // other files may add places meanwhile (PostgreSQL)
    const line = (dx: number) => JSON.stringify({ type: 'LineString', coordinates: [[ctx.spot.lon + dx, ctx.spot.lat], [ctx.spot.lon + dx + 0.002, ctx.spot.lat]] });
    for (const [name, dx] of [[`Old ${w} Road`, 0.004], [`${w} Street`, 0], [`${w} Street`, 0.002]] as const) {
      await ctx.db.query(`insert into places (kind, name, geom) values ('road', $1, st_setsrid(st_geomfromgeojson($2), 4326))`, [name, line(dx)]);
    }
    const res = await ctx.app.inject({ url: `/api/places/search?q=${w.toLowerCase()}` });
    expect(res.statusCode).toBe(200);
    expect(res.json().map((p: { name: string }) => p.name)).toEqual([`${w} Street`, `Old ${w} Road`]); // one hit per name, prefix first
    const street = res.json()[0];
    expect(street).toMatchObject({ kind: 'road' });
    expect(Math.abs(street.lat - ctx.spot.lat)).toBeLessThan(1e-6);
    expect(street.lon).toBeGreaterThan(ctx.spot.lon + 0.0015); // near the middle of the two segments
    expect(street.lon).toBeLessThan(ctx.spot.lon + 0.0025);
    expect((await ctx.app.inject({ url: '/api/places/search?q=%25%25' })).json()).toEqual([]); // % is a character, not a wildcard
    expect((await ctx.app.inject({ url: '/api/places/search?q=a' })).statusCode).toBe(400);
    expect((await ctx.app.inject({ url: '/api/places/search?q=ab&limit=99' })).statusCode).toBe(400);
  }));
});
