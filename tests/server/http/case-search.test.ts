// Case search over HTTP (docs/leader-api.md §Case search): every filter of GET /api/cases on both engines, closed
// and void cases found like open ones, visibility unchanged (a crew never finds another department's case, not even
// by its text), and bad input answered 400 naming the field.
//
// Each test writes its own cases (straight into the table: search reads rows, not trails) inside a rolled-back
// transaction, and marks them with a random word in the description; PostgreSQL runs other test files side by side,
// so every query that could see their cases also searches for this marker.
import { afterAll, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../../server/db/types.js';
import * as cases from '../../../server/db/cases.js';
import { GENESIS_HASH } from '../../../server/domain/trail.js';
import { testBackends, type Backend } from '../../helpers/backends.js';
import { closeSharedTestApps, withSharedTestApp } from '../../helpers/shared-app.js';

type Ctx = {
  app: FastifyInstance; db: Queryable; marker: string;
  as(user: string): Promise<Record<string, string>>;
  /** GET /api/cases as `user` with this query; the marker is added to `q` unless `q` is given. */
  search(user: string, query: Record<string, string | number>): Promise<{ status: number; body: any }>;
  add(fields?: Partial<Record<cases.CaseField, unknown>> & { place?: Place }): Promise<cases.CaseRow>;
  places: Place[];
  depts: { crew: number; other: number };
};
type Place = { lon: number; lat: number; grid_code: string; community_code: string; street_code: string; district_code: string };

const now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing

/** One app per engine for the file (tests/helpers/shared-app.ts): searches keep nothing in it between tests. */
function withSearchApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withSharedTestApp(backend, async ({ app, db }) => {
    const tokens = new Map<string, Record<string, string>>();
    const as = async (u: string) => {
      if (!tokens.has(u)) {
        const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
        tokens.set(u, { authorization: `Bearer ${res.json().token}` });
      }
      return tokens.get(u)!;
    };
    const marker = `mk${Math.random().toString(36).slice(2, 10)}`;
    const { rows: places } = await db.query<Place>(
      `select st_x(p) as lon, st_y(p) as lat, code as grid_code, community_code, street_code, district_code
         from (select code, community_code, street_code, district_code, st_pointonsurface(geom) as p from grids
                where valid_to is null order by street_code, code) g`);
    // two places in different streets and communities
    const far = places.find((p) => p.street_code !== places[0].street_code)!;
    const { rows: [crew] } = await db.query<{ department_id: number }>(`select department_id from users where username = 'crew1'`);
    const { rows: [other] } = await db.query<{ id: number }>('select id from departments where id <> $1 order by id limit 1', [crew.department_id]);
    let n = 0;
    const add: Ctx['add'] = async (fields = {}) => {
      const { place = places[0], ...rest } = fields;
      n++;
      const at = (rest.created_at as Date | undefined) ?? new Date('2026-06-01T02:00:00Z');
      return cases.insert(db, {
        case_no: `${place.district_code}20260601${marker.slice(2, 6)}${String(n).padStart(3, '0')}`,
        status: 'pending_acceptance', source: 'inspector', kind: 'event', class_code: '06010',
        description: `${marker} garbage`, address: null, trail_head: GENESIS_HASH, created_at: at, updated_at: at,
        grid_code: place.grid_code, community_code: place.community_code, street_code: place.street_code, district_code: place.district_code,
        ...rest, lon: place.lon, lat: place.lat,
      }, now);
    };
    const search: Ctx['search'] = async (user, query) => {
      const qs = new URLSearchParams(Object.entries({ q: marker, limit: 1000, ...query }).map(([k, v]) => [k, String(v)]));
      const res = await app.inject({ url: `/api/cases?${qs}`, headers: await as(user) });
      return { status: res.statusCode, body: res.json() };
    };
    return await fn({ app, db, marker, as, search, add, places: [places[0], far], depts: { crew: Number(crew.department_id), other: Number(other.id) } });
  }, {}, { clock: { now: () => now } });
}

const nos = (body: { items: { case_no: string }[] }) => body.items.map((c) => c.case_no).sort();
const sorted = (...rows: cases.CaseRow[]) => rows.map((r) => r.case_no).sort();

afterAll(closeSharedTestApps);

