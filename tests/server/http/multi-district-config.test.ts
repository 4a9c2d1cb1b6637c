// Two districts in one database (issue 12): what the client is told about its district. The login and
// GET /api/auth/me carry the user's region_code and its district_code; GET /api/config answers a user kept to a
// district with that district (name, bbox: where the map starts) and its time zone (the clocks); the anonymous public
// and users of every district get the first district as before. tests/helpers/two-districts.ts loads the second.
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { A, B, withTwoDistricts, type Ctx } from '../../helpers/two-districts.js';
import { seedDistrictCalendar } from '../../../server/services/district-rules.js';
import { CN_CALENDAR } from '../../../server/domain/district-rules.js';

/** The second district's calendar on another zone than the first's, and its regions drawn (a bbox to start the map on). */
async function drawSecondDistrict(ctx: Ctx): Promise<void> {
  await seedDistrictCalendar(ctx.db, B, { ...CN_CALENDAR, time_zone: 'Asia/Urumqi' }, new Date('2027-01-01T00:00:00Z'));
  // its one street and community cover its three grids; read first, as Citus updates a reference table from itself only
  const { rows: [u] } = await ctx.db.query<{ g: string }>(`select st_asewkt(st_multi(st_union(geom))) as g from grids where district_code = $1`, [B]);
  await ctx.db.query(`update regions set geom = $2::geometry where code like $1 || '%'`, [B, u.g]);
}

async function config(ctx: Ctx, who: string | null) {
  const r = await ctx.app.inject({ url: '/api/config', headers: who ? ctx.h[who] : {} });
  expect(r.statusCode, `${who}: ${r.body}`).toBe(200);
  return r.json();
}

async function login(ctx: Ctx, username: string) {
  const r = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().user;
}

describe.each(testBackends())('two districts in one database, what the client is told, on %s', (backend) => {
  test('the login and /api/auth/me carry the region a user is kept to and its district; null for a user of every district', () => withTwoDistricts(backend, async (ctx) => {
    expect(await login(ctx, 'dispatcher_b')).toMatchObject({ region_code: B, district_code: B });
    expect(await login(ctx, 'inspector_b')).toMatchObject({ region_code: `${B}001`, district_code: B });
    expect(await login(ctx, 'leader1')).toMatchObject({ region_code: null, district_code: null });
    const me = async (who: string) => (await ctx.app.inject({ url: '/api/auth/me', headers: ctx.h[who] })).json().user;
    expect(await me('inspector_b')).toMatchObject({ username: 'inspector_b', region_code: `${B}001`, district_code: B });
    expect(await me('dispatcher1')).toMatchObject({ region_code: A, district_code: A });
    expect(await me('leader1')).toMatchObject({ region_code: null, district_code: null });
  }));

  test('a user kept to the second district (or one of its streets) is configured with that district: name, bbox and time zone', () => withTwoDistricts(backend, async (ctx) => {
    await drawSecondDistrict(ctx);
    const { rows: [box] } = await ctx.db.query<{ x0: number; y0: number; x1: number; y1: number }>(
      `select st_xmin(geom) as x0, st_ymin(geom) as y0, st_xmax(geom) as x1, st_ymax(geom) as y1 from regions where code = $1`, [B]);
    for (const who of ['dispatcher_b', 'inspector_b']) {
      const c = await config(ctx, who);
      expect(c.district, who).toMatchObject({ code: B, name: '西城区' });
      expect(c.district.bbox.map(Number), who).toEqual([box.x0, box.y0, box.x1, box.y1].map((v) => Math.round(Number(v) * 1e7) / 1e7));
      expect(c.time_zone, who).toBe('Asia/Urumqi');
    }
  }));

  test('a district with no calendar of its own is shown on the default zone', () => withTwoDistricts(backend, async (ctx) => {
    expect(await config(ctx, 'dispatcher_b')).toMatchObject({ district: { code: B, bbox: null }, time_zone: CN_CALENDAR.time_zone });
  }));

  test('the public, users of every district and users kept to the first district get the first district, as before', () => withTwoDistricts(backend, async (ctx) => {
    await drawSecondDistrict(ctx);
    const anonymous = await config(ctx, null);
    expect(anonymous.district.code).toBe(A);
    expect(anonymous.time_zone).not.toBe('Asia/Urumqi');
    for (const who of ['leader1', 'admin', 'dispatcher1', 'inspector1']) expect(await config(ctx, who), who).toEqual(anonymous);
  }));

  test('a token that no longer works is refused on /api/config too (the client then ends its session and asks again)', () => withTwoDistricts(backend, async (ctx) => {
    await ctx.app.inject({ method: 'POST', url: '/api/auth/logout', headers: ctx.h.dispatcher_b });
    expect((await ctx.app.inject({ url: '/api/config', headers: ctx.h.dispatcher_b })).statusCode).toBe(401);
  }));
});
