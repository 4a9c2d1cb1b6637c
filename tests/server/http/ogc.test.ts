// OGC API – Features (Part 1 Core, GeoJSON) on the fixture district: the resources through app.inject, then GDAL's
// OAPIF driver (ogrinfo, ogr2ogr) against the app listening on a real port, paging with its own page size.
import { afterAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { testBackends } from '../../helpers/backends.js';
import { withTestApp } from '../../helpers/app.js';
// One app per engine for the read-only tests (tests/helpers/shared-app.ts); the GDAL tests, which listen on a port
// and hook requests, build their own.
import { closeSharedTestApps, withSharedTestApp } from '../../helpers/shared-app.js';
import type { Queryable } from '../../../server/db/types.js';

const run = promisify(execFile);
const HOST = 'gridline.test:8080';
const ORIGIN = `http://${HOST}`;
const COLLECTION_IDS = ['streets', 'communities', 'grids', 'components'];

/** GET through app.inject with a fixed Host, so absolute links are predictable. */
function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers: { host: HOST, ...headers } });
}

/** An absolute link of ours → the path and query to inject. */
function local(href: string): string {
  const u = new URL(href);
  expect(u.origin).toBe(ORIGIN);
  return u.pathname + u.search;
}

const linkOf = (doc: { links: { rel: string; href: string; type?: string }[] }, rel: string) => doc.links.find((l) => l.rel === rel);

async function column<T = string>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const { rows } = await db.query<{ v: T }>(sql, params);
  return rows.map((r) => r.v);
}

async function currentGridCodes(db: Queryable): Promise<string[]> {
  return column(db, 'select code as v from grids where valid_to is null order by code');
}

