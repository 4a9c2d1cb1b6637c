import { describe, expect, test } from 'vitest';
import * as grids from '../../../server/db/grids.js';
import { analyzeTable } from '../../../server/db/distribute.js';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import type { Queryable } from '../../../server/db/types.js';

/** A point strictly inside a grid of the fixture, and that grid's code. */
async function someGridPoint(db: Queryable) {
  const { rows } = await db.query<{ code: string; lon: number; lat: number }>(
    `select code, st_x(p) as lon, st_y(p) as lat from (select code, st_pointonsurface(geom) as p from grids
      where valid_to is null order by code offset 17 limit 1) s`);
  return rows[0];
}

describe.each(testBackends())('unit grids on %s', (backend) => {
  test('a point inside a grid resolves to its 15-digit code and its community, street and district', () => withTestDb(backend, async (db) => {
    const g = await someGridPoint(db);
    expect(await grids.locate(db, g.lon, g.lat)).toEqual({
      code: g.code, community_code: g.code.slice(0, 12), street_code: g.code.slice(0, 9), district_code: g.code.slice(0, 6),
    });
  }));

  test('a point outside every grid gives null', () => withTestDb(backend, async (db) => {
    expect(await grids.locate(db, 0, 0)).toBeNull();
  }));

  test('the grid lookup uses the spatial index, not a scan', () => withTestDb(backend, async (db) => {
    // Small tables would otherwise be scanned by choice, not by need; on Citus the setting goes to the shards too
    // (a placeholder setting elsewhere). With the district, as the app's in-district locate: on Citus the plan is that
    // of the district's shard (its index grids_geom_<shard>), not of an empty one.
    // Fresh statistics first: a test that analysed grids inside its own rolled-back transaction (the grid tools and
    // loaders do) leaves pg_class's page and row counts of that moment behind (ANALYZE writes them in place), and with
    // them the planner may walk a btree over the whole table instead (seen in CI with a second district loaded).
    await analyzeTable(db, 'grids');
    await db.exec("set local citus.propagate_set_commands = 'local'");
    await db.exec('set local enable_seqscan = off');
    const district = (await someGridPoint(db)).code.slice(0, 6);
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(
      `explain select code from grids where district_code = '${district}' and valid_to is null
         and st_covers(geom, st_setsrid(st_makepoint(116.4, 39.9), 4326))`);
    const plan = rows.map((r) => Object.values(r)[0]).join('\n');
    expect(plan, plan).toMatch(/grids_geom/);
  }));

  test('a redrawn grid is ended, not overwritten: the current version answers, history stays', () => withTestDb(backend, async (db) => {
    const g = await someGridPoint(db);
    await db.query(`update grids set valid_to = valid_from + 30 where code = $1 and valid_to is null`, [g.code]);
    await db.query(`insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
      select code, community_code, street_code, district_code, geom, area_m2 * 1.01, valid_to from grids where code = $1`, [g.code]);
    const { rows } = await db.query<{ n: number; current: number }>(
      `select count(*)::int as n, count(*) filter (where valid_to is null)::int as current from grids where code = $1`, [g.code]);
    expect(rows[0]).toEqual({ n: 2, current: 1 });
    expect((await grids.locate(db, g.lon, g.lat))?.code).toBe(g.code);
    // a second current version of the same code is refused
    await expect(db.query(`insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
      select code, community_code, street_code, district_code, geom, area_m2, valid_from + 1 from grids where code = $1 and valid_to is null`, [g.code]))
      .rejects.toThrow(/grids_current_code/);
  }));

  test('inBbox: the default keeps every bounding-box overlap, predicate intersects only grids whose shape meets the bbox', () => withTestDb(backend, async (db) => {
    // A right triangle far from the fixture (lon/lat 10): its envelope's upper-right corner lies outside its shape.
    const { rows } = await db.query<{ community_code: string }>('select community_code from grids order by code limit 1');
    const code = rows[0].community_code + '998';
    await db.query(`insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
      values ($1, $2, left($1, 9), left($1, 6), st_multi(st_geomfromtext('POLYGON((10 10, 10.01 10, 10 10.01, 10 10))', 4326)), 60000, '2020-01-01')`,
      [code, rows[0].community_code]);
    const corner: [number, number, number, number] = [10.008, 10.008, 10.02, 10.02];
    const inside: [number, number, number, number] = [10.001, 10.001, 10.002, 10.002];
    const codes = async (bbox: typeof corner, predicate?: 'bbox' | 'intersects') => {
      const page = await grids.inBbox(db, { bbox, limit: 10, offset: 0, predicate });
      return { codes: page.items.map((g) => g.code), total: page.total };
    };
    expect(await codes(corner)).toEqual({ codes: [code], total: 1 });
    expect(await codes(corner, 'bbox')).toEqual({ codes: [code], total: 1 });
    expect(await codes(corner, 'intersects')).toEqual({ codes: [], total: 0 });
    expect(await codes(inside, 'intersects')).toEqual({ codes: [code], total: 1 });
    expect(await codes(inside)).toEqual({ codes: [code], total: 1 });
    // an ended grid is in neither
    await db.query(`update grids set valid_to = '2021-01-01' where code = $1`, [code]);
    expect(await codes(inside)).toEqual({ codes: [], total: 0 });
    expect(await codes(inside, 'intersects')).toEqual({ codes: [], total: 0 });
  }));

  test('count: every version, the current ones, or the current ones of a district', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ community_code: string }>('select community_code from grids order by code limit 1');
    const community = rows[0].community_code;
    const code = community + '997';
    const before = { all: await grids.count(db), current: await grids.count(db, { current: true }),
      district: await grids.count(db, { current: true, district_code: community.slice(0, 6) }) };
    expect(before.current).toBeGreaterThan(0);
    expect(before.all).toBeGreaterThanOrEqual(before.current);
    await db.query(`insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
      values ($1, $2, left($1, 9), left($1, 6), st_multi(st_buffer(st_setsrid(st_makepoint(10, 10), 4326), 0.0005)), 10000, '2020-01-01')`, [code, community]);
    expect(await grids.count(db)).toBe(before.all + 1);
    expect(await grids.count(db, { current: true })).toBe(before.current + 1);
    expect(await grids.count(db, { current: true, district_code: community.slice(0, 6) })).toBe(before.district + 1);
    expect(await grids.count(db, { current: true, district_code: '999999' })).toBe(0);
    await db.query(`update grids set valid_to = '2021-01-01' where code = $1`, [code]);
    expect(await grids.count(db)).toBe(before.all + 1);
    expect(await grids.count(db, { current: true })).toBe(before.current);
  }));

  test('a grid whose code does not start with its community, street or district code is refused by the schema (0059: the writers write all three)', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ community_code: string }>('select community_code from grids limit 1');
    const community = rows[0].community_code;
    const code = community + '996';
    // Each in a savepoint of its own: a refusal aborts only its own statement.
    const insert = (values: [string, string, string, string]) => db.transaction((tx) => tx.query(
      `insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
       values ($1, $2, $3, $4, st_multi(st_buffer(st_setsrid(st_makepoint(10, 10), 4326), 0.0005)), 10000, '2020-01-01')`, values));
    const other = community.slice(0, 9) + '999';
    await expect(insert([other + '001', community, other.slice(0, 9), other.slice(0, 6)])).rejects.toThrow(/grids_community_of_code/);
    await expect(insert([code, community, community.slice(0, 6) + '998', community.slice(0, 6)])).rejects.toThrow(/grids_street_of_code/);
    await expect(insert([code, community, community.slice(0, 9), '999999'])).rejects.toThrow(/grids_district_of_code/);
    // Both are required: no longer computed by the table.
    await expect(db.transaction((tx) => tx.query(`insert into grids (code, community_code, geom, area_m2, valid_from)
      values ($1, $2, st_multi(st_buffer(st_setsrid(st_makepoint(10, 10), 4326), 0.0005)), 10000, '2020-01-01')`, [code, community])))
      .rejects.toThrow(/"street_code"|"district_code"|partition column/); // Citus refuses a row without its distribution column
    await insert([code, community, community.slice(0, 9), community.slice(0, 6)]);
    const { rows: [g] } = await db.query<{ street_code: string; district_code: string; id: string }>(
      'select street_code, district_code, id::text from grids where code = $1', [code]);
    expect(g).toMatchObject({ street_code: community.slice(0, 9), district_code: community.slice(0, 6) });
    // Ids come from the sequence (not an identity), past every existing one.
    const { rows: [m] } = await db.query<{ max: string }>('select max(id)::text as max from grids where code <> $1', [code]);
    expect(BigInt(g.id)).toBeGreaterThan(BigInt(m.max));
  }));
});
