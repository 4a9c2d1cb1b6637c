// The tile cache (issue 10): hits, ETag/304, no stale tile after a case, a case action, a component import or move,
// a grid redraw or a write by another process, visibility, the byte bound and lights that change with time alone;
// generations heard on LISTEN (a hit reads nothing), a write through this process, the listener lost and back;
// public tiles answered from the cache before the route's handler (no query at all), the cache off reading nothing.
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import { loadConfig } from '../../../server/config.js';
import type { Db, Queryable } from '../../../server/db/types.js';
import * as demoDb from '../../../server/db/demo.js';
import * as casesDb from '../../../server/db/cases.js';
import { noteTileSets } from '../../../server/db/tile-bumps.js';
import { openPostgres } from '../../../server/db/postgres.js';
import { wrapPglite } from '../../../server/db/pglite.js';
import { drawGrids } from '../../../server/services/draw-grids.js';
import { serveTile, TileCache, TileGenerations, tileKey } from '../../../server/services/tiles.js';
import type { LonLatBox } from '../../../server/services/tile-cache.js';
import { committedDb, sharedPglite, testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { loginHeaders, testConfig } from '../../helpers/app.js';
import { decodeTile, tileOf } from '../../helpers/tiles.js';

const USERS = ['inspector1', 'operator1', 'dispatcher1', 'crew1', 'admin'] as const;
type U = (typeof USERS)[number];
type Clock = { now(): Date; advance(min: number): void; set(d: Date): void };
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; clock: Clock };

function withTileApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
    const clock: Clock = { now: () => now, advance: (m) => { now = new Date(now.getTime() + m * 60_000); }, set: (d) => { now = d; } };
    const app = await buildApp(testConfig(env), { db, clock });
    try {
      const h = await loginHeaders(app, USERS);
      return await fn({ app, db, h, clock });
    } finally {
      await app.close();
    }
  });
}

const get = (ctx: Ctx, url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers });
const url = (set: string, t: { z: number; x: number; y: number }) => `/api/tiles/${set}/${t.z}/${t.x}/${t.y}.mvt`;