/** Runs a GDAL tool; a missing GDAL fails the test (CI installs gdal-bin) instead of skipping it. */
async function gdal(tool: 'ogrinfo' | 'ogr2ogr', args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(tool, args, {
      timeout: 90_000,
      maxBuffer: 64 * 1024 * 1024,
      // Talk to 127.0.0.1 directly whatever proxy the environment names; no retries that would hide errors.
      env: { ...process.env, NO_PROXY: '*', no_proxy: '*', GDAL_HTTP_MAX_RETRY: '0', CPL_DEBUG: 'OFF' },
    });
    return stdout + stderr;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error(`${tool} (GDAL) is not installed; this test needs it and is never skipped: apt-get install gdal-bin`);
    }
    throw new Error(`${tool} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

afterAll(closeSharedTestApps);

describe.each(testBackends())('OGC API – Features on %s', (backend) => {
  test('landing page at /ogc and /ogc/ links self, service-desc, conformance and data as absolute URLs', () =>
    withSharedTestApp(backend, async ({ app }) => {
      for (const url of ['/ogc', '/ogc/']) {
        const res = await get(app, url);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const doc = res.json();
        expect(doc.title).toContain('OGC API');
        expect(linkOf(doc, 'self')).toMatchObject({ href: `${ORIGIN}/ogc`, type: 'application/json' });
        expect(linkOf(doc, 'service-desc')).toEqual({
          href: `${ORIGIN}/api/openapi.json`, rel: 'service-desc', type: 'application/vnd.oai.openapi+json;version=3.0', title: expect.any(String),
        });
        expect(linkOf(doc, 'conformance')).toMatchObject({ href: `${ORIGIN}/ogc/conformance`, type: 'application/json' });
        expect(linkOf(doc, 'data')).toMatchObject({ href: `${ORIGIN}/ogc/collections`, type: 'application/json' });
      }
    }));

  test('conformance declares core, GeoJSON and OpenAPI 3.0', () => withSharedTestApp(backend, async ({ app }) => {
    const res = await get(app, '/ogc/conformance');
    expect(res.statusCode).toBe(200);
    expect(res.json().conformsTo).toEqual(expect.arrayContaining([
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
    ]));
  }));

  test('the OpenAPI document describes the /ogc paths under the ogc tag', () => withSharedTestApp(backend, async ({ app }) => {
    const doc = (await get(app, '/api/openapi.json')).json();
    for (const path of ['/ogc', '/ogc/conformance', '/ogc/collections', '/ogc/collections/{collectionId}',
      '/ogc/collections/{collectionId}/items', '/ogc/collections/{collectionId}/items/{featureId}']) {
      expect(doc.paths[path]?.get?.tags, path).toEqual(['ogc']);
    }
    const params = doc.paths['/ogc/collections/{collectionId}/items'].get.parameters;
    expect(params.find((p: any) => p.name === 'limit')).toMatchObject({ in: 'query', schema: { minimum: 1, maximum: 10000, default: 100 } });
    expect(params.map((p: any) => p.name)).toEqual(expect.arrayContaining(['bbox', 'limit', 'offset', 'datetime', 'collectionId']));
    expect(doc.paths['/ogc/collections/{collectionId}/items'].get.responses['200'].content).toHaveProperty(['application/geo+json']);
  }));

  test('collections: the four, with bilingual titles, CRS84 extents from the data and typed links', () =>
    withSharedTestApp(backend, async ({ app, db }) => {
      const res = await get(app, '/ogc/collections');
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(linkOf(doc, 'self')?.href).toBe(`${ORIGIN}/ogc/collections`);
      expect(doc.collections.map((c: any) => c.id)).toEqual(COLLECTION_IDS);
      const { rows } = await db.query<{ x0: number; y0: number; x1: number; y1: number }>(
        `select st_xmin(e) as x0, st_ymin(e) as y0, st_xmax(e) as x1, st_ymax(e) as y1
           from (select st_extent(geom)::box2d as e from grids where valid_to is null) s`);
      const real = rows[0];
      for (const c of doc.collections) {
        expect(c.title).toMatch(/[\u4e00-\u9fff].* [A-Z][a-z]/); // 中文 then English
        expect(c.itemType).toBe('feature');
        expect(c.extent.spatial.crs).toBe('http://www.opengis.net/def/crs/OGC/1.3/CRS84');
        expect(c.extent.spatial.bbox).toHaveLength(1);
        const [x0, y0, x1, y1] = c.extent.spatial.bbox[0];
        expect(x0).toBeLessThan(x1);
        expect(y0).toBeLessThan(y1);
        expect(linkOf(c, 'self')).toMatchObject({ href: `${ORIGIN}/ogc/collections/${c.id}`, type: 'application/json' });
        expect(linkOf(c, 'items')).toMatchObject({ href: `${ORIGIN}/ogc/collections/${c.id}/items`, type: 'application/geo+json' });
      }
      // The grids' extent holds every grid and is within a few metres of the data.
      const [x0, y0, x1, y1] = doc.collections.find((c: any) => c.id === 'grids').extent.spatial.bbox[0];
      expect(x0).toBeLessThanOrEqual(real.x0);
      expect(y0).toBeLessThanOrEqual(real.y0);
      expect(x1).toBeGreaterThanOrEqual(real.x1);
      expect(y1).toBeGreaterThanOrEqual(real.y1);
      for (const [ours, theirs] of [[x0, real.x0], [y0, real.y0], [x1, real.x1], [y1, real.y1]]) expect(Math.abs(ours - theirs)).toBeLessThan(1e-4);
    }));

  test('one collection by id; an unknown collection is 404 everywhere', () => withSharedTestApp(backend, async ({ app }) => {
    const res = await get(app, '/ogc/collections/grids');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'grids', title: expect.stringContaining('Unit grids'), itemType: 'feature' });
    for (const url of ['/ogc/collections/nope', '/ogc/collections/nope/items', '/ogc/collections/nope/items/1', '/ogc/collections/constructor/items']) {
      const r = await get(app, url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error).toMatchObject({ code: 'not_found', message: expect.any(String) });
    }
  }));

  test('items page by 7: numberMatched is the real count and following next visits every grid exactly once', () =>
    withSharedTestApp(backend, async ({ app, db }) => {
      const codes = await currentGridCodes(db);
      expect(codes.length).toBe(250);
      const seen: string[] = [];
      let url: string | undefined = '/ogc/collections/grids/items?limit=7';
      let pages = 0;
      while (url) {
        const res = await get(app, url);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
        const fc = res.json();
        expect(fc.type).toBe('FeatureCollection');
        expect(fc.numberMatched).toBe(codes.length);
        expect(fc.numberReturned).toBe(fc.features.length);
        expect(Date.parse(fc.timeStamp)).not.toBeNaN();
        expect(linkOf(fc, 'self')).toMatchObject({ type: 'application/geo+json' });
        expect(linkOf(fc, 'collection')?.href).toBe(`${ORIGIN}/ogc/collections/grids`);
        if (pages === 0) {
          expect(fc.features).toHaveLength(7);
          expect(linkOf(fc, 'prev')).toBeUndefined();
        } else {
          expect(linkOf(fc, 'prev')).toBeDefined();
        }
        for (const f of fc.features) {
          expect(f).toMatchObject({ type: 'Feature', id: f.properties.code, geometry: { type: 'MultiPolygon' } });
          seen.push(f.id);
        }
        const next = linkOf(fc, 'next');
        if (next) expect(next.type).toBe('application/geo+json');
        else expect(seen.length).toBe(codes.length); // next only while more remain
        url = next && local(next.href);
        pages++;
      }
      expect(pages).toBe(Math.ceil(codes.length / 7));
      expect(seen).toEqual(codes); // every grid once, in code order
    }));

  test('limit: default 100, a limit above 10000 is a 400, offset past the end is an empty page', () =>
    withSharedTestApp(backend, async ({ app, db }) => {
      const [n] = await column<number>(db, 'select count(*)::int as v from components');
      expect(n).toBeGreaterThan(100);
      const dflt = (await get(app, '/ogc/collections/components/items')).json();
      expect(dflt).toMatchObject({ numberMatched: n, numberReturned: 100 });
      expect(local(linkOf(dflt, 'next')!.href)).toBe('/ogc/collections/components/items?limit=100&offset=100');

      const over = await get(app, '/ogc/collections/components/items?limit=10001'); // the document's maximum is enforced (issue 8)
      expect(over.statusCode).toBe(400);
      expect(over.json().error.message).toMatch(/limit must be <= 10000/);
      const big = await get(app, '/ogc/collections/components/items?limit=10000');
      expect(big.statusCode).toBe(200);
      const all = big.json();
      expect(all).toMatchObject({ numberMatched: n, numberReturned: Math.min(n, 10000) });
      expect(linkOf(all, 'self')!.href).toContain('limit=10000');
      expect(new Set(all.features.map((f: any) => f.id)).size).toBe(Math.min(n, 10000));
      expect(all.features[0].id).toMatch(/^[0-9]{17}$/);

      const past = (await get(app, `/ogc/collections/components/items?limit=10&offset=${n + 5}`)).json();
      expect(past).toMatchObject({ numberMatched: n, numberReturned: 0, features: [] });
      expect(linkOf(past, 'next')).toBeUndefined();
      expect(local(linkOf(past, 'prev')!.href)).toBe(`/ogc/collections/components/items?limit=10&offset=${n - 5}`);
    }));

  test('bbox keeps exactly the features that intersect it, for grids, streets and components', () =>
    withSharedTestApp(backend, async ({ app, db }) => {
      // A box around the centre of the district's grids, about a tenth of its span each way.
      const { rows } = await db.query<{ x0: number; y0: number; x1: number; y1: number }>(
        `select st_xmin(e) as x0, st_ymin(e) as y0, st_xmax(e) as x1, st_ymax(e) as y1
           from (select st_extent(geom)::box2d as e from grids where valid_to is null) s`);
      const e = rows[0];
      const cx = (e.x0 + e.x1) / 2;
      const cy = (e.y0 + e.y1) / 2;
      const b = [cx - (e.x1 - e.x0) / 10, cy - (e.y1 - e.y0) / 10, cx + (e.x1 - e.x0) / 10, cy + (e.y1 - e.y0) / 10].map((v) => Number(v.toFixed(6)));
      const env = `st_makeenvelope(${b.join(', ')}, 4326)`;
      const expected: Record<string, string[]> = {
        grids: await column(db, `select code as v from grids where valid_to is null and st_intersects(geom, ${env}) order by code`),
        streets: await column(db, `select code as v from regions where level = 'street' and st_intersects(geom, ${env}) order by code`),
        components: await column(db, `select id as v from components where st_intersects(geom, ${env}) order by id`),
      };
      expect(expected.grids.length).toBeGreaterThan(0);
      expect(expected.grids.length).toBeLessThan(250);
      expect(expected.components.length).toBeGreaterThan(0);
      for (const [id, ids] of Object.entries(expected)) {
        const fc = (await get(app, `/ogc/collections/${id}/items?bbox=${b.join(',')}&limit=10000`)).json();
        expect(fc.numberMatched, id).toBe(ids.length);
        expect(fc.features.map((f: any) => f.id), id).toEqual(ids);
        expect(linkOf(fc, 'self')!.href).toContain(`bbox=${b.join(',')}`);
      }
      // Six numbers (with heights) mean the same box; paging links keep the bbox.
      const six = (await get(app, `/ogc/collections/grids/items?bbox=${b[0]},${b[1]},-10,${b[2]},${b[3]},100`)).json();
      expect(six.features.map((f: any) => f.id)).toEqual(expected.grids);
      const paged = (await get(app, `/ogc/collections/grids/items?bbox=${b.join(',')}&limit=1`)).json();
      if (expected.grids.length > 1) expect(linkOf(paged, 'next')!.href).toContain(`bbox=${b.join(',')}&limit=1&offset=1`);
      // A box far from the district matches nothing.
      const empty = (await get(app, '/ogc/collections/grids/items?bbox=-71.2,42.3,-71.0,42.4')).json();
      expect(empty).toMatchObject({ numberMatched: 0, numberReturned: 0, features: [] });
    }));

  test('a single feature of each collection with its links; an unknown id is 404', () => withSharedTestApp(backend, async ({ app, db }) => {
    const [grid] = await column(db, 'select code as v from grids where valid_to is null order by code desc limit 1');
    const [component] = await column(db, 'select id as v from components order by id desc limit 1');
    const [street] = await column(db, `select code as v from regions where level = 'street' order by code limit 1`);
    const [community] = await column(db, `select code as v from regions where level = 'community' and geom is not null order by code limit 1`);
    for (const [collection, id, geometry] of [
      ['grids', grid, 'MultiPolygon'], ['components', component, 'Point'], ['streets', street, 'MultiPolygon'], ['communities', community, 'MultiPolygon'],
    ]) {
      const res = await get(app, `/ogc/collections/${collection}/items/${id}`);
      expect(res.statusCode, `${collection}/${id}`).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
      const f = res.json();
      expect(f).toMatchObject({ type: 'Feature', id, geometry: { type: geometry } });
      expect(linkOf(f, 'self')).toMatchObject({ href: `${ORIGIN}/ogc/collections/${collection}/items/${id}`, type: 'application/geo+json' });
      expect(linkOf(f, 'collection')).toMatchObject({ href: `${ORIGIN}/ogc/collections/${collection}`, type: 'application/json' });
    }
    const g = (await get(app, `/ogc/collections/grids/items/${grid}`)).json();
    expect(g.properties).toMatchObject({ code: grid, community_code: grid.slice(0, 12), street_code: grid.slice(0, 9), district_code: '110101' });
    for (const url of ['/ogc/collections/grids/items/110101999999999', `/ogc/collections/grids/items/${component}`,
      '/ogc/collections/components/items/11010101001999999', '/ogc/collections/streets/items/x', `/ogc/collections/communities/items/${street}`]) {
      const r = await get(app, url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error).toMatchObject({ code: 'not_found', message: expect.any(String) });
    }
  }));

  test('bad bbox, limit, offset, datetime or parameters are 400 with the error body', () => withSharedTestApp(backend, async ({ app }) => {
    const cases: [string, RegExp][] = [
      ['bbox=116.4,39.9,116.5', /four numbers/],
      ['bbox=a,b,c,d', /only numbers/],
      ['bbox=116.4,39.9,,39.95', /only numbers/],
      ['bbox=116.5,39.9,116.4,39.95', /antimeridian/],
      ['bbox=116.4,39.95,116.5,39.9', /min must not exceed max/],
      ['bbox=116.4,39.9,116.5,91', /Latitude/],
      ['limit=0', /limit/],
      ['limit=-3', /limit/],
      ['limit=ten', /limit/],
      ['offset=-1', /offset/],
      ['datetime=yesterday', /datetime/],
      ['datetime=2026-02-01T00:00:00Z/2026-01-01T00:00:00Z', /datetime/],
      ['datetime=../..', /datetime/],
      ['f=html', /JSON only/],
      ['colour=red', /additional properties|colour/],
    ];
    for (const [query, message] of cases) {
      const res = await get(app, `/ogc/collections/grids/items?${query}`);
      expect(res.statusCode, query).toBe(400);
      const body = res.json();
      expect(body.error, query).toMatchObject({ code: expect.any(String), message: expect.stringMatching(message) });
    }
    for (const query of ['datetime=2026-01-01T00:00:00Z', 'datetime=2020-01-01/..', 'datetime=../2026-01-01T08:00:00%2B08:00', 'f=json', 'limit=10000']) {
      expect((await get(app, `/ogc/collections/grids/items?${query}`)).statusCode, query).toBe(200);
    }
  }));

  test('content negotiation: JSON Accept headers and f=json are served, anything else is 406', () => withSharedTestApp(backend, async ({ app }) => {
    for (const accept of ['application/geo+json, application/json', 'application/json', '*/*', 'text/html,application/xhtml+xml,*/*;q=0.8']) {
      expect((await get(app, '/ogc/collections/grids/items?limit=1', { accept })).statusCode, accept).toBe(200);
    }
    const html = await get(app, '/ogc/collections', { accept: 'text/html' });
    expect(html.statusCode).toBe(406);
    expect(html.json().error).toMatchObject({ code: 'not_acceptable', message: expect.stringContaining('JSON only') });
    expect((await get(app, '/ogc/collections', { accept: 'application/json;q=0, text/html' })).statusCode).toBe(406);
    const forced = await get(app, '/ogc/collections?f=json', { accept: 'text/html' });
    expect(forced.statusCode).toBe(200); // f wins over Accept
    expect(linkOf(forced.json(), 'self')!.href).toBe(`${ORIGIN}/ogc/collections?f=json`);
  }));

  test('GDAL opens the API: ogrinfo lists the four collections and counts the grids; ogr2ogr pages through every grid', () =>
    withTestApp(backend, async ({ app, db }) => {
      const itemRequests: string[] = [];
      app.addHook('onRequest', async (req) => {
        if (/^\/ogc\/collections\/grids\/items/.test(req.url)) itemRequests.push(req.url);
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const url = `OAPIF:http://127.0.0.1:${port}/ogc`;
      const codes = await currentGridCodes(db);

      const listing = await gdal('ogrinfo', ['-ro', '-so', url]);
      console.log(`[${backend}] ogrinfo -ro -so ${url}\n${listing}`);
      for (const id of COLLECTION_IDS) expect(listing).toMatch(new RegExp(`^\\d+: ${id}\\b`, 'm'));

      const summary = await gdal('ogrinfo', ['-ro', '-al', '-so', url, 'grids']);
      console.log(`[${backend}] ogrinfo -ro -al -so ${url} grids\n${summary}`);
      expect(summary).toMatch(/Layer name: grids/);
      expect(summary).toMatch(new RegExp(`Feature Count: ${codes.length}\\b`));
      expect(summary).toMatch(/Geometry: Multi Polygon/);
      expect(summary).toMatch(/Extent: \(116\.\d+, 39\.\d+\) - \(116\.\d+, 39\.\d+\)/);

      const dir = mkdtempSync(join(tmpdir(), 'gridline-ogc-'));
      try {
        const out = join(dir, 'grids.geojson');
        itemRequests.length = 0;
        const log = await gdal('ogr2ogr', ['-f', 'GeoJSON', '-oo', 'PAGE_SIZE=50', out, url, 'grids']);
        const got = JSON.parse(readFileSync(out, 'utf8')).features.map((f: any) => f.properties.code as string);
        console.log(`[${backend}] ogr2ogr -oo PAGE_SIZE=50: ${got.length} features in ${itemRequests.length} item requests${log ? `\n${log}` : ''}`);
        expect(got.length).toBe(codes.length);
        expect([...got].sort()).toEqual(codes); // every grid, once
        // GDAL really paged with our next links: limit=50 pages, one past offset 200.
        expect(itemRequests.length).toBeGreaterThanOrEqual(Math.ceil(codes.length / 50));
        expect(itemRequests.every((u) => u.includes('limit=50'))).toBe(true);
        expect(itemRequests.some((u) => u.includes('offset=200'))).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }));
});

