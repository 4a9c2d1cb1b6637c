// A locate without a district routed to the districts whose extent holds the point (issue 12; docs/citus.md):
// services/grids.ts locate with the districts' extents (services/district-extents.ts, read once per grids generation
// and shared with the tile route) asks those districts alone, one by its own statement (locate-grid-in-district.sql),
// several in one (locate-grid-in-districts.sql), and every district (locate-grid.sql) when they hold no grid at the
// point (none named, or extents stale after a write that moved no generation). On every engine the answer must be the
// unrouted locate's: inside a district, on the shared edge of two (the lower code), outside every grid.
import { describe, expect, test } from 'vitest';
import * as gridsDb from '../../../server/db/grids.js';
import { locate } from '../../../server/services/grids.js';
import { DistrictExtents, districtsCovering } from '../../../server/services/district-extents.js';
import { serveTile, TileCache } from '../../../server/services/tiles.js';
import { reportCase } from '../../../server/services/cases.js';
import { noteTileSets } from '../../../server/db/tile-bumps.js';
import type { Queryable, Sql } from '../../../server/db/types.js';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers } from '../../helpers/cases.js';
import { tileOf } from '../../helpers/tiles.js';

const A = '110101';
const B = '110102';
const C = '110105';
const B_COMMUNITY = `${B}001001`;
const C_COMMUNITY = `${C}001001`;
const STEP = 0.003;

type Box = { x0: number; y0: number; x1: number; y1: number };

async function addGrid(db: Queryable, code: string, community: string, b: Box): Promise<void> {
  await db.query(
    `insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
     values ($1, $2, left($1, 9), left($1, 6), st_multi(st_makeenvelope($3, $4, $5, $6, 4326)),
             st_area(st_makeenvelope($3, $4, $5, $6, 4326)::geography), '2026-01-01')`,
    [code, community, b.x0, b.y0, b.x1, b.y1]);
}

async function addDistrict(db: Queryable, district: string, community: string, name: string): Promise<void> {
  await db.query(`insert into regions (code, level, name, parent_code) values ($1, 'district', $4, null),
    ($2, 'street', $4 || '街道', $1), ($3, 'community', $4 || '社区', $2)`, [district, `${district}001`, community, name]);
}

/**
 * A second district B west of the fixture district A: grid 1 against the west side of A's westernmost grid (a shared
 * edge), grid 2 two steps further west, a gap of one step between them that B's extent covers and no grid does (its
 * regions without geometry). Returns A's westernmost grid and the gap.
 */
async function neighbour(db: Queryable): Promise<{ w: Box; gap: Box }> {
  const { rows: [w] } = await db.query<Box>(
    `select st_xmin(geom) as x0, st_ymin(geom) as y0, st_xmax(geom) as x1, st_ymax(geom) as y1 from grids
      where valid_to is null and district_code = $1 order by st_xmin(geom), code limit 1`, [A]);
  await addDistrict(db, B, B_COMMUNITY, '西城区');
  await addGrid(db, `${B_COMMUNITY}001`, B_COMMUNITY, { x0: w.x0 - STEP, y0: w.y0, x1: w.x0, y1: w.y1 });
  await addGrid(db, `${B_COMMUNITY}002`, B_COMMUNITY, { x0: w.x0 - 3 * STEP, y0: w.y0, x1: w.x0 - 2 * STEP, y1: w.y1 });
  return { w, gap: { x0: w.x0 - 2 * STEP, y0: w.y0, x1: w.x0 - STEP, y1: w.y1 } };
}