/** A point well inside one of inspector1's grids (its cases are inspector1's to report). */
async function inspectorPoint(db: Queryable): Promise<{ lon: number; lat: number }> {
  const { rows } = await db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(g.geom) as p from grids g
       join responsibility_grid_members m on m.grid_code = g.code join responsibility_grids r on r.code = m.responsibility_code
       join users u on u.id = r.inspector_id where u.username = 'inspector1' and g.valid_to is null order by g.code limit 1) s`);
  return rows[0];
}

async function report(ctx: Ctx, p: { lon: number; lat: number }, key: string) {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: { ...ctx.h.inspector1, 'idempotency-key': key },
    payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'tile cache test' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; status: string };
}

/** The cases tile's features by case id. */
const casesIn = (body: Buffer) => new Map((decodeTile(body).cases ?? []).map((f) => [f.properties.id as string, f.properties]));

describe.each(testBackends())('the tile cache on %s', (backend) => {
  test('a second request is served from the cache with the same bytes, a strong ETag and no-cache', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    const u = url('grids', tileOf(p.lon, p.lat, 14));
    const a = await get(ctx, u);
    expect(a.statusCode).toBe(200);
    expect(a.headers['x-cache']).toBe('miss');
    expect(a.headers.etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    expect(a.headers['cache-control']).toBe('public, no-cache');
    const b = await get(ctx, u);
    expect(b.headers['x-cache']).toBe('hit');
    expect(b.rawPayload.equals(a.rawPayload)).toBe(true);
    expect(b.headers.etag).toBe(a.headers.etag);
  }));

  test('If-None-Match with the current ETag gets 304 without a body; another tag gets the tile', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    const u = url('components', tileOf(p.lon, p.lat, 15));
    const a = await get(ctx, u);
    expect(a.statusCode).toBe(200);
    const etag = a.headers.etag as string;
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const r = await get(ctx, u, { 'if-none-match': inm });
      expect(r.statusCode, inm).toBe(304);
      expect(r.body).toBe('');
      expect(r.headers.etag).toBe(etag);
    }
    const other = await get(ctx, u, { 'if-none-match': '"something-else"' });
    expect(other.statusCode).toBe(200);
    expect(other.rawPayload.equals(a.rawPayload)).toBe(true);
  }));

  test('a new case and then a case action show in the cached cases tile at once', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    const u = url('cases', tileOf(p.lon, p.lat, 16));
    const before = await get(ctx, u, ctx.h.dispatcher1);
    expect((await get(ctx, u, ctx.h.dispatcher1)).headers['x-cache']).toBe('hit');
    const c = await report(ctx, p, 'tile-cache-report-1');
    const after = await get(ctx, u, ctx.h.dispatcher1);
    expect(after.statusCode).toBe(200);
    expect(after.headers['x-cache']).toBe('miss');
    expect(casesIn(after.rawPayload).get(c.id)).toMatchObject({ status: 'pending_acceptance' });
    if (before.statusCode === 200) {
      expect(casesIn(before.rawPayload).has(c.id)).toBe(false);
      // A browser revalidating with the old tag gets the new tile, not 304.
      expect((await get(ctx, u, { ...ctx.h.dispatcher1, 'if-none-match': before.headers.etag as string })).statusCode).toBe(200);
    }
    // The community cluster far out shows it too.
    const low = url('cases', tileOf(p.lon, p.lat, 10));
    const count = (b: Buffer) => (decodeTile(b).cases ?? []).reduce((s, f) => s + Number(f.properties.count), 0);
    const lowBefore = count((await get(ctx, low, ctx.h.dispatcher1)).rawPayload);
    const acted = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h.operator1, payload: { action: 'accept', version: c.version } });
    expect(acted.statusCode, acted.body).toBe(200);
    const moved = await get(ctx, u, ctx.h.dispatcher1);
    expect(moved.headers['x-cache']).toBe('miss');
    expect(casesIn(moved.rawPayload).get(c.id)?.status).toBe(acted.json().status);
    expect(acted.json().status).not.toBe('pending_acceptance');
    await report(ctx, p, 'tile-cache-report-2');
    expect(count((await get(ctx, low, ctx.h.dispatcher1)).rawPayload)).toBe(lowBefore + 1);
  }));

  test('a case write drops only the cached cases tiles over its community; tiles elsewhere stay cached', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    const { rows: [far] } = await ctx.db.query<{ lon: number; lat: number }>(
      `select st_x(q) as lon, st_y(q) as lat from (select st_pointonsurface(g.geom) as q from grids g
         where g.valid_to is null and g.community_code <> (select community_code from grids where valid_to is null and st_covers(geom, st_setsrid(st_makepoint($1, $2), 4326)) limit 1)) s
        order by st_distance(q, st_setsrid(st_makepoint($1, $2), 4326)) desc limit 1`, [p.lon, p.lat]);
    const near = url('cases', tileOf(p.lon, p.lat, 16));
    const away = url('cases', tileOf(far.lon, far.lat, 16));
    for (const u of [near, away]) await get(ctx, u, ctx.h.dispatcher1);
    await report(ctx, p, 'tile-cache-report-6');
    expect((await get(ctx, near, ctx.h.dispatcher1)).headers['x-cache']).toBe('miss');
    expect((await get(ctx, away, ctx.h.dispatcher1)).headers['x-cache']).toBe('hit');
    // A grid or region change says nothing of where: every cases tile is drawn again. Written through a region
    // writer (the loaders' upsert), which bumps the tile sets itself since 0048 dropped the regions trigger.
    const { rows: [region] } = await ctx.db.query<demoDb.RegionRow>(
      `select code, level, name || ' ' as name, parent_code, encode(st_asewkb(geom), 'hex') as geom, area_m2 from regions
        where level = 'community' and code = (select community_code from grids where valid_to is null order by code limit 1)`);
    await demoDb.upsertRegions(ctx.db, [region]);
    expect((await get(ctx, away, ctx.h.dispatcher1)).headers['x-cache']).toBe('miss');
  }));

  test('a component import, and a move of that component, show in the components tile at once', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    const t = tileOf(p.lon, p.lat, 18);
    const u = url('components', t);
    const ids = async () => {
      const r = await get(ctx, u);
      return new Set((r.statusCode === 200 ? decodeTile(r.rawPayload).components ?? [] : []).map((f) => f.properties.id));
    };
    const before = await ids();
    expect((await get(ctx, u)).headers['x-cache']).toBe('hit');
    const post = (lon: number, lat: number) => ctx.app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID&source=tile-cache-test',
      headers: { ...ctx.h.admin, 'content-type': 'application/geo+json' },
      payload: JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { ID: 'hydrant-1' }, geometry: { type: 'Point', coordinates: [lon, lat] } }] }),
    });
    const imported = await post(p.lon, p.lat);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().imported).toBe(1);
    const { rows: [comp] } = await ctx.db.query<{ id: string }>(`select id from components where source_id like '%hydrant-1'`);
    const withIt = await ids();
    expect(withIt.has(comp.id)).toBe(true);
    expect(withIt.size).toBe(before.size + 1);
    // Moved into the grid farthest away (same source id: an update), it leaves this tile at once.
    const { rows: [q] } = await ctx.db.query<{ lon: number; lat: number }>(
      `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids where valid_to is null) s
        order by st_distance(p, st_setsrid(st_makepoint($1, $2), 4326)) desc limit 1`, [p.lon, p.lat]);
    const moved = await post(q.lon, q.lat);
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().updated).toBe(1);
    expect((await ids()).has(comp.id)).toBe(false);
    expect(decodeTile((await get(ctx, url('components', tileOf(q.lon, q.lat, 18)))).rawPayload).components.map((f) => f.properties.id)).toContain(comp.id);
  }));

  test('a grid redraw shows in the grids tile at once', () => withTileApp(backend, async (ctx) => {
    const { rows: [g] } = await ctx.db.query<{ code: string; community_code: string; lon: number; lat: number }>(
      `select g.code, g.community_code, st_x(st_pointonsurface(g.geom)) as lon, st_y(st_pointonsurface(g.geom)) as lat
         from grids g join (select community_code, count(*) as n from grids where valid_to is null group by community_code) h
              on h.community_code = g.community_code
        where g.valid_to is null order by h.n desc, g.code limit 1`); // a join, not a correlated subquery: Citus refuses that on grids
    const u = url('grids', tileOf(g.lon, g.lat, 16));
    const codes = async () => new Set(decodeTile((await get(ctx, u)).rawPayload).grids.map((f) => f.properties.code));
    const before = await codes();
    expect((await get(ctx, u)).headers['x-cache']).toBe('hit');
    // Redrawn with grids four times the size: other shapes, other codes.
    const summary = await drawGrids(ctx.db, { communities: [g.community_code], valid_from: '2031-01-01', target_area_m2: 40_000 });
    const { rows: now } = await ctx.db.query<{ code: string }>(
      `select code from grids where valid_to is null and geom && st_transform(st_tileenvelope($1, $2, $3), 4326)`,
      [16, tileOf(g.lon, g.lat, 16).x, tileOf(g.lon, g.lat, 16).y]);
    const after = await get(ctx, u);
    expect(summary.ended).toBeGreaterThan(0);
    expect(after.headers['x-cache']).toBe('miss');
    const got = new Set(decodeTile(after.rawPayload).grids.map((f) => f.properties.code));
    expect(got).toEqual(new Set(now.map((r) => r.code)));
    expect(got).not.toEqual(before);
  }));

  test('a write by another process (here: the case writer, outside this app) is seen by the next request: the generation is read each time', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    const c = await report(ctx, p, 'tile-cache-report-3');
    const u = url('cases', tileOf(p.lon, p.lat, 16));
    await get(ctx, u, ctx.h.dispatcher1);
    expect((await get(ctx, u, ctx.h.dispatcher1)).headers['x-cache']).toBe('hit');
    const now = ctx.clock.now();
    const v2 = await ctx.db.transaction((tx) => casesDb.update(tx, c.id, c.version, { class_code: '06011' }, now));
    const after = await get(ctx, u, ctx.h.dispatcher1);
    expect(after.headers['x-cache']).toBe('miss');
    expect(casesIn(after.rawPayload).get(c.id)?.class_code).toBe('06011');
    // A change to a column no tile shows keeps the cached tiles.
    await ctx.db.transaction((tx) => casesDb.update(tx, c.id, v2!.version, { description: 'edited' }, now));
    expect((await get(ctx, u, ctx.h.dispatcher1)).headers['x-cache']).toBe('hit');
    // Plain SQL (psql) moves no generation since 0060: the cached tile stays until a writer bumps the set.
    await ctx.db.query(`update cases set class_code = '06010' where id = $1`, [c.id]);
    expect((await get(ctx, u, ctx.h.dispatcher1)).headers['x-cache']).toBe('hit');
  }));

  test('a user who may not see every case never gets a cases tile another user warmed, not even a 304', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    await report(ctx, p, 'tile-cache-report-4');
    const u = url('cases', tileOf(p.lon, p.lat, 16));
    const warm = await get(ctx, u, ctx.h.dispatcher1);
    expect(warm.statusCode).toBe(200);
    expect(warm.headers['cache-control']).toBe('private, no-cache');
    expect(warm.headers.vary).toMatch(/authorization/i);
    for (const who of ['crew1', 'inspector1'] as const) {
      for (const headers of [ctx.h[who], { ...ctx.h[who], 'if-none-match': warm.headers.etag as string }]) {
        const r = await get(ctx, u, headers);
        expect(r.statusCode, who).toBe(403);
        expect(r.headers['x-cache']).toBeUndefined();
        expect(r.headers['content-type']).toMatch(/json/);
      }
    }
    const anon = await get(ctx, u, { 'if-none-match': warm.headers.etag as string });
    expect(anon.statusCode).toBe(401);
  }));

  test('cases tiles are cached per visibility scope and per filter', () => withTestDb(backend, async (db) => {
    const p = await inspectorPoint(db);
    const t = { set: 'cases' as const, ...tileOf(p.lon, p.lat, 12), cases: { now: new Date('2026-11-23T02:00:00Z') } };
    const cache = new TileCache(1 << 20);
    expect((await serveTile({ db, cache }, { ...t, scope: 'all' })).cache).toBe('miss');
    expect((await serveTile({ db, cache }, { ...t, scope: 'all' })).cache).toBe('hit');
    expect((await serveTile({ db, cache }, { ...t, scope: '{"department_id":3}' })).cache).toBe('miss');
    expect((await serveTile({ db, cache }, { ...t, scope: 'all', cases: { ...t.cases, channel: 'public' } })).cache).toBe('miss');
    expect(tileKey({ ...t, scope: 'a' })).not.toBe(tileKey({ ...t, scope: 'b' }));
    await expect(serveTile({ db, cache }, { ...t })).rejects.toThrow(/scope/);
  }));

  test('lights do not go stale: a cached tile is redrawn when a case turns yellow and red, with no write', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    // Reported at an instant of its own (10:00:17.321, not the fixed clocks' 10:00:00), so no case another file has
    // committed turns red within a second of this one: the cluster's red count below counts this case alone.
    ctx.clock.set(new Date('2026-11-23T02:00:17.321Z'));
    const c = await report(ctx, p, 'tile-cache-report-5');
    const { rows: [d] } = await ctx.db.query<{ yellow_at: Date; red_at: Date }>('select yellow_at, red_at from cases where id = $1', [c.id]);
    const u = url('cases', tileOf(p.lon, p.lat, 16));
    const cluster = url('cases', tileOf(p.lon, p.lat, 14));
    const light = async () => casesIn((await get(ctx, u, ctx.h.dispatcher1)).rawPayload).get(c.id)?.light;
    const reds = async () => {
      const r = await get(ctx, cluster, ctx.h.dispatcher1);
      return { red: (decodeTile(r.rawPayload).cases ?? []).reduce((s, f) => s + Number(f.properties.red), 0), cache: r.headers['x-cache'] };
    };
    expect(await light()).toBe('green');
    ctx.clock.set(new Date(d.yellow_at.getTime() - 1000));
    expect((await get(ctx, u, ctx.h.dispatcher1)).headers['x-cache']).toBe('hit'); // nothing due yet
    expect(await light()).toBe('green');
    ctx.clock.set(new Date(d.yellow_at.getTime() + 1000));
    expect(await light()).toBe('yellow');
    expect((await get(ctx, u, ctx.h.dispatcher1)).headers['x-cache']).toBe('hit');
    // The reds of the cluster a second before and a second after this case's red_at: cases committed by other files
    // that turned red earlier are in both counts.
    ctx.clock.set(new Date(d.red_at.getTime() - 1000));
    const red0 = (await reds()).red;
    ctx.clock.set(new Date(d.red_at.getTime() + 1000));
    expect(await light()).toBe('red');
    expect(await reds()).toEqual({ red: red0 + 1, cache: 'miss' });
    // A clock set back (tests, a corrected server clock) never gets a tile drawn for a later instant.
    ctx.clock.set(new Date(d.yellow_at.getTime() - 1000));
    expect(await light()).toBe('green');
  }));

  test('the cache is bounded: past GRIDLINE_TILE_CACHE_MB the least recently used tile is evicted', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    const t = tileOf(p.lon, p.lat, 14);
    const tiles = [-1, 0, 1].flatMap((dx) => [-1, 0, 1].map((dy) => url('grids', { z: 14, x: t.x + dx, y: t.y + dy })));
    const sizes: number[] = [];
    for (const u of tiles) sizes.push((await get(ctx, u)).rawPayload.length);
    expect(sizes.filter((s) => s > 0).length).toBeGreaterThan(2);
    // 16 KiB: far less than the nine tiles, so the first ones are gone by now; the last one is still there.
    const last = tiles.filter((_, i) => sizes[i] > 0 && sizes[i] < 8000).at(-1);
    if (last) expect((await get(ctx, last)).headers['x-cache']).toBe('hit');
    expect((await get(ctx, tiles[sizes.findIndex((s) => s > 0)])).headers['x-cache']).toBe('miss');
  }, { GRIDLINE_TILE_CACHE_MB: String(16 / 1024) }));

  test('GRIDLINE_TILE_CACHE_MB=0 turns the cache off: every tile is drawn', () => withTileApp(backend, async (ctx) => {
    const p = await inspectorPoint(ctx.db);
    const u = url('grids', tileOf(p.lon, p.lat, 15));
    expect((await get(ctx, u)).headers['x-cache']).toBe('miss');
    const again = await get(ctx, u);
    expect(again.headers['x-cache']).toBe('miss');
    expect((await get(ctx, u, { 'if-none-match': again.headers.etag as string })).statusCode).toBe(304);
  }, { GRIDLINE_TILE_CACHE_MB: '0' }));
});

/**
 * A component's status written as another process's writer would (no component writer here changes a status alone):
 * the update and its tile bump (db/tile-bumps.ts) in one transaction, the bump at its commit.
 */
const setStatus = (db: Queryable, id: string, status: string) => db.transaction(async (tx) => {
  await tx.query('update components set status = $2 where id = $1', [id, status]);
  await noteTileSets(tx, ['components']);
});

/** A Db whose listen never hears a notice and whose state the test sets: what the cache trusts is only what it read. */
function silentListener(db: Queryable) {
  let onState: ((up: boolean) => void) | undefined;
  const reads = { n: 0 };
  const queries = { n: 0 };
  const listening: Queryable & Pick<Db, 'listen'> = {
    ...db,
    query: (sql, params) => {
      queries.n++;
      if ((typeof sql === 'string' ? sql : sql.text).includes('tile_generations')) reads.n++;
      return db.query(sql, params);
    },
    async listen(_channel, _onPayload, opts) {
      onState = opts?.onState;
      onState?.(true);
      return async () => {};
    },
  };
  return { db: listening, reads, queries, setListening: (up: boolean) => onState?.(up) };
}

describe.each(testBackends())('cached public tiles answered before the route handler, on %s', (backend) => {
  test('a hit of a grids, components or empty tile runs no query at all, with the bytes, headers, 304 and 204 of the handler', () => withTestDb(backend, async (txdb) => {
    const l = silentListener(txdb);
    const app = await buildApp(testConfig(), { db: l.db, clock: { now: () => new Date('2026-11-23T02:00:00Z') } });
    try {
      const ctx = { app } as unknown as Ctx;
      const p = await inspectorPoint(txdb);
      const grid = url('grids', tileOf(p.lon, p.lat, 14));
      const comp = url('components', tileOf(p.lon, p.lat, 15));
      const empty = url('grids', { z: 14, x: 0, y: 0 });
      const first = new Map<string, Awaited<ReturnType<typeof get>>>();
      for (const u of [grid, comp, empty]) {
        const r = await get(ctx, u);
        expect(r.headers['x-cache'], u).toBe('miss');
        first.set(u, r);
      }
      expect(first.get(empty)!.statusCode).toBe(204);
      const q0 = l.queries.n;
      for (let i = 0; i < 3; i++) {
        for (const u of [grid, comp]) {
          const r = await get(ctx, u);
          const m = first.get(u)!;
          expect(r.statusCode).toBe(200);
          expect(r.headers['x-cache']).toBe('hit');
          expect(r.rawPayload.equals(m.rawPayload)).toBe(true);
          for (const h of ['etag', 'cache-control', 'content-type', 'content-length']) expect(r.headers[h], h).toBe(m.headers[h]);
        }
        const e = await get(ctx, empty);
        expect(e.statusCode).toBe(204);
        expect(e.headers['x-cache']).toBe('hit');
        expect(e.headers['cache-control']).toBe('public, no-cache');
        const nm = await get(ctx, grid, { 'if-none-match': `"other", ${first.get(grid)!.headers.etag as string}` });
        expect(nm.statusCode).toBe(304);
        expect(nm.headers.etag).toBe(first.get(grid)!.headers.etag);
        expect(nm.rawPayload.length).toBe(0);
      }
      expect(l.queries.n).toBe(q0); // hits: not a single query, not even the session's or a generation's
      // Another spelling of a cached tile takes the whole way, with its validation: the same tile, or a 400.
      const spelled = await get(ctx, grid.replace('/grids/14/', '/grids/014/'));
      expect(spelled.statusCode).toBe(200);
      expect(spelled.rawPayload.equals(first.get(grid)!.rawPayload)).toBe(true);
      const bad = await get(ctx, `${grid}?nonsense=1`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('bad_request');
      // A write answered here (any non-GET, app.ts) makes the next hit read the generations before answering.
      const h = await loginHeaders(app, ['inspector1'] as const);
      const r0 = l.reads.n;
      await report({ ...ctx, h } as unknown as Ctx, p, 'fast-path-report-1');
      const after = await get(ctx, grid);
      expect(after.headers['x-cache']).toBe('hit'); // a case changes no grid
      expect(l.reads.n).toBe(r0 + 1);
      const q1 = l.queries.n;
      expect((await get(ctx, grid)).headers['x-cache']).toBe('hit');
      expect(l.queries.n).toBe(q1);
    } finally {
      await app.close();
    }
  }));

  test('with the listener down, a cached public tile is answered only after reading its generation', () => withTestDb(backend, async (txdb) => {
    const l = silentListener(txdb);
    const app = await buildApp(testConfig(), { db: l.db });
    try {
      const ctx = { app } as unknown as Ctx;
      const p = await inspectorPoint(txdb);
      const grid = url('grids', tileOf(p.lon, p.lat, 14));
      await get(ctx, grid);
      l.setListening(false);
      const r0 = l.reads.n;
      expect((await get(ctx, grid)).headers['x-cache']).toBe('hit');
      expect((await get(ctx, grid)).headers['x-cache']).toBe('hit');
      expect(l.reads.n).toBe(r0 + 2);
    } finally {
      await app.close();
    }
  }));

  test('GRIDLINE_TILE_CACHE_MB=0 draws every tile and reads no generation', () => withTestDb(backend, async (txdb) => {
    const l = silentListener(txdb);
    const app = await buildApp(testConfig({ GRIDLINE_TILE_CACHE_MB: '0' }), { db: l.db });
    try {
      const ctx = { app } as unknown as Ctx;
      const p = await inspectorPoint(txdb);
      const grid = url('grids', tileOf(p.lon, p.lat, 14));
      const r0 = l.reads.n;
      const a = await get(ctx, grid);
      const b = await get(ctx, grid);
      expect([a.headers['x-cache'], b.headers['x-cache']]).toEqual(['miss', 'miss']);
      expect(b.rawPayload.equals(a.rawPayload)).toBe(true);
      expect(l.reads.n).toBe(r0);
    } finally {
      await app.close();
    }
  }));
});

describe.each(testBackends())('tile generations heard, not read, on %s', (backend) => {
  test('while listening, a hit reads nothing; a write answered by this process is seen by the next tile request', () => withTestDb(backend, async (txdb) => {
    const l = silentListener(txdb);
    let now = new Date('2026-11-23T02:00:00Z');
    const app = await buildApp(testConfig(), { db: l.db, clock: { now: () => now } });
    try {
      const h = await loginHeaders(app, ['inspector1', 'dispatcher1'] as const);
      const ctx = { app, db: txdb, h, clock: { now: () => now, advance: () => {}, set: (d: Date) => { now = d; } } } as unknown as Ctx;
      const p = await inspectorPoint(txdb);
      const u = url('cases', tileOf(p.lon, p.lat, 16));
      const grid = url('grids', tileOf(p.lon, p.lat, 14));
      await get(ctx, u, h.dispatcher1);
      await get(ctx, grid);
      const before = l.reads.n;
      for (let i = 0; i < 5; i++) {
        expect((await get(ctx, u, h.dispatcher1)).headers['x-cache']).toBe('hit');
        expect((await get(ctx, grid)).headers['x-cache']).toBe('hit');
      }
      expect(l.reads.n).toBe(before); // ten hits, no read of the generations
      // The listener hears nothing here: only the write's own answer (app.ts onSend) can make the next request look.
      const c = await report(ctx, p, 'tile-gens-report-1');
      const after = await get(ctx, u, h.dispatcher1);
      expect(after.headers['x-cache']).toBe('miss');
      expect(casesIn(after.rawPayload).has(c.id)).toBe(true);
      expect(l.reads.n).toBe(before + 1);
      expect((await get(ctx, u, h.dispatcher1)).headers['x-cache']).toBe('hit');
      expect(l.reads.n).toBe(before + 1);
    } finally {
      await app.close();
    }
  }));

  test('with the listener down, every request reads the generations again, so another writer is never served stale', () => withTestDb(backend, async (txdb) => {
    const l = silentListener(txdb);
    const gens = new TileGenerations(l.db);
    await gens.start();
    const cache = new TileCache(1 << 20);
    const { rows: [k] } = await txdb.query<{ id: string; lon: number; lat: number }>(
      `select id::text as id, st_x(geom) as lon, st_y(geom) as lat from components where status = 'intact' order by id limit 1`);
    const t = { set: 'components' as const, ...tileOf(k.lon, k.lat, 17) };
    const status = async () => decodeTile((await serveTile({ db: l.db, cache, gens }, t)).mvt).components.find((f) => String(f.properties.id) === k.id)?.properties.status;
    expect(await status()).toBe('intact');
    expect((await serveTile({ db: l.db, cache, gens }, t)).cache).toBe('hit');
    expect(gens.stats()).toMatchObject({ listening: true, trusted: true });
    l.setListening(false); // the connection is lost: a notice may be missed from now on
    expect(gens.stats()).toMatchObject({ listening: false, trusted: false });
    const reads = l.reads.n;
    expect((await serveTile({ db: l.db, cache, gens }, t)).cache).toBe('hit'); // nothing changed: still served, after a read
    expect(l.reads.n).toBe(reads + 1);
    await setStatus(txdb, k.id, 'damaged'); // the write and its bump, no notice heard, no hook
    expect(await status()).toBe('damaged');
    expect(l.reads.n).toBe(reads + 2);
    // Listening again: trusted only after one more read, made after the listener came back.
    l.setListening(true);
    expect(gens.stats().trusted).toBe(false);
    await setStatus(txdb, k.id, 'missing');
    expect(await status()).toBe('missing');
    expect(gens.stats().trusted).toBe(true);
    await gens.stop();
  }));

  test('a change committed by another connection is not served stale once its notice has arrived, and the listener comes back when lost', async () => {
    const other = await committedDb(backend); // PostgreSQL: another pool; PGlite: the same instance, outside the app
    let db: Queryable & Pick<Db, 'listen'>;
    let close = async () => {};
    if (backend === 'postgres') {
      const pg = await openPostgres(process.env.TEST_DATABASE_URL!, 2);
      db = pg;
      close = () => pg.close();
    } else {
      const root = await sharedPglite();
      db = { ...wrapPglite(root), async listen(ch, f, o) { const stop = await root.listen(ch, f); o?.onState?.(true); return stop; } };
    }
    const reads = { n: 0 };
    const counted: Queryable & Pick<Db, 'listen'> = { ...db, query: (sql, params) => {
      if ((typeof sql === 'string' ? sql : sql.text).includes('tile_generations')) reads.n++;
      return db.query(sql, params);
    } };
    const gens = new TileGenerations(counted);
    await gens.start();
    const cache = new TileCache(1 << 20);
    const { rows: [k] } = await other.query<{ id: string; lon: number; lat: number; status: string }>(
      `select id::text as id, st_x(geom) as lon, st_y(geom) as lat, status from components order by id desc limit 1`);
    const t = { set: 'components' as const, ...tileOf(k.lon, k.lat, 17) };
    const status = async () => decodeTile((await serveTile({ db: counted, cache, gens }, t)).mvt).components.find((f) => String(f.properties.id) === k.id)?.properties.status;
    const dbGen = async () => String((await other.query<{ gen: string }>(`select gen::text as gen from tile_generations where tile_set = 'components'`)).rows[0].gen);
    const heard = async () => { const g = await dbGen(); while (gens.knownGeneration('components') !== g) await new Promise((r) => setTimeout(r, 10)); };
    const next = k.status === 'damaged' ? 'missing' : 'damaged';
    try {
      expect(await status()).toBe(k.status);
      const r0 = reads.n;
      expect((await serveTile({ db: counted, cache, gens }, t)).cache).toBe('hit');
      expect(reads.n).toBe(r0);
      await setStatus(other, k.id, next); // committed, by another connection
      await heard();
      expect(await status()).toBe(next);
      expect(reads.n).toBe(r0); // heard, not read
      if (backend === 'postgres') {
        // The listening connection is killed: until it listens again and has read the counters, every request reads them.
        await other.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'gridline listen tile_generations' and datname = current_database()`);
        while (gens.stats().listening) await new Promise((r) => setTimeout(r, 10));
        await setStatus(other, k.id, k.status);
        expect(await status()).toBe(k.status);
        expect(reads.n).toBeGreaterThan(r0);
        while (!gens.stats().listening) await new Promise((r) => setTimeout(r, 20));
        await serveTile({ db: counted, cache, gens }, t);
        expect(gens.stats().trusted).toBe(true);
        await setStatus(other, k.id, next);
        await heard();
        expect(await status()).toBe(next);
      }
    } finally {
      await setStatus(other, k.id, k.status);
      await gens.stop();
      await close();
    }
  });
});

