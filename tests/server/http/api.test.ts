import { afterAll, describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
// one app per engine for the whole file: no test here counts on a fresh app's in-memory state (three anonymous
// reports in all, well within the intake throttle's burst)
import { closeSharedTestApps, withSharedTestApp as withTestApp } from '../../helpers/shared-app.js';
import { decodeTile, tileOf } from '../../helpers/tiles.js';
import { wgs84ToGcj02 } from '../../../server/domain/coords.js';
import type { Queryable } from '../../../server/db/types.js';
import type { FastifyInstance } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { verifyAllTrails } from '../../../server/services/cases.js';
import { pointInGrid } from '../../helpers/cases.js';

async function gridPoint(db: Queryable) {
  const { rows } = await db.query<{ code: string; lon: number; lat: number }>(
    `select code, st_x(p) as lon, st_y(p) as lat from (select code, st_pointonsurface(geom) as p from grids order by code limit 1) s`);
  return rows[0];
}

afterAll(closeSharedTestApps);

describe.each(testBackends())('HTTP API on %s', (backend) => {
  test('health names the engine and the PostGIS version', () => withTestApp(backend, async ({ app }) => {
    const res = await app.inject('/api/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', db: { engine: backend } });
    expect(res.json().db.postgis).toMatch(/^3\.\d+/);
  }));

  test('classes: 153 components and 250 matters with the fixed fields', () => withTestApp(backend, async ({ app }) => {
    const c = (await app.inject('/api/classes?kind=component')).json();
    const m = (await app.inject('/api/classes?kind=matter')).json();
    expect(c).toHaveLength(153);
    expect(m).toHaveLength(250);
    expect(c[0]).toMatchObject({ code: '01001', kind: 'component', major_code: '01', name_zh: '供水井盖' });
    expect((await app.inject('/api/classes')).json()).toHaveLength(403);
  }));

  test('an unknown class code is 404 and a malformed one 400', () => withTestApp(backend, async ({ app }) => {
    const r404 = await app.inject('/api/classes/component/99999');
    expect(r404.statusCode).toBe(404);
    expect(r404.json().error).toMatchObject({ code: 'not_found', message: expect.stringContaining('99999') });
    expect((await app.inject('/api/classes/component/1234')).statusCode).toBe(400);
    expect((await app.inject('/api/classes?kind=thing')).statusCode).toBe(400);
  }));

  test('regions: 1 district, 17 streets, 169 communities with bboxes and parents', () => withTestApp(backend, async ({ app }) => {
    const d = (await app.inject('/api/regions?level=district')).json();
    const s = (await app.inject('/api/regions?level=street')).json();
    const c = (await app.inject('/api/regions?level=community')).json();
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: '110101', level: 'district', parent_code: null });
    expect(s).toHaveLength(17);
    expect(c).toHaveLength(169);
    expect(s.find((x: any) => x.code === '110101001')).toMatchObject({ name: '东华门街道', parent_code: '110101' });
    for (const r of c) {
      expect(r.parent_code).toBe(r.code.slice(0, 9));
      expect(r.bbox[0]).toBeLessThan(r.bbox[2]);
      expect(r.bbox[1]).toBeLessThan(r.bbox[3]);
    }
  }));

  test('locate: WGS84 and GCJ-02 input find the same grid', () => withTestApp(backend, async ({ app, db }) => {
    const g = await gridPoint(db);
    const r1 = await app.inject(`/api/grids/locate?lon=${g.lon}&lat=${g.lat}`);
    expect(r1.statusCode).toBe(200);
    expect(r1.json().grid).toEqual({ code: g.code, community_code: g.code.slice(0, 12), street_code: g.code.slice(0, 9), district_code: '110101' });
    const [glon, glat] = wgs84ToGcj02(g.lon, g.lat);
    const r2 = await app.inject(`/api/grids/locate?lon=${glon}&lat=${glat}&crs=gcj02`);
    expect(r2.json().grid.code).toBe(g.code);
    // the same GCJ-02 numbers read as WGS84 land hundreds of metres away
    const r3 = await app.inject(`/api/grids/locate?lon=${glon}&lat=${glat}`);
    expect(r3.statusCode === 404 || r3.json().grid.code !== g.code).toBe(true);
  }));

  test.each([
    ['lat=91&lon=116.4', 400, /lat must be <= 90/],
    ['lat=39.9&lon=abc', 400, /lon must be number/],
    ['lat=39.9', 400, /lon/],
    ['lat=39.9&lon=116.4&crs=bd09', 400, /crs/],
    ['lat=0&lon=0', 404, /No unit grid covers/],
  ])('locate?%s → %s', (qs, status, message) => withTestApp(backend, async ({ app }) => {
    const res = await app.inject(`/api/grids/locate?${qs}`);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.message).toMatch(message);
  }));

  test('grids by bbox: a GeoJSON FeatureCollection with properties.code', () => withTestApp(backend, async ({ app, db }) => {
    const g = await gridPoint(db);
    const res = await app.inject(`/api/grids?bbox=${g.lon - 0.002},${g.lat - 0.002},${g.lon + 0.002},${g.lat + 0.002}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/geo\+json/);
    const fc = res.json();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f: any) => f.properties.code)).toContain(g.code);
    expect(fc.features[0].geometry.type).toBe('MultiPolygon');
  }));

  test.each([
    ['110,30,120,40', 'bbox_too_large'],
    ['1,2,3', 'bad_request'],
    ['116.5,39.9,116.4,39.95', 'bad_request'],
    ['116.4,39.9,116.5,91', 'invalid_coordinates'],
  ])('grids?bbox=%s is refused with %s', (bbox, code) => withTestApp(backend, async ({ app }) => {
    const res = await app.inject(`/api/grids?bbox=${bbox}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  }));

  test('a bbox holding more grids than the feature limit is refused, not truncated', () => withTestApp(backend, async ({ app, db }) => {
    const g = await gridPoint(db);
    const res = await app.inject(`/api/grids?bbox=${g.lon - 0.01},${g.lat - 0.01},${g.lon + 0.01},${g.lat + 0.01}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/limit is 3/);
  }, { GRIDLINE_MAX_FEATURES: '3' }));

  test('one grid: names, area and component count', () => withTestApp(backend, async ({ app, db }) => {
    const g = await gridPoint(db);
    const res = await app.inject(`/api/grids/${g.code}`);
    expect(res.statusCode).toBe(200);
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from components where grid_code = $1', [g.code]);
    expect(res.json()).toMatchObject({ code: g.code, district_code: '110101', component_count: rows[0].n, valid_to: null });
    expect(res.json().community_name).toMatch(/社区/);
    expect((await app.inject('/api/grids/110101001001999')).statusCode).toBe(404);
    expect((await app.inject('/api/grids/12345')).statusCode).toBe(400);
  }));

  test('components by bbox and by id, with class and department', () => withTestApp(backend, async ({ app, db }) => {
    const { rows } = await db.query<{ id: string; lon: number; lat: number }>(
      `select id, st_x(geom) as lon, st_y(geom) as lat from components order by id limit 1`);
    const c = rows[0];
    const list = await app.inject(`/api/components?bbox=${c.lon - 0.001},${c.lat - 0.001},${c.lon + 0.001},${c.lat + 0.001}`);
    expect(list.statusCode).toBe(200);
    expect(list.json().features.map((f: any) => f.id)).toContain(c.id);
    const one = (await app.inject(`/api/components/${c.id}`)).json();
    expect(one).toMatchObject({ id: c.id, class_code: c.id.slice(6, 11), status: 'intact' });
    expect(one.supervising_department).toBeTruthy();
    expect(one.grid_code).toMatch(/^110101\d{9}$/);
    expect(one.geometry.type).toBe('Point');
    expect((await app.inject('/api/components/11010101001999999')).statusCode).toBe(404);
    expect((await app.inject('/api/components/123')).statusCode).toBe(400);
  }));

  test('an unknown class filter on components is 400 and says which code', () => withTestApp(backend, async ({ app }) => {
    const res = await app.inject('/api/components?bbox=116.4,39.9,116.41,39.91&class_code=99999');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'unknown_class', message: expect.stringContaining('99999') });
  }));

  test('tiles: MVT content type, 204 when empty, 400 for a tile that cannot exist', () => withTestApp(backend, async ({ app, db }) => {
    const g = await gridPoint(db);
    const t = tileOf(g.lon, g.lat, 16);
    const res = await app.inject(`/api/tiles/grids/${t.z}/${t.x}/${t.y}.mvt`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(decodeTile(res.rawPayload).grids.map((f) => f.properties.code)).toContain(g.code);
    expect((await app.inject('/api/tiles/grids/16/0/0.mvt')).statusCode).toBe(204);
    const bad = await app.inject('/api/tiles/grids/3/8/0.mvt');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/below 8/);
    expect((await app.inject('/api/tiles/roads/3/1/1.mvt')).statusCode).toBe(400);
    expect((await app.inject('/api/tiles/grids/23/1/1.mvt')).statusCode).toBe(400);
    expect((await app.inject('/api/tiles/grids/3/1/1.png')).statusCode).toBe(400);
  }));

  test('the OpenAPI document lists the public paths', () => withTestApp(backend, async ({ app }) => {
    const doc = (await app.inject('/api/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/health', '/api/classes', '/api/regions', '/api/grids', '/api/grids/locate', '/api/tiles/{set}/{z}/{x}/{tile}']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/api/grids/locate'].get.parameters.map((p: any) => p.name).sort()).toEqual(['crs', 'lat', 'lon']);
  }));

  test('an unknown path is a JSON 404', () => withTestApp(backend, async ({ app }) => {
    const res = await app.inject('/api/nothing');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  }));

  // ---- issue 8: the edge (defects 4, 5, 8, 9) ----

  const login = async (app: FastifyInstance, username: string) => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
    expect(res.statusCode, res.body).toBe(200);
    return { authorization: `Bearer ${res.json().token}` };
  };

  test('a lone surrogate and a decomposed letter are stored as hashed: the trail verifies (defect 4)', () => withTestApp(backend, async ({ app, db }) => {
    const p = await pointInGrid(db);
    const ids: string[] = [];
    for (const [sent, stored] of [['\ud800 lamp', '\ufffd lamp'], ['cafe\u0301', 'caf\u00e9'], ['x\udc00\ud83d\ude00', 'x\ufffd\ud83d\ude00']]) {
      // the raw JSON text carries the escape, as a client sending a broken string would
      const payload = `{"kind":"event","class_code":"06010","lon":${p.lon},"lat":${p.lat},"description":${JSON.stringify(sent)}}`;
      const res = await app.inject({ method: 'POST', url: '/api/cases', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, res.body).toBe(201);
      const { rows } = await db.query<{ description: string }>('select description from cases where id = $1', [res.json().id]);
      expect(rows[0].description).toBe(stored);
      ids.push(res.json().id);
    }
    const { checked, broken } = await verifyAllTrails(db); // what npm run verify-trails runs
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(broken.filter((b) => ids.includes(b.id))).toEqual([]);
  }));

  test.each([
    ['login username', 'POST', '/api/auth/login', { username: 'admin\u0000', password: 'demo' }, /body\.username contains a NUL/],
    ['case description', 'POST', '/api/cases', { kind: 'event', class_code: '06010', lon: 116.4, lat: 39.9, description: 'a\u0000b' }, /body\.description contains a NUL/],
    ['OGC feature id', 'GET', '/ogc/collections/grids/items/%00', undefined, /params\.featureId contains a NUL/],
    ['query value', 'GET', '/api/classes?kind=comp%00onent', undefined, /querystring\.kind contains a NUL/],
    ['a key of the body', 'POST', '/api/auth/login', { username: 'admin', password: 'demo', 'x\u0000': 1 }, /body\.x\u0000? ?contains a NUL|contains a NUL/],
  ])('a NUL in the %s is a 400 naming the field (defect 5)', (_what, method, url, payload, message) => withTestApp(backend, async ({ app }) => {
    const res = await app.inject({ method: method as 'GET' | 'POST', url, ...(payload ? { payload } : {}) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(message) });
  }));

  test('a NUL in a user\'s display name is a 400 and creates nothing (defect 5)', () => withTestApp(backend, async ({ app, db }) => {
    const h = await login(app, 'admin');
    const res = await app.inject({ method: 'POST', url: '/api/users', headers: h,
      payload: { username: 'nul_user_e1', password: 'long enough password', display_name: 'A\u0000B', roles: ['inspector'] } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(/body\.display_name contains a NUL/);
    expect((await db.query('select 1 from users where username = $1', ['nul_user_e1'])).rows).toHaveLength(0);
    const me = (await app.inject({ url: '/api/auth/me', headers: h })).json();
    const patch = await app.inject({ method: 'PATCH', url: `/api/users/${me.user?.id ?? me.id}`, headers: h, payload: { display_name: '\u0000' } });
    expect(patch.statusCode, patch.body).toBe(400);
  }));

  test('a path parameter over 100 characters is a 400 in the error body (found by the fuzzer: was a bare 414)', () => withTestApp(backend, async ({ app }) => {
    const res = await app.inject(`/api/grids/${'1'.repeat(150)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/max param length.*shorten/) });
  }));

  test('a body nested deeper than 32 levels is a 400, not a stack overflow', () => withTestApp(backend, async ({ app }) => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' },
      payload: `{"username":"admin","password":"demo","x":${deep}}` });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(/nests more than 32 levels/);
  }));

  test.each([
    '/api/components?bbox=116.4,39.9,116.41,39.91&offset=99999999999999999999',
    '/api/cases?department=99999999999999999999',
    '/api/cases?offset=18446744073709551616',
    '/api/users?department_id=99999999999999999999',
    '/api/users?offset=99999999999999999999',
    '/api/users/99999999999999999999',
    '/ogc/collections/components/items?offset=99999999999999999999',
    '/ogc/collections/components/items?limit=10001',
    '/api/tiles/grids/16/99999999999999999999/1.mvt',
    '/api/users/1e400', // Infinity: Ajv checks maximum on finite numbers only (found by the fuzzer)
    '/ogc/collections/components/items?offset=1e400',
  ])('an integer beyond its bound is a 400 with a message: %s (defect 5)', (url) => withTestApp(backend, async ({ app }) => {
    const res = await app.inject({ url, headers: await login(app, 'admin') });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(/must be <=|must be a finite number/);
  }));

  test('bodies are not type-coerced; querystrings are (defect 8)', () => withTestApp(backend, async ({ app, db }) => {
    const p = await pointInGrid(db);
    const base = { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat };
    const before = (await db.query<{ n: number }>('select count(*)::int as n from cases')).rows[0].n;
    for (const [field, value, message] of [['lon', String(p.lon), /body\.lon must be number/], ['description', 12345, /body\.description must be string/],
      ['urgent', 'true', /body\.urgent must be boolean/]] as const) {
      const res = await app.inject({ method: 'POST', url: '/api/cases', payload: { ...base, [field]: value } });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    expect((await db.query<{ n: number }>('select count(*)::int as n from cases')).rows[0].n).toBe(before);
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 1234 } })).statusCode).toBe(400);
    // the querystring is text: numbers in it are still read as numbers
    expect((await app.inject(`/api/grids/locate?lon=${p.lon}&lat=${p.lat}`)).statusCode).toBe(200);
    expect((await app.inject('/ogc/collections/components/items?limit=2')).json().numberReturned).toBe(2);
  }));

  test('the served OpenAPI document is valid OpenAPI 3.0.3 (defect 9)', () => withTestApp(backend, async ({ app }) => {
    const doc = (await app.inject('/api/openapi.json')).json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.0.3');
    const hours = doc.paths['/api/cases/{id}/actions'].post.requestBody.content['application/json'].schema.properties.hours;
    expect(hours).toMatchObject({ type: 'number', minimum: 0, exclusiveMinimum: true });
    expect(JSON.stringify(doc)).not.toMatch(/"(const|examples|prefixItems|additionalItems|patternProperties|\$id)":/);
  }));

  test('the document lists the statuses the edge answers, and every request integer is bounded (defects 5, 9)', () => withTestApp(backend, async ({ app }) => {
    const doc = (await app.inject('/api/openapi.json')).json();
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    expect(statuses('/api/users', 'get')).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    expect(statuses('/api/users', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409', '413', '415']));
    expect(statuses('/api/auth/login', 'post')).toEqual(expect.arrayContaining(['200', '400', '401', '413', '415', '429']));
    expect(statuses('/api/cases', 'get')).toEqual(expect.arrayContaining(['200', '400', '401']));
    expect(statuses('/api/photos', 'post')).toEqual(expect.arrayContaining(['201', '413', '415']));
    const unbounded: string[] = [];
    const walk = (s: any, where: string): void => {
      if (!s || typeof s !== 'object') return;
      if (s.type === 'integer' && (s.maximum === undefined || s.minimum === undefined)) unbounded.push(where);
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${where}.${k}`);
      for (const k of ['items', 'additionalProperties']) walk(s[k], `${where}.${k}`);
      for (const k of ['anyOf', 'oneOf', 'allOf']) (s[k] ?? []).forEach((x: any, i: number) => walk(x, `${where}.${k}[${i}]`));
    };
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        for (const p of op.parameters ?? []) walk(p.schema, `${method} ${path} ${p.in}.${p.name}`);
        for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) walk(media.schema, `${method} ${path} body(${type})`);
      }
    }
    expect(unbounded).toEqual([]);
  }));
});

