// Cases over HTTP: every role against every case endpoint, object-level visibility, masking, bad input, the live
// stream over a real socket. The app runs on a rolled-back test transaction with a fixed clock.
import { afterAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import { verifyAllTrails } from '../../../server/services/cases.js';
import type { Queryable } from '../../../server/db/types.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import { closeSharedTestApps, withSharedTestApp } from '../../helpers/shared-app.js';
import { newPhotos, pointInGrid } from '../../helpers/cases.js';

const USERS = ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin'] as const;
type U = (typeof USERS)[number] | 'anonymous';

type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; clock: { advance(m: number): void } };

/** The clock the file's apps read: set back to the same Monday at the start of each test. */
const START = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
let now = START;
const clock = { now: () => now, advance: (m: number) => { now = new Date(now.getTime() + m * 60_000); } };

/**
 * Runs fn logged in as every user, on one app per engine shared by the file (tests/helpers/shared-app.ts: nothing
 * of it is kept between tests but the anonymous intake throttle's count, one public report per engine, and the
 * listening socket the live-status checks open); `fresh` builds an app of the test's own (the live stream test).
 */
function withCaseApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>, fresh = false): Promise<T> {
  const run = async ({ app, db }: { app: FastifyInstance; db: Queryable }) => {
    now = START;
    const h = { anonymous: {} } as Record<U, Record<string, string>>;
    for (const u of USERS) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
      h[u] = { authorization: `Bearer ${res.json().token}` };
    }
    return await fn({ app, db, h, clock });
  };
  if (!fresh) return withSharedTestApp(backend, run, {}, { clock });
  return withTestDb(backend, async (db) => {
    const app = await buildApp(testConfig(), { db, clock });
    try {
      return await run({ app, db });
    } finally {
      await app.close();
    }
  });
}