describe('TileCache', () => {
  const tile = (n: number, gen = '1', set: 'grids' | 'cases' = 'grids', bounds: LonLatBox = [0, 0, 1, 1]) =>
    ({ set, gen, bounds, mvt: Buffer.alloc(n), etag: '"x"', drawn_at: 0, changes_at: null });

  test('evicts the least recently used entries past its byte bound', () => {
    const c = new TileCache(3 * 1300);
    c.put('a', tile(1000)); c.put('b', tile(1000)); c.put('c', tile(1000));
    expect(c.get('a', '1', 0)).not.toBeNull(); // a is now the most recently used
    c.put('d', tile(1000));
    expect(c.get('b', '1', 0)).toBeNull();
    expect(c.get('a', '1', 0)).not.toBeNull();
    expect(c.stats()).toMatchObject({ entries: 3, evictions: 1 });
    expect(c.stats().bytes).toBeLessThanOrEqual(3 * 1300);
    c.put('huge', tile(5000));
    expect(c.get('huge', '1', 0)).toBeNull();
  });

  test('a new generation of a set drops its entries and refuses late tiles drawn at the old one', () => {
    const c = new TileCache(1 << 20);
    c.advance('grids', undefined, '1', null);
    c.put('g', tile(10)); c.put('k', tile(10, '1', 'cases'));
    c.advance('grids', '1', '2', null);
    expect(c.stats().entries).toBe(1);
    c.put('g', tile(10, '1'));
    expect(c.get('g', '2', 0)).toBeNull();
    expect(c.get('k', '1', 0)).not.toBeNull();
  });

  test('a step whose changed extent is known keeps the tiles clear of it, at the new generation', () => {
    const c = new TileCache(1 << 20);
    c.advance('cases', undefined, '4', null);
    c.put('near', tile(10, '4', 'cases', [116.40, 39.90, 116.41, 39.91]));
    c.put('far', tile(10, '4', 'cases', [116.50, 39.90, 116.51, 39.91]));
    c.advance('cases', '4', '5', [[116.405, 39.905, 116.406, 39.906]]);
    expect(c.get('near', '5', 0)).toBeNull();
    expect(c.get('far', '5', 0)).not.toBeNull();
    // Not a step from the generation held (another request moved it first, or a restored database): all dropped.
    c.advance('cases', '4', '7', []);
    expect(c.get('far', '7', 0)).toBeNull();
  });

  test('peek serves what get would, counting a hit but never a miss, and drops nothing', () => {
    const c = new TileCache(1 << 20);
    c.put('t', { ...tile(10, '1', 'cases'), drawn_at: 100, changes_at: 200 });
    expect(c.peek('t', '1', 150)).not.toBeNull();
    expect(c.peek('t', '1', 200)).toBeNull();
    expect(c.peek('t', '2', 150)).toBeNull();
    expect(c.peek('none', '1', 150)).toBeNull();
    expect(c.stats()).toMatchObject({ entries: 1, hits: 1, misses: 0 });
    expect(c.get('t', '1', 150)).not.toBeNull();
  });

  test('a timed entry is served only within [drawn_at, changes_at)', () => {
    const c = new TileCache(1 << 20);
    c.put('t', { ...tile(10, '1', 'cases'), drawn_at: 100, changes_at: 200 });
    expect(c.get('t', '1', 99)).toBeNull();
    expect(c.get('t', '1', 100)).not.toBeNull();
    expect(c.get('t', '1', 199)).not.toBeNull();
    expect(c.get('t', '1', 200)).toBeNull();
  });
});

describe('GRIDLINE_TILE_CACHE_MB', () => {
  test('defaults to 64, takes fractions and 0, and refuses anything else with a clear message', () => {
    const base = { GRIDLINE_DEMO: '0' };
    expect(loadConfig(base).tile_cache_mb).toBe(64);
    expect(loadConfig({ ...base, GRIDLINE_TILE_CACHE_MB: '0.5' }).tile_cache_mb).toBe(0.5);
    expect(loadConfig({ ...base, GRIDLINE_TILE_CACHE_MB: '0' }).tile_cache_mb).toBe(0);
    for (const bad of ['-1', 'lots', '1e9']) expect(() => loadConfig({ ...base, GRIDLINE_TILE_CACHE_MB: bad })).toThrow(/GRIDLINE_TILE_CACHE_MB must be a number of MiB/);
  });
});
