// A tile routed to the districts it meets (issue 12; docs/citus.md): the grids tile (every zoom) and the components
// set's community clusters read grids of the districts in $4 alone (db/tiles.ts routedByDistrict), the districts
// from each district's extent (db/tiles.ts districtBoxes, kept per grids generation by services/district-extents.ts
// DistrictExtents). On every engine the bytes must be those of the unrouted tile, also at a district's edge where a
// tile meets two districts; a tile meeting none is the empty tile without a query.
import { describe, expect, test } from 'vitest';
import { districtBoxes, drawTile, type Encoder, type TileSet } from '../../../server/db/tiles.js';
import { DistrictExtents, districtsMeeting, serveTile, TileCache } from '../../../server/services/tiles.js';
import { copyRows } from '../../../server/db/components.js';
import { noteTileSets } from '../../../server/db/tile-bumps.js';
import type { Queryable, Sql } from '../../../server/db/types.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { decodeTile, tileContent, tileOf } from '../../helpers/tiles.js';

const A = '110101';
const B = '110102';
const B_COMMUNITY = `${B}001001`;

const encodersOf = (b: Backend): Encoder[] => (b === 'postgres' ? ['postgis', 'js'] : ['js']);
const cases = testBackends().flatMap((b) => encodersOf(b).map((e) => [b, e] as const));

/**
 * A second district whose two unit grids lie against the west side of the fixture district's westernmost grid (its
 * regions without geometry, as a district loaded without outlines; one street light in the first grid); returns a
 * point on the shared edge.
 */
async function neighbourAtEdge(db: Queryable): Promise<{ lon: number; lat: number }> {
  const { rows: [w] } = await db.query<{ x0: number; y0: number; y1: number }>(
    `select st_xmin(geom) as x0, st_ymin(geom) as y0, st_ymax(geom) as y1 from grids
      where valid_to is null and district_code = $1 order by st_xmin(geom), code limit 1`, [A]);
  await db.query(`insert into regions (code, level, name, parent_code) values ($1, 'district', '西城区', null),
    ($2, 'street', '西长安街街道', $1), ($3, 'community', '府右街社区', $2)`, [B, `${B}001`, B_COMMUNITY]);
  for (let i = 1; i <= 2; i++) {
    const [x0, x1] = [w.x0 - 0.003 * i, w.x0 - 0.003 * (i - 1)];
    await db.query(
      `insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
       values ($1, $2, left($1, 9), left($1, 6), st_multi(st_makeenvelope($3, $5, $4, $6, 4326)),
               st_area(st_makeenvelope($3, $5, $4, $6, 4326)::geography), '2026-01-01')`,
      [`${B_COMMUNITY}00${i}`, B_COMMUNITY, x0, x1, w.y0, w.y1]);
  }
  await copyRows(db, ['id', 'class_code', 'district_code', 'survey_date', 'grid_code', 'community_code', 'street_code', 'geom'],
    `${B}01037000001\t01037\t${B}\t2026-01-01\t${B_COMMUNITY}001\t${B_COMMUNITY}\t${B}001\tSRID=4326;POINT(${w.x0 - 0.0015} ${(w.y0 + w.y1) / 2})\n`);
  return { lon: w.x0, lat: (w.y0 + w.y1) / 2 };
}