describe.each(testBackends())('case search on %s', (backend) => {
  test('closed and void cases are found like open ones; several statuses at once; items carry origin', () => withSearchApp(backend, async (ctx) => {
    const open = await ctx.add();
    const closed = await ctx.add({ status: 'closed', closed_at: new Date('2026-06-02T02:00:00Z') });
    const voided = await ctx.add({ status: 'void', void_reason: 'duplicate' });
    const all = await ctx.search('dispatcher1', {});
    expect(all.status).toBe(200);
    expect(nos(all.body)).toEqual(sorted(open, closed, voided));
    expect(all.body.total).toBe(3);
    expect(all.body.items.every((c: { origin: string }) => c.origin === 'live')).toBe(true);
    expect(nos((await ctx.search('dispatcher1', { status: 'closed,void' })).body)).toEqual(sorted(closed, voided));
    expect(nos((await ctx.search('dispatcher1', { status: 'pending_acceptance' })).body)).toEqual(sorted(open));
  }));

  test('q finds a case-number prefix, and text in the description or the address, case-insensitively', () => withSearchApp(backend, async (ctx) => {
    const byAddress = await ctx.add({ description: 'nothing here', address: `东城 ${ctx.marker.toUpperCase()} 胡同 12 号` });
    const byDescription = await ctx.add({ description: `井盖缺失 ${ctx.marker}` });
    const chinese = await ctx.add({ description: `井盖破损 ${ctx.marker}` });
    expect(nos((await ctx.search('dispatcher1', {})).body)).toEqual(sorted(byAddress, byDescription, chinese));
    expect(nos((await ctx.search('dispatcher1', { q: `${ctx.marker} 胡同` })).body)).toEqual(sorted(byAddress));
    // Chinese text anywhere in the description (no index can decide this alone: the ILIKE does)
    const found = (await ctx.search('dispatcher1', { q: '井盖破损', limit: 1000 })).body;
    expect(nos(found)).toContain(chinese.case_no);
    expect(nos(found)).not.toContain(byDescription.case_no);
    // the case number: its prefix finds it, a piece from its middle does not (unless the text holds it)
    expect(nos((await ctx.search('dispatcher1', { q: byDescription.case_no.slice(0, -1) })).body)).toContain(byDescription.case_no);
    expect(nos((await ctx.search('dispatcher1', { q: byDescription.case_no })).body)).toEqual([byDescription.case_no]);
    expect(nos((await ctx.search('dispatcher1', { q: byDescription.case_no.slice(3) })).body)).toEqual([]);
  }));

  test('% and _ in q match themselves, not any text', () => withSearchApp(backend, async (ctx) => {
    const pct = await ctx.add({ description: `${ctx.marker} 完成率 100% 达标` });
    await ctx.add({ description: `${ctx.marker} 完成率 1000 达标` });
    const under = await ctx.add({ description: `${ctx.marker} code a_b` });
    await ctx.add({ description: `${ctx.marker} code axb` });
    expect(nos((await ctx.search('dispatcher1', { q: `${ctx.marker} 完成率 100%` })).body)).toEqual(sorted(pct));
    expect(nos((await ctx.search('dispatcher1', { q: `${ctx.marker} code a_b` })).body)).toEqual(sorted(under));
    expect((await ctx.search('dispatcher1', { q: `${ctx.marker}%` })).body.total).toBe(0);
  }));

  test('class, major, grid, community and street filter', () => withSearchApp(backend, async (ctx) => {
    const [here, there] = ctx.places;
    const a = await ctx.add({ place: here });
    const b = await ctx.add({ place: there });
    const c = await ctx.add({ place: here, class_code: '07001' });
    const { rows: [major07] } = await ctx.db.query<{ n: number }>(`select count(*)::int as n from classes where kind = 'matter' and code = '07001'`);
    expect(major07.n).toBe(1);
    expect(nos((await ctx.search('dispatcher1', { class: '06010' })).body)).toEqual(sorted(a, b));
    expect(nos((await ctx.search('dispatcher1', { major: '07' })).body)).toEqual(sorted(c));
    expect(nos((await ctx.search('dispatcher1', { major: '06' })).body)).toEqual(sorted(a, b));
    expect(nos((await ctx.search('dispatcher1', { grid: there.grid_code })).body)).toEqual(sorted(b));
    expect(nos((await ctx.search('dispatcher1', { community: here.community_code })).body)).toEqual(sorted(a, c));
    expect(nos((await ctx.search('dispatcher1', { street: there.street_code })).body)).toEqual(sorted(b));
    expect(nos((await ctx.search('dispatcher1', { street: here.street_code, class: '07001' })).body)).toEqual(sorted(c));
  }));

  test('department, source (channel) and origin filter', () => withSearchApp(backend, async (ctx) => {
    const crew = await ctx.add({ status: 'handling', department_id: ctx.depts.crew, source: 'hotline' });
    const other = await ctx.add({ status: 'closed', department_id: ctx.depts.other, source: 'public' });
    const imported = await ctx.add({ status: 'closed', origin: 'imported', source: 'other', source_system: 'boston311', source_id: `${ctx.marker}-1` });
    const simulated = await ctx.add({ status: 'closed', origin: 'simulated' });
    expect(nos((await ctx.search('dispatcher1', { department: ctx.depts.other })).body)).toEqual(sorted(other));
    expect(nos((await ctx.search('dispatcher1', { source: 'hotline' })).body)).toEqual(sorted(crew));
    expect(nos((await ctx.search('dispatcher1', { source: 'public,other' })).body)).toEqual(sorted(other, imported));
    expect(nos((await ctx.search('dispatcher1', { origin: 'imported' })).body)).toEqual(sorted(imported));
    expect(nos((await ctx.search('dispatcher1', { origin: 'live,simulated' })).body)).toEqual(sorted(crew, other, simulated));
    const item = (await ctx.search('leader1', { origin: 'imported' })).body.items[0];
    expect(item).toMatchObject({ origin: 'imported', source_system: 'boston311', source_id: `${ctx.marker}-1` });
  }));

  test('from and to are local dates of the district, both inclusive', () => withSearchApp(backend, async (ctx) => {
    // Beijing is UTC+8: 15:30Z is 23:30 on March 1st, 16:30Z is 00:30 on March 2nd
    const lateFirst = await ctx.add({ created_at: new Date('2026-03-01T15:30:00Z') });
    const earlySecond = await ctx.add({ created_at: new Date('2026-03-01T16:30:00Z') });
    const lastOfFeb = await ctx.add({ created_at: new Date('2026-02-28T15:59:59Z') });
    expect(nos((await ctx.search('dispatcher1', { from: '2026-03-01', to: '2026-03-01' })).body)).toEqual(sorted(lateFirst));
    expect(nos((await ctx.search('dispatcher1', { from: '2026-03-02' })).body)).toEqual(sorted(earlySecond));
    expect(nos((await ctx.search('dispatcher1', { to: '2026-02-28' })).body)).toEqual(sorted(lastOfFeb));
    expect(nos((await ctx.search('dispatcher1', { from: '2026-02-28', to: '2026-03-02' })).body)).toEqual(sorted(lateFirst, earlySecond, lastOfFeb));
  }));

  test('sort: newest and oldest by report time; paging keeps the total', () => withSearchApp(backend, async (ctx) => {
    const first = await ctx.add({ created_at: new Date('2026-05-01T02:00:00Z') });
    const second = await ctx.add({ created_at: new Date('2026-05-02T02:00:00Z') });
    const third = await ctx.add({ created_at: new Date('2026-05-03T02:00:00Z') });
    const order = async (q: Record<string, string | number>) => (await ctx.search('dispatcher1', q)).body.items.map((c: { case_no: string }) => c.case_no);
    expect(await order({ sort: 'newest' })).toEqual([third, second, first].map((c) => c.case_no));
    expect(await order({ sort: 'oldest' })).toEqual([first, second, third].map((c) => c.case_no));
    const page = (await ctx.search('dispatcher1', { sort: 'oldest', limit: 1, offset: 1 })).body;
    expect(page).toMatchObject({ total: 3, items: [{ case_no: second.case_no }] });
  }));

  test('a crew finds its own department\'s cases, never another department\'s, not even by their text or number', () => withSearchApp(backend, async (ctx) => {
    const mine = await ctx.add({ status: 'closed', department_id: ctx.depts.crew, description: `${ctx.marker} 占道经营` });
    const theirs = await ctx.add({ status: 'closed', department_id: ctx.depts.other, description: `${ctx.marker} 占道经营 secret` });
    expect(nos((await ctx.search('crew1', {})).body)).toEqual(sorted(mine));
    expect((await ctx.search('crew1', { q: `${ctx.marker} 占道经营 secret` })).body).toEqual({ items: [], total: 0 });
    expect((await ctx.search('crew1', { q: theirs.case_no })).body.total).toBe(0);
    expect((await ctx.search('crew1', { department: ctx.depts.other })).body.total).toBe(0);
    expect(nos((await ctx.search('leader1', {})).body)).toEqual(sorted(mine, theirs));
  }));

  test('an inspector finds what they reported and what lies in their grids, nothing else', () => withSearchApp(backend, async (ctx) => {
    const { rows: [me] } = await ctx.db.query<{ id: number; code: string }>(
      `select u.id, r.code from users u join responsibility_grids r on r.inspector_id = u.id where u.username = 'inspector1' order by r.code limit 1`);
    const { rows: [other] } = await ctx.db.query<{ code: string }>(
      `select code from responsibility_grids where inspector_id is distinct from $1 order by code limit 1`, [me.id]);
    const reported = await ctx.add({ reporter_id: me.id, responsibility_code: other.code });
    const inMyGrid = await ctx.add({ responsibility_code: me.code, status: 'closed' });
    await ctx.add({ responsibility_code: other.code });
    expect(nos((await ctx.search('inspector1', {})).body)).toEqual(sorted(reported, inMyGrid));
  }));

  test('the old parameters keep working: status, light, grid, department, limit, offset', () => withSearchApp(backend, async (ctx) => {
    const red = await ctx.add({ status: 'handling', department_id: ctx.depts.crew, step: 'handling',
      yellow_at: new Date('2026-11-20T00:00:00Z'), red_at: new Date('2026-11-21T00:00:00Z') });
    const green = await ctx.add({ status: 'handling', department_id: ctx.depts.crew, step: 'handling',
      yellow_at: new Date('2026-11-30T00:00:00Z'), red_at: new Date('2026-12-01T00:00:00Z') });
    expect(nos((await ctx.search('dispatcher1', { light: 'red' })).body)).toEqual(sorted(red));
    expect(nos((await ctx.search('dispatcher1', { light: 'green', status: 'handling', department: ctx.depts.crew, grid: ctx.places[0].grid_code })).body))
      .toEqual(sorted(green));
    // the default order is the wall's: red first
    expect((await ctx.search('dispatcher1', {})).body.items[0].case_no).toBe(red.case_no);
  }));

  test.each([
    [{ from: '2026-03-02', to: '2026-03-01' }, 'from', /after/],
    [{ from: '2020-01-01', to: '2025-01-06' }, 'to', /five years/],
    [{ from: '2026-02-30' }, 'from', /YYYY-MM-DD/],
    [{ to: '2026/03/01' }, 'to', /YYYY-MM-DD/],
    [{ status: 'closed,done' }, 'status', /"done"/],
    [{ source: 'fax' }, 'source', /"fax"/],
    [{ origin: 'legacy' }, 'origin', /"legacy"/],
    [{ sort: 'random' }, 'sort', /"random"/],
    [{ light: 'blue' }, 'light', /"blue"/],
    [{ class: '6010' }, 'class', /5-digit/],
    [{ class: '06999' }, 'class', /06999/],
    [{ major: '99' }, 'major', /99/],
    [{ grid: '110101' }, 'grid', /15-digit/],
    [{ grid: '999999999999999' }, 'grid', /999999999999999/],
    [{ community: '999999999999' }, 'community', /999999999999/],
    [{ street: '99999999' }, 'street', /9-digit/],
    [{ department: 999999 }, 'department', /999999/],
    [{ q: 'x'.repeat(101) }, 'q', /at most 100/],
  ] as [Record<string, string | number>, string, RegExp][])('%o is refused with 400 naming %s', (query, field, message) => withSearchApp(backend, async (ctx) => {
    const res = await ctx.search('leader1', query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message).toMatch(message);
    expect(Object.keys(res.body.error.details)).toContain(field);
  }));

  test('a five-year period is allowed, an unknown parameter and a too-large limit are refused', () => withSearchApp(backend, async (ctx) => {
    expect((await ctx.search('leader1', { from: '2021-01-01', to: '2025-12-31' })).status).toBe(200);
    const unknown = await ctx.search('leader1', { text: 'x' });
    expect(unknown.status).toBe(400);
    const big = await ctx.search('leader1', { limit: 5000 });
    expect(big.status).toBe(400);
    expect(big.body.error.message).toMatch(/limit/);
  }));
});