/** A case reported by inspector1 inside one of inspector1's responsibility grids, moved on by the given actions. */
async function newCase(ctx: Ctx, steps: [U, string, Record<string, unknown>?][] = [], extra: Record<string, unknown> = {}) {
  const { rows } = await ctx.db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(g.geom) as p from grids g
       join responsibility_grid_members m on m.grid_code = g.code join responsibility_grids r on r.code = m.responsibility_code
       join users u on u.id = r.inspector_id where u.username = 'inspector1' order by g.code limit 1) s`);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector1,
    payload: { kind: 'event', class_code: '06010', lon: rows[0].lon, lat: rows[0].lat, description: 'garbage', ...extra } });
  expect(res.statusCode, res.body).toBe(201);
  let c = res.json();
  for (const [who, action, fields] of steps) {
    ctx.clock.advance(3);
    const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[who], payload: { action, version: c.version, ...fields } });
    expect(r.statusCode, `${who} ${action}: ${r.body}`).toBe(200);
    c = r.json();
  }
  return c;
}

const TO_HANDLING: [U, string, Record<string, unknown>?][] = [['operator1', 'accept'], ['shiftlead1', 'file'], ['dispatcher1', 'dispatch']];

afterAll(closeSharedTestApps);

describe.each(testBackends())('cases over HTTP on %s', (backend) => {
  test('POST /api/cases answers 201 with api.md\'s fields; the same Idempotency-Key answers the same case', () => withCaseApp(backend, async (ctx) => {
    const p = await pointInGrid(ctx.db);
    const payload = { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat };
    const headers = { ...ctx.h.inspector1, 'idempotency-key': 'device-7-report-1' };
    const a = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers, payload });
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({ id: expect.any(String), case_no: expect.any(String), status: 'pending_acceptance', grid_code: p.code, version: 1 });
    const b = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers, payload });
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().id).toBe(a.json().id);
    const c = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers, payload: { ...payload, description: 'other' } });
    expect(c.statusCode).toBe(422);
  }));

  test.each([
    [{ lat: 91 }, 400, /lat/], [{ lon: 'abc' }, 400, /lon/], [{ class_code: '6010' }, 400, /class_code/],
    [{ class_code: '06999' }, 400, /06999/], [{ kind: 'component_anomaly' }, 422, /06010/], [{ lon: 0, lat: 0 }, 422, /outside every unit grid/],
    [{ crs: 'bd09' }, 400, /crs/], [{ extra: 1 }, 400, /additional/],
  ])('a report with %o is refused with %s', (change, status, message) => withCaseApp(backend, async (ctx) => {
    const p = await pointInGrid(ctx.db);
    // other test files may commit cases meanwhile (PostgreSQL): count this report's own marker
    const marker = `refused-${Math.random()}`;
    const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector1,
      payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: marker, ...change } });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.message).toMatch(message);
    const { rows } = await ctx.db.query<{ n: number }>('select count(*)::int as n from cases where description = $1', [marker]);
    expect(rows[0].n).toBe(0);
  }));

  // Who may call what (403/401 before any state check). A row per role; a column per endpoint.
  const MATRIX: [U, { report: number; list: number; read: number; accept: number; dispatch: number; departments: number; live: number }][] = [
    ['anonymous',   { report: 201, list: 401, read: 401, accept: 401, dispatch: 401, departments: 401, live: 401 }],
    ['inspector1',  { report: 201, list: 200, read: 200, accept: 403, dispatch: 403, departments: 200, live: 200 }],
    ['inspector2',  { report: 201, list: 200, read: 404, accept: 404, dispatch: 404, departments: 200, live: 200 }],
    ['operator1',   { report: 201, list: 200, read: 200, accept: 200, dispatch: 403, departments: 200, live: 200 }],
    ['shiftlead1',  { report: 403, list: 200, read: 200, accept: 403, dispatch: 403, departments: 200, live: 200 }],
    ['dispatcher1', { report: 403, list: 200, read: 200, accept: 403, dispatch: 422, departments: 200, live: 200 }],
    ['crew1',       { report: 403, list: 200, read: 404, accept: 404, dispatch: 404, departments: 200, live: 200 }],
    ['leader1',     { report: 201, list: 200, read: 200, accept: 403, dispatch: 403, departments: 200, live: 200 }],
    ['admin',       { report: 403, list: 200, read: 200, accept: 403, dispatch: 403, departments: 200, live: 200 }],
  ];
  test.each(MATRIX)('%s against every case endpoint', (who, expected) => withCaseApp(backend, async (ctx) => {
    const c = await newCase(ctx);
    const p = await pointInGrid(ctx.db, 5);
    const source = who === 'leader1' ? 'leader' : who === 'anonymous' ? 'public' : undefined;
    const got = {
      report: (await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h[who],
        payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, ...(source ? { source } : {}) } })).statusCode,
      list: (await ctx.app.inject({ url: '/api/cases', headers: ctx.h[who] })).statusCode,
      read: (await ctx.app.inject({ url: `/api/cases/${c.id}`, headers: ctx.h[who] })).statusCode,
      accept: (await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[who], payload: { action: 'accept', version: 1 } })).statusCode,
      dispatch: (await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[who], payload: { action: 'dispatch', version: who === 'operator1' ? 2 : 1 } })).statusCode,
      departments: (await ctx.app.inject({ url: '/api/departments', headers: ctx.h[who] })).statusCode,
      live: await liveStatus(ctx, who),
    };
    expect(got).toEqual(expected);
  }));

  test('a crew sees and acts only on its own department\'s cases', () => withCaseApp(backend, async (ctx) => {
    const mine = await newCase(ctx, TO_HANDLING);
    const { rows } = await ctx.db.query<{ id: number }>(`select id from departments where id <> $1 order by id limit 1`, [mine.department_id]);
    const other = await newCase(ctx, [['operator1', 'accept'], ['shiftlead1', 'file'], ['dispatcher1', 'dispatch', { department_id: Number(rows[0].id) }]]);
    const list = (await ctx.app.inject({ url: '/api/cases?limit=1000', headers: ctx.h.crew1 })).json();
    const ids = list.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(other.id);
    expect(list.items.every((c: { department_id: number }) => c.department_id === mine.department_id)).toBe(true);
    expect((await ctx.app.inject({ url: `/api/cases/${other.id}`, headers: ctx.h.crew1 })).statusCode).toBe(404);
    const fb = await ctx.app.inject({ method: 'POST', url: `/api/cases/${other.id}/actions`, headers: ctx.h.crew1, payload: { action: 'feedback', version: other.version, photo_ids: await newPhotos(ctx.db) } });
    expect(fb.statusCode).toBe(404);
    const ok = await ctx.app.inject({ method: 'POST', url: `/api/cases/${mine.id}/actions`, headers: ctx.h.crew1, payload: { action: 'feedback', version: mine.version, photo_ids: await newPhotos(ctx.db) } });
    expect(ok.json().status).toBe('pending_check');
  }));

  test('the reporter\'s phone and name are masked except for the operator and shift leader', () => withCaseApp(backend, async (ctx) => {
    const p = await pointInGrid(ctx.db);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.operator1,
      payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'hotline', reporter_name: '王小明', reporter_phone: '13812345678' } });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    const as = async (u: U) => (await ctx.app.inject({ url: `/api/cases/${id}`, headers: ctx.h[u] })).json();
    expect(await as('operator1')).toMatchObject({ reporter_name: '王小明', reporter_phone: '13812345678' });
    expect(await as('dispatcher1')).toMatchObject({ reporter_name: '王**', reporter_phone: '138****5678' });
    expect(await as('leader1')).toMatchObject({ reporter_phone: '138****5678' });
  }));

  test('a stale version is 409, the wrong state 422, and the trail keeps only what happened', () => withCaseApp(backend, async (ctx) => {
    const c = await newCase(ctx, [['operator1', 'accept']]);
    const stale = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h.shiftlead1, payload: { action: 'file', version: 1 } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('stale_version');
    const wrong = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h.shiftlead1, payload: { action: 'close', version: c.version } });
    expect(wrong.statusCode).toBe(422);
    const badField = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h.shiftlead1, payload: { action: 'void', version: c.version } });
    expect(badField.statusCode).toBe(422);
    expect(badField.json().error.message).toMatch(/reason/);
    const full = (await ctx.app.inject({ url: `/api/cases/${c.id}`, headers: ctx.h.operator1 })).json();
    expect(full.trail.map((e: { action: string }) => e.action)).toEqual(['report', 'accept']);
    for (const e of full.trail) expect(Object.keys(e)).toEqual(expect.arrayContaining(['action', 'actor', 'role', 'at', 'from_status', 'to_status', 'hash', 'prev_hash']));
    expect(full.available_actions).toEqual(expect.arrayContaining([]));
  }));

  test('the trail names each actor with their role; the name is not hashed, so a renamed user leaves the chain intact', () => withCaseApp(backend, async (ctx) => {
    const c = await newCase(ctx, [['operator1', 'accept']]);
    const read = async () => (await ctx.app.inject({ url: `/api/cases/${c.id}`, headers: ctx.h.operator1 })).json();
    const before = await read();
    expect(before.trail.map((e: { actor_name: string | null; role: string | null }) => [e.actor_name, e.role]))
      .toEqual([['监督员一 Inspector 1', 'inspector'], ['受理员 Operator', 'operator']]);
    await ctx.db.query(`update users set display_name = '' where username = 'operator1'`);
    const after = await read();
    expect(after.trail[1].actor_name).toBe('operator1'); // no display name: the username
    expect(after.trail.map((e: { hash: string }) => e.hash)).toEqual(before.trail.map((e: { hash: string }) => e.hash));
    const verified = await verifyAllTrails(ctx.db);
    expect(verified.checked).toBeGreaterThan(0);
    expect(verified.broken).toEqual([]);
  }));

  test('GET /api/stats/today counts today\'s reported, filed, dispatched and closed cases and the overdue ones, for the wall\'s roles', () => withCaseApp(backend, async (ctx) => {
    const today = async () => {
      const r = await ctx.app.inject({ url: '/api/stats/today', headers: ctx.h.dispatcher1 });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const before = await today();
    expect(before.date).toBe('2026-11-23');
    await newCase(ctx, TO_HANDLING);
    const after = await today();
    expect([after.reported - before.reported, after.filed - before.filed, after.dispatched - before.dispatched, after.closed - before.closed]).toEqual([1, 1, 1, 0]);
    expect((await ctx.app.inject({ url: '/api/stats/today', headers: ctx.h.inspector1 })).statusCode).toBe(403);
    expect((await ctx.app.inject({ url: '/api/stats/today' })).statusCode).toBe(401);
    ctx.clock.advance(60 * 24 * 10); // ten days on: the handling deadline has long passed, and it is another day
    const login = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'dispatcher1', password: 'demo' } });
    ctx.h.dispatcher1 = { authorization: `Bearer ${login.json().token}` }; // the morning's session has ended
    const later = await today();
    expect(later.date).not.toBe('2026-11-23');
    expect(later.overdue).toBeGreaterThanOrEqual(1);
  }));

  test('a public report needs an inspector\'s verification before it can be accepted', () => withCaseApp(backend, async (ctx) => {
    const p = await pointInGrid(ctx.db);
    const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'public' } });
    let c = res.json();
    const act = async (u: U, action: string, fields: Record<string, unknown> = {}) => {
      const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[u], payload: { action, version: c.version, ...fields } });
      if (r.statusCode === 200) c = r.json();
      return r.statusCode;
    };
    expect(await act('operator1', 'accept')).toBe(422);
    expect(await act('operator1', 'send_verify')).toBe(200);
    expect(c.status).toBe('verifying');
    expect(await act('inspector1', 'verify', { found: true })).toBe(200);
    expect(await act('operator1', 'accept')).toBe(200);
    expect(c.status).toBe('pending_filing');
  }));

  test('lights filter the list: an unhandled case turns red once its step limit has passed', () => withCaseApp(backend, async (ctx) => {
    const c = await newCase(ctx);
    const light = async () => (await ctx.app.inject({ url: '/api/cases?light=red', headers: ctx.h.operator1 })).json().items.map((x: { id: string }) => x.id);
    expect(await light()).not.toContain(c.id);
    ctx.clock.advance(16); // accept within 15 minutes
    expect(await light()).toContain(c.id);
    const one = (await ctx.app.inject({ url: `/api/cases/${c.id}`, headers: ctx.h.operator1 })).json();
    expect(one.light).toBe('red');
  }));

  test('the live stream over a socket delivers a new report, with id, status, light, lon, lat, version', () => withCaseApp(backend, async (ctx) => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (ctx.app.server.address() as { port: number }).port;
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/live`, { headers: ctx.h.dispatcher1, signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const c = await newCase(ctx);
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes(c.id) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const frame = text.split('\n\n').find((f) => f.includes(c.id))!;
    expect(frame).toMatch(/^id: \d+\nevent: case\ndata: /m);
    const data = JSON.parse(frame.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
    expect(data).toMatchObject({ id: c.id, status: 'pending_acceptance', light: 'green', version: 1, lon: expect.any(Number), lat: expect.any(Number) });
  }, true));
});

async function liveStatus(ctx: Ctx, who: U): Promise<number> {
  // inject would wait for the endless stream; a 401 answers at once, and a 200 is seen from its headers
  if (who === 'anonymous') return (await ctx.app.inject({ url: '/api/live' })).statusCode;
  const token = ctx.h[who].authorization.slice(7);
  if (!ctx.app.server.listening) await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (ctx.app.server.address() as { port: number }).port;
  const ac = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}/api/live?access_token=${token}`, { signal: ac.signal });
  ac.abort();
  return res.status;
}