/** db recording the locate statements it is sent (which SQL file, by its district predicate, and the districts named). */
function watched(db: Queryable, seen: string[]): Queryable {
  return new Proxy(db, {
    get: (target, p) => {
      if (p === 'query') {
        return (sql: Sql, params?: readonly unknown[]) => {
          const text = typeof sql === 'string' ? sql : sql.text;
          if (/st_covers\(geom/.test(text)) {
            seen.push(/district_code = any\(\$3/.test(text) ? `any ${(params![2] as string[]).join(',')}`
              : /district_code = \$3/.test(text) ? `one ${params![2] as string}` : 'all');
          }
          return target.query(sql, params);
        };
      }
      // a transaction's statements too (reportCase locates in its transaction)
      if (p === 'transaction') return <T>(fn: (tx: Queryable) => Promise<T>, o?: unknown) => target.transaction((tx) => fn(watched(tx, seen)), o as never);
      const v = Reflect.get(target, p) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const mid = (b: Box) => ({ lon: (b.x0 + b.x1) / 2, lat: (b.y0 + b.y1) / 2 });

describe.each(testBackends())('a locate without a district routed by the districts\' extents, on %s', (backend) => {
  test('routed equals unrouted over a lattice across two districts and past them: inside, on edges and corners, in a gap, outside', () => withTestDb(backend, async (db) => {
    const { w } = await neighbour(db);
    const { rows: [e] } = await db.query<Box>(
      `select st_xmin(x) as x0, st_ymin(x) as y0, st_xmax(x) as x1, st_ymax(x) as y1 from (select st_extent(geom)::geometry as x from grids where valid_to is null) s`);
    const extents = new DistrictExtents();
    const boxes = await extents.current(db);
    expect(boxes.map((b) => b.district_code)).toEqual([A, B]);
    // The lattice: STEP/2 apart from B's western edge, so it falls on the grids' edges and corners (every grid of B,
    // A's westernmost, and A's grids wherever their edges lie on it), beyond the extent on every side.
    const points: { lon: number; lat: number }[] = [];
    const [x0, x1, y0, y1] = [w.x0 - 3 * STEP - STEP, e.x1 + STEP, e.y0 - STEP, e.y1 + STEP];
    for (let i = 0; x0 + (i * STEP) / 2 <= x1; i++) for (let j = 0; j <= 23; j++) points.push({ lon: x0 + (i * STEP) / 2, lat: y0 + (j * (y1 - y0)) / 23 });
    const lat = (w.y0 + w.y1) / 2;
    points.push({ lon: w.x0, lat }, { lon: w.x0, lat: w.y0 }, { lon: w.x0, lat: w.y1 }); // A|B's edge, its corners
    for (let k = 0; k <= 8; k++) points.push({ lon: w.x0 - (k * STEP) / 2, lat }); // across B's grids, its gap and edges
    points.push({ lon: w.x0 - 3 * STEP - 0.5 * 1e-4, lat }, { lon: w.x0 - 3 * STEP - 2e-4, lat }); // within the slack, past it
    const paths = new Map<string, number>();
    let found = 0;
    for (const p of points) {
      const seen: string[] = [];
      const routed = await locate(watched(db, seen), p.lon, p.lat, extents);
      expect(routed, `${p.lon} ${p.lat}`).toEqual(await gridsDb.locate(db, p.lon, p.lat));
      const path = seen.map((s) => s.split(' ')[0]).join('+');
      paths.set(path, (paths.get(path) ?? 0) + 1);
      if (routed) found++;
    }
    expect(extents.stats().reads).toBe(1);
    // Every path taken: one district, two (A and B along their edge), one with no grid there then all (B's gap, A's
    // extent outside its grids), none (outside every extent: all).
    expect([...paths.keys()].sort()).toEqual(['all', 'any', 'any+all', 'one', 'one+all'].filter((k) => paths.has(k)).sort());
    expect(paths.get('one')).toBeGreaterThan(50);
    expect(paths.get('any')).toBeGreaterThan(0);
    expect(paths.get('one+all')).toBeGreaterThan(0);
    expect(paths.get('all')).toBeGreaterThan(0);
    expect(found).toBeGreaterThan(50);
  }));

  test('on the shared edge of A and B both are asked in one statement and the lower code wins; inside one, that district alone; outside every extent, every district', () => withTestDb(backend, async (db) => {
    const { w } = await neighbour(db);
    const extents = new DistrictExtents();
    const edge = { lon: w.x0, lat: (w.y0 + w.y1) / 2 };
    let seen: string[] = [];
    const atEdge = await locate(watched(db, seen), edge.lon, edge.lat, extents);
    expect(seen).toEqual([`any ${A},${B}`]);
    expect(atEdge?.district_code).toBe(A); // A's code is the lower
    expect(atEdge).toEqual(await gridsDb.locate(db, edge.lon, edge.lat));
    expect(await gridsDb.locateIn(db, edge.lon, edge.lat, [B])).toMatchObject({ code: `${B_COMMUNITY}001` }); // B's grid covers it too
    seen = [];
    const inB = mid({ x0: w.x0 - 3 * STEP, y0: w.y0, x1: w.x0 - 2 * STEP, y1: w.y1 });
    expect(await locate(watched(db, seen), inB.lon, inB.lat, extents)).toMatchObject({ code: `${B_COMMUNITY}002`, district_code: B });
    expect(seen).toEqual([`one ${B}`]);
    seen = [];
    expect(await locate(watched(db, seen), 0, 0, extents)).toBeNull();
    expect(seen).toEqual(['all']);
    expect(districtsCovering(await extents.current(db), 0, 0)).toEqual([]);
  }));

  test('a district written without moving the grids generation (psql) is still found, by every district; once the generation moves, the extents are read again and name it', () => withTestDb(backend, async (db) => {
    const { gap } = await neighbour(db);
    const extents = new DistrictExtents();
    await extents.current(db); // held at this generation
    // A new district C: one grid in B's gap (within B's extent), one far from every extent.
    await addDistrict(db, C, C_COMMUNITY, '朝阳区');
    await addGrid(db, `${C_COMMUNITY}001`, C_COMMUNITY, gap);
    const far = { x0: 117.5, y0: 40.5, x1: 117.5 + STEP, y1: 40.5 + STEP };
    await addGrid(db, `${C_COMMUNITY}002`, C_COMMUNITY, far);
    let seen: string[] = [];
    const inGap = await locate(watched(db, seen), mid(gap).lon, mid(gap).lat, extents);
    expect(inGap).toMatchObject({ code: `${C_COMMUNITY}001`, district_code: C });
    expect(seen).toEqual([`one ${B}`, 'all']); // B's extent holds it, B has no grid there: every district
    seen = [];
    expect(await locate(watched(db, seen), mid(far).lon, mid(far).lat, extents)).toMatchObject({ code: `${C_COMMUNITY}002` });
    expect(seen).toEqual(['all']);
    expect(extents.stats().reads).toBe(1);
    // A grid writer's bump (at the end of its transaction) moves the grids generation: C is known, and asked alone.
    await db.transaction(async (tx) => { await noteTileSets(tx, ['grids']); });
    seen = [];
    expect(await locate(watched(db, seen), mid(far).lon, mid(far).lat, extents)).toMatchObject({ code: `${C_COMMUNITY}002` });
    expect(seen).toEqual([`one ${C}`]);
    seen = [];
    expect(await locate(watched(db, seen), mid(gap).lon, mid(gap).lat, extents)).toMatchObject({ code: `${C_COMMUNITY}001` });
    expect(seen).toEqual([`any ${B},${C}`]);
    expect(extents.stats().reads).toBe(2);
  }));

  test('one instance serves the tile route and the locates: the extents are read once per grids generation for both', () => withTestDb(backend, async (db) => {
    const { w } = await neighbour(db);
    const extents = new DistrictExtents();
    const t = tileOf(w.x0, (w.y0 + w.y1) / 2, 16);
    await serveTile({ db, cache: new TileCache(8 * 1024 * 1024), districts: extents }, { set: 'grids', ...t });
    await locate(db, w.x0, (w.y0 + w.y1) / 2, extents);
    await locate(db, w.x0 - STEP / 2, (w.y0 + w.y1) / 2, extents);
    expect(extents.stats().reads).toBe(1);
  }));

  test('intake by a user of every district (reportCase) locates by the extents: the point on the edge of two districts goes to the lower code, as unrouted', () => withTestDb(backend, async (db) => {
    const { w } = await neighbour(db);
    const { inspector } = await demoUsers(db);
    const edge = { lon: w.x0, lat: (w.y0 + w.y1) / 2 };
    const seen: string[] = [];
    const deps = { ...caseDeps(watched(db, seen)), district_extents: new DistrictExtents() };
    const r = await reportCase(deps, { ...inspector, region_code: null }, { kind: 'event', class_code: '06010', lon: edge.lon, lat: edge.lat, description: 'edge' }, null);
    expect(r.case.grid_code).toBe((await gridsDb.locate(db, edge.lon, edge.lat))!.code);
    expect(r.case.district_code).toBe(A);
    expect(seen).toEqual([`any ${A},${B}`]);
  }));
});