// ---------------------------------------------------------------------------------------------------------------
// The `cases` collection: only for a token of a role that sees every case; no personal data; datetime filters.

/** 30 cases a day apart from 2026-03-01T00:00Z in the first grids, with personal data that must never show. */
async function seedOgcCases(db: Queryable): Promise<void> {
  await db.query(
    // The first 20 current grids numbered first (a materialized CTE): Citus refuses a lateral subquery with a limit on
    // the distributed grids from generate_series.
    `with g as materialized (select row_number() over (order by code) - 1 as k, * from (select * from grids where valid_to is null order by code limit 20) x)
     insert into cases (case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code,
                        trail_head, created_at, updated_at, reporter_name, reporter_phone, description, address)
     select g.district_code || 'OGC-' || lpad(i::text, 2, '0'), 'handling', 'public', 'event', '06010', st_pointonsurface(g.geom), g.district_code,
            g.street_code, g.community_code, g.code, repeat('0', 64), timestamptz '2026-03-01 00:00:00+00' + (i - 1) * interval '1 day',
            now(), '李四', '13900000000', 'private words', 'No. 1 Secret Lane'
       from generate_series(1, 30) i
       join g on g.k = i % 20`);
}

async function tokenOf(app: FastifyInstance, username: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token;
}

describe.each(testBackends())('the OGC cases collection on %s', (backend) => {
  test('anonymous callers do not see it and get 401; a crew gets 403; a leader sees it listed with the others', () =>
    withSharedTestApp(backend, async ({ app, db }) => {
      await seedOgcCases(db);
      for (const url of ['/ogc/collections/cases', '/ogc/collections/cases/items']) {
        const res = await get(app, url);
        expect(res.statusCode, url).toBe(401);
        expect(res.json().error.message).toContain('Bearer');
      }
      const crew = { authorization: `Bearer ${await tokenOf(app, 'crew1')}` };
      expect((await get(app, '/ogc/collections/cases/items', crew)).statusCode).toBe(403);
      expect((await get(app, '/ogc/collections', crew)).json().collections.map((c: any) => c.id)).toEqual(COLLECTION_IDS);
      const leader = { authorization: `Bearer ${await tokenOf(app, 'leader1')}` };
      const list = (await get(app, '/ogc/collections', leader)).json();
      expect(list.collections.map((c: any) => c.id)).toEqual([...COLLECTION_IDS, 'cases']);
      const cases = list.collections.find((c: any) => c.id === 'cases');
      expect(cases.title).toMatch(/^案件 Cases/);
      expect(linkOf(cases, 'items')?.href).toBe(`${ORIGIN}/ogc/collections/cases/items`);
      expect((await get(app, '/ogc/collections', { authorization: 'Bearer nonsense' })).statusCode).toBe(401);
    }));

  test('items: every case once across pages, the tile layer\'s properties and nothing personal; datetime and bbox filter', () =>
    withSharedTestApp(backend, async ({ app, db }) => {
      await seedOgcCases(db);
      const h = { authorization: `Bearer ${await tokenOf(app, 'leader1')}` };
      const ids = await column(db, `select id::text as v from cases order by created_at, id`);
      const seen: string[] = [];
      let url: string | undefined = '/ogc/collections/cases/items?limit=7';
      while (url) {
        const res = await get(app, url, h);
        expect(res.statusCode, res.body).toBe(200);
        const fc = res.json();
        expect(fc.numberMatched).toBe(ids.length);
        for (const f of fc.features) {
          expect(Object.keys(f.properties).sort()).toEqual(['case_no', 'class_code', 'created_at', 'id', 'light', 'origin', 'status']);
          expect(f).toMatchObject({ id: f.properties.id, geometry: { type: 'Point' } });
          seen.push(f.id);
        }
        expect(res.body).not.toMatch(/李四|13900000000|private words|Secret Lane/);
        url = linkOf(fc, 'next') && local(linkOf(fc, 'next')!.href);
      }
      expect(seen).toEqual(ids);

      // Reported 2026-03-10 … 2026-03-12 (whole UTC days): three cases; an open start counts from the first.
      const span = (await get(app, '/ogc/collections/cases/items?datetime=2026-03-10/2026-03-12', h)).json();
      expect(span.features.map((f: any) => f.properties.case_no.slice(6))).toEqual(['OGC-10', 'OGC-11', 'OGC-12']);
      const open = (await get(app, '/ogc/collections/cases/items?datetime=../2026-03-05T00:00:00Z', h)).json();
      expect(open.numberMatched).toBe(await column<number>(db, `select count(*)::int as v from cases where created_at <= '2026-03-05T00:00:00Z'`).then((r) => r[0]));
      const instant = (await get(app, '/ogc/collections/cases/items?datetime=2026-03-02T00:00:00Z', h)).json();
      expect(instant.features.map((f: any) => f.properties.case_no.slice(6))).toEqual(['OGC-02']);

      const { rows: [g] } = await db.query<{ x0: number; y0: number; x1: number; y1: number }>(
        `select st_xmin(geom) as x0, st_ymin(geom) as y0, st_xmax(geom) as x1, st_ymax(geom) as y1 from grids where valid_to is null order by code offset 3 limit 1`);
      const inBox = await column(db, `select id::text as v from cases where st_intersects(geom, st_makeenvelope($1, $2, $3, $4, 4326)) order by created_at, id`, [g.x0, g.y0, g.x1, g.y1]);
      const boxed = (await get(app, `/ogc/collections/cases/items?bbox=${g.x0},${g.y0},${g.x1},${g.y1}`, h)).json();
      expect(inBox.length).toBeGreaterThan(0);
      expect(boxed.features.map((f: any) => f.id)).toEqual(inBox);

      const one = await get(app, `/ogc/collections/cases/items/${ids[0]}`, h);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({ id: ids[0], properties: { origin: 'live' } });
      for (const bad of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
        expect((await get(app, `/ogc/collections/cases/items/${bad}`, h)).statusCode, bad).toBe(404);
      }
    }));

  test('GDAL opens the cases collection with the token in GDAL_HTTP_HEADERS and counts every case', () =>
    withTestApp(backend, async ({ app, db }) => {
      await seedOgcCases(db);
      const token = await tokenOf(app, 'leader1');
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const url = `OAPIF:http://127.0.0.1:${port}/ogc`;
      const [n] = await column<number>(db, 'select count(*)::int as v from cases');
      const prev = process.env.GDAL_HTTP_HEADERS;
      process.env.GDAL_HTTP_HEADERS = `Authorization: Bearer ${token}`;
      try {
        const summary = await gdal('ogrinfo', ['-ro', '-al', '-so', url, 'cases']);
        console.log(`[${backend}] ogrinfo -ro -al -so ${url} cases\n${summary}`);
        expect(summary).toMatch(/Layer name: cases/);
        expect(summary).toMatch(new RegExp(`Feature Count: ${n}\\b`));
        expect(summary).toMatch(/Geometry: Point/);
        expect(summary).not.toMatch(/reporter|description/);
      } finally {
        if (prev === undefined) delete process.env.GDAL_HTTP_HEADERS; else process.env.GDAL_HTTP_HEADERS = prev;
      }
      // Without the token GDAL does not see the layer at all.
      const anonymous = await gdal('ogrinfo', ['-ro', '-so', url]);
      expect(anonymous).not.toMatch(/^\d+: cases\b/m);
    }));
});