async function centre(db: Queryable): Promise<{ lon: number; lat: number }> {
  const { rows } = await db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_centroid(st_collect(geom)) as p from grids where district_code = $1) s`, [A]);
  return rows[0];
}

/** The tiles a routed layer is drawn for: the grids set at every zoom band, the components set's community clusters. */
const ROUTED: [TileSet, number][] = [['grids', 16], ['grids', 14], ['grids', 13], ['grids', 12], ['grids', 10], ['components', 12], ['components', 10]];

describe.each(cases)('a tile routed to the districts it meets, on %s with the %s encoder', (backend, encoder) => {
  test.each(ROUTED)('%s at z%s on the edge of two districts: both districts named, the bytes of the unrouted tile', (set, z) => withTestDb(backend, async (db) => {
    const edge = await neighbourAtEdge(db);
    const t = tileOf(edge.lon, edge.lat, z);
    const districts = districtsMeeting(await districtBoxes(db), t.z, t.x, t.y);
    expect(districts).toEqual([A, B]);
    const all = (await drawTile(db, set, t.z, t.x, t.y, encoder)).mvt;
    const routed = (await drawTile(db, set, t.z, t.x, t.y, encoder, undefined, districts)).mvt;
    expect(all.length).toBeGreaterThan(0);
    // the same bytes on one node; on a Citus coordinator the same content (the shards' rows come in any order)
    if (!routed.equals(all)) expect(tileContent(routed)).toEqual(tileContent(all));
    if (set === 'grids' && z >= 13) {
      // the route filters: B's grids are in the tile of both, not in one drawn for A alone
      const codes = (buf: Buffer) => decodeTile(buf).grids.map((f) => f.properties.code as string);
      expect(codes(all)).toEqual(expect.arrayContaining([`${B_COMMUNITY}001`]));
      const onlyA = (await drawTile(db, set, t.z, t.x, t.y, encoder, undefined, [A])).mvt;
      expect(codes(onlyA).filter((c) => c.startsWith(B))).toEqual([]);
      expect(codes(onlyA).length).toBeGreaterThan(0);
    }
  }));

  test('a tile inside the fixture district names it alone, with the same bytes', () => withTestDb(backend, async (db) => {
    await neighbourAtEdge(db);
    const c = await centre(db);
    for (const z of [16, 15]) { // the fixture district is ~2 km across: a z14 tile may reach its edge
      const t = tileOf(c.lon, c.lat, z);
      const districts = districtsMeeting(await districtBoxes(db), t.z, t.x, t.y);
      expect(districts).toEqual([A]);
      const routed = (await drawTile(db, 'grids', t.z, t.x, t.y, encoder, undefined, districts)).mvt;
      expect(routed.length).toBeGreaterThan(0);
      const all = (await drawTile(db, 'grids', t.z, t.x, t.y, encoder)).mvt;
      if (!routed.equals(all)) expect(tileContent(routed)).toEqual(tileContent(all));
    }
  }));

  test('a tile meeting no district is the empty tile, drawn without a query', () => withTestDb(backend, async (db) => {
    const t = tileOf(0, 0, 16);
    expect(districtsMeeting(await districtBoxes(db), t.z, t.x, t.y)).toEqual([]);
    const seen: string[] = [];
    const watched = new Proxy(db, {
      get: (target, p, r) => (p === 'query'
        ? (sql: Sql, params?: readonly unknown[]) => { seen.push(typeof sql === 'string' ? sql : sql.text); return target.query(sql, params); }
        : Reflect.get(target, p, r)),
    });
    for (const [set, z] of [['grids', 16], ['grids', 10], ['components', 10]] as const) {
      expect((await drawTile(watched, set, z, t.x >> (16 - z), t.y >> (16 - z), encoder, undefined, [])).mvt.length).toBe(0);
    }
    expect(seen).toEqual([]);
  }));
});

describe.each(testBackends())('the tile route\'s districts (services/tiles.ts) on %s', (backend) => {
  test('serveTile routes a grids tile by the extents read once per grids generation, and reads them again when a writer moves it', () => withTestDb(backend, async (db) => {
    const edge = await neighbourAtEdge(db);
    const cache = new TileCache(64 * 1024 * 1024);
    const districts = new DistrictExtents();
    const t16 = tileOf(edge.lon, edge.lat, 16);
    const t12 = tileOf(edge.lon, edge.lat, 12);
    const served = await serveTile({ db, cache, districts }, { set: 'grids', ...t16 });
    expect(tileContent(served.mvt)).toEqual(tileContent((await drawTile(db, 'grids', t16.z, t16.x, t16.y)).mvt)); // any order (Citus)
    expect(decodeTile(served.mvt).grids.map((f) => f.properties.code)).toEqual(expect.arrayContaining([`${B_COMMUNITY}001`]));
    expect(tileContent((await serveTile({ db, cache, districts }, { set: 'components', ...t12 })).mvt)).toEqual(tileContent((await drawTile(db, 'components', t12.z, t12.x, t12.y)).mvt));
    expect(districts.stats().reads).toBe(1);
    // The basemap reads no grids: no extents needed.
    await serveTile({ db, cache, districts }, { set: 'basemap', ...t16 });
    expect(districts.stats().reads).toBe(1);
    // A grid writer's bump (at the end of its transaction) moves the grids generation: the extents are read again.
    await db.transaction(async (tx) => { await noteTileSets(tx, ['grids']); });
    await serveTile({ db, cache, districts }, { set: 'grids', ...tileOf(edge.lon, edge.lat, 15) });
    expect(districts.stats().reads).toBe(2);
  }));
});
