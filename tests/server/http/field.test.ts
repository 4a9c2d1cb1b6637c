// The inspector in the field (issue 9): the nearest street address and grid of a point, the components near it, and
// the inspector's own responsibility grids; on both engines through app.inject.
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { withTestApp } from '../../helpers/app.js';
import { pointInGrid } from '../../helpers/cases.js';
import type { Queryable } from '../../../server/db/types.js';

/** A component's point (its geometry's point on surface) and one 15 m north of it. */
async function someComponent(db: Queryable) {
  const { rows } = await db.query<{ id: string; class_code: string; lon: number; lat: number }>(
    `select id, class_code, st_x(st_pointonsurface(geom)) as lon, st_y(st_pointonsurface(geom)) as lat
       from components where grid_code is not null order by id limit 1`);
  return rows[0];
}

async function login(app: import('fastify').FastifyInstance, username: string) {
  const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
  expect(r.statusCode, r.body).toBe(200);
  return { authorization: `Bearer ${r.json().token}` };
}

describe.each(testBackends())('the inspector in the field on %s', (backend) => {
  test('GET /api/places/nearest: the nearest road and the grid with its names; outside the district grid is null; bad input 400', () => withTestApp(backend, async ({ app, db }) => {
    const p = await pointInGrid(db);
    const r = await app.inject({ url: `/api/places/nearest?lon=${p.lon}&lat=${p.lat}` });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.grid.code).toBe(p.code);
    expect(body.grid.street_name).toEqual(expect.any(String));
    expect(body.grid.community_name).toEqual(expect.any(String));
    const { rows } = await db.query<{ name: string; d: number }>(
      `select name, st_distance(geom::geography, st_setsrid(st_makepoint($1, $2), 4326)::geography) as d from places
        where kind in ('road', 'lane') order by d limit 1`, [p.lon, p.lat]);
    expect(body.road).toEqual({ name: rows[0].name, distance_m: Math.round(rows[0].d) });

    const out = await app.inject({ url: '/api/places/nearest?lon=0&lat=0' });
    expect(out.statusCode).toBe(200);
    expect(out.json().grid).toBeNull();
    for (const q of ['lon=abc&lat=1', 'lon=200&lat=1', 'lat=39.9', 'lon=116.4&lat=39.9&x=1']) {
      const bad = await app.inject({ url: `/api/places/nearest?${q}` });
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'bad_request', message: expect.any(String) } });
    }
  }));

  test('GET /api/components/near: within the radius, nearest first, with class names; radius bounded', () => withTestApp(backend, async ({ app, db }) => {
    const c = await someComponent(db);
    const lat = c.lat + 15 / 111_320; // 15 m north
    const r = await app.inject({ url: `/api/components/near?lon=${c.lon}&lat=${lat}` });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.radius_m).toBe(30);
    const items = body.items as { id: string; class_code: string; class_name_zh: string; distance_m: number }[];
    const mine = items.find((x) => x.id === c.id);
    expect(mine).toMatchObject({ class_code: c.class_code, class_name_zh: expect.any(String) });
    expect(mine!.distance_m).toBeGreaterThan(13);
    expect(mine!.distance_m).toBeLessThan(17);
    expect(items.every((x) => x.distance_m <= 30)).toBe(true);
    expect(items.map((x) => x.distance_m)).toEqual([...items.map((x) => x.distance_m)].sort((a, b) => a - b));
    // the same answer as the database's own exact distance test
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from components where st_distance(geom::geography, st_setsrid(st_makepoint($1, $2), 4326)::geography) <= 30`, [c.lon, lat]);
    expect(items.length).toBe(Math.min(rows[0].n, 50));

    const small = await app.inject({ url: `/api/components/near?lon=${c.lon}&lat=${lat}&radius=5` });
    expect(small.json().items.some((x: { id: string }) => x.id === c.id)).toBe(false);
    expect((await app.inject({ url: '/api/components/near?lon=0&lat=0' })).json().items).toEqual([]);
    for (const q of [`lon=${c.lon}&lat=${lat}&radius=101`, `lon=${c.lon}&lat=${lat}&radius=0`, 'lon=x&lat=1', 'lon=1']) {
      expect((await app.inject({ url: `/api/components/near?${q}` })).statusCode, q).toBe(400);
    }
    // the route of one component is still there
    expect((await app.inject({ url: `/api/components/${c.id}` })).statusCode).toBe(200);
  }));

  test('GET /api/grids/mine: the inspector\'s responsibility grids and their unit grids; others are refused', () => withTestApp(backend, async ({ app, db }) => {
    const h = await login(app, 'inspector1');
    const r = await app.inject({ url: '/api/grids/mine', headers: h });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/geo\+json/);
    const features = r.json().features as { id: string; geometry: { type: string } | null; properties: { kind: string; code: string; responsibility_code: string } }[];
    const { rows } = await db.query<{ r: string; g: string }>(
      `select m.responsibility_code as r, m.grid_code as g from responsibility_grid_members m
         join responsibility_grids rg on rg.code = m.responsibility_code join users u on u.id = rg.inspector_id
        where u.username = 'inspector1' order by 2`);
    expect(rows.length).toBeGreaterThan(0);
    expect(features.filter((f) => f.properties.kind === 'unit').map((f) => f.properties.code).sort()).toEqual(rows.map((x) => x.g));
    const resp = features.filter((f) => f.properties.kind === 'responsibility');
    expect(resp.map((f) => f.properties.code).sort()).toEqual([...new Set(rows.map((x) => x.r))].sort());
    expect(resp.every((f) => f.geometry && /Polygon/.test(f.geometry.type))).toBe(true);

    const other = await app.inject({ url: '/api/grids/mine', headers: await login(app, 'inspector2') });
    const otherCodes = (other.json().features as { properties: { code: string } }[]).map((f) => f.properties.code);
    expect(otherCodes.some((c) => rows.some((x) => x.g === c))).toBe(false);
    expect((await app.inject({ url: '/api/grids/mine' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/grids/mine', headers: await login(app, 'operator1') })).statusCode).toBe(403);
  }));
});
