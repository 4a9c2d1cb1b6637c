// Unit-grid drawing on the real Cambridge, MA data (data/cambridge), on every available engine: the invariants of
// docs/domain.md §1 (one community per grid, tiling without gaps or overlaps, about 10,000 m², 15-digit codes numbered
// west→east, north→south) and versioning on a re-run.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Queryable } from '../../../server/db/types.js';
import {
  CAMBRIDGE_DISTRICT, drawGrids, loadCambridgeRegions, readCambridgeBlocks, type DrawGridsOptions,
} from '../../../server/services/draw-grids.js';
import { numberingOrder } from '../../../server/domain/drawing.js';
import { testBackends, withTestDb } from '../../helpers/backends.js';

/** Metric CRS of the checks (UTM 19N); the drawing picks the same one for Cambridge. */
const UTM = 32619;
/** Tiling tolerance asserted: relative to the community's area. */
const TOL = 1e-6;
/** Overlay precision of the checks (metres): snap-rounding, which never throws on PGlite. */
const GRID = 1e-6;
const BLOCKS = readCambridgeBlocks();

async function draw(db: Queryable, opts: Partial<DrawGridsOptions> = {}) {
  return drawGrids(db, { valid_from: '2026-01-01', blocks: BLOCKS, ...opts });
}

/** Rows a check must return, one per item: a statement that silently returns nothing must not pass a test. */
async function rowsOf<T>(db: Queryable, sql: string, params: unknown[], expected: number): Promise<T[]> {
  const { rows } = await db.query<T>(sql, params);
  expect(rows.length).toBe(expected);
  return rows;
}

async function currentGrids(db: Queryable, prefix: string): Promise<{ code: string; community_code: string; area_m2: number; valid_from: string }[]> {
  const { rows } = await db.query<{ code: string; community_code: string; area_m2: number; valid_from: string }>(
    `select code, community_code, area_m2, to_char(valid_from, 'YYYY-MM-DD') as valid_from from grids
      where valid_to is null and code like $1 || '%' order by code`,
    [prefix],
  );
  return rows;
}

/** Per community: area, area of the union of its current grids, sum of their areas (all in UTM m²). */
async function tiling(db: Queryable, prefix: string) {
  const { rows: n } = await db.query<{ n: number }>(`select count(*)::int as n from regions where level = 'community' and code like $1 || '%'`, [prefix]);
  return rowsOf<{ code: string; area: number; union_area: number; sum_area: number; grids: number }>(db,
    `select c.code, st_area(st_transform(c.geom, $2::int)) as area, coalesce(g.grids, 0) as grids,
            coalesce(st_area(g.u), 0) as union_area, coalesce(g.s, 0) as sum_area
       from regions c
       left join ( -- grouped and joined, not a lateral aggregate: Citus refuses that on the distributed grids
         select x.community_code, count(*)::int as grids, st_unaryunion(st_collect(x.g), $3::float8) as u, sum(st_area(x.g)) as s
           from (select community_code, st_transform(geom, $2::int) as g from grids where community_code like $1 || '%' and valid_to is null) x
          group by x.community_code) g on g.community_code = c.code
      where c.level = 'community' and c.code like $1 || '%' order by c.code`,
    [prefix, UTM, GRID], n[0].n);
}

describe.each(testBackends())('drawing unit grids for Cambridge, MA on %s', (backend) => {
  test('the regions: 13 neighbourhood streets tile the district, neighbourhood × precinct communities tile their streets', () => withTestDb(backend, async (db) => {
    const r = await loadCambridgeRegions(db);
    expect(r.district).toBe('900001');
    expect(r.streets.map((s) => s.code)).toEqual(Array.from({ length: 13 }, (_, i) => `900001${String(i + 1).padStart(3, '0')}`));
    expect(r.streets.find((s) => s.code === '900001005')?.name).toBe('Cambridgeport');
    expect(r.communities.length).toBeGreaterThanOrEqual(50);
    expect(r.communities.every((c) => c.area_m2 >= 20_000)).toBe(true);
    expect(r.communities.find((c) => c.code === '900001005001')?.name).toMatch(/^Cambridgeport \d+-\d$/);
    expect(r.roads_added).toBe(2643);

    // Each street and the district is exactly the union of its children; children do not overlap.
    const parents = await rowsOf<{ code: string; area: number; union_area: number; sum_area: number }>(db,
      `select p.code, st_area(st_transform(p.geom, $1::int)) as area,
              st_area(st_unaryunion(st_collect(st_transform(c.geom, $1::int)), $2::float8)) as union_area,
              sum(st_area(st_transform(c.geom, $1::int))) as sum_area
         from regions p join regions c on c.parent_code = p.code
        where p.code like '900001%' group by p.code, p.geom order by p.code`, [UTM, GRID], 14);
    for (const p of parents) {
      expect(Math.abs(p.union_area - p.area) / p.area, p.code).toBeLessThan(TOL);
      expect((p.sum_area - p.union_area) / p.area, p.code).toBeLessThan(TOL);
    }
    // The district is the city: its area within 1e-5 of the official city boundary's (the neighbourhoods leave
    // about 36 m² of slivers along the city line).
    const city = JSON.parse(readFileSync('data/cambridge/city.geojson', 'utf8')).features[0].geometry;
    const { rows: d } = await db.query<{ district: number; city: number }>(
      `select area_m2 as district, st_area(st_setsrid(st_geomfromgeojson($1::text), 4326)::geography) as city from regions where code = '900001'`,
      [JSON.stringify(city)]);
    expect(Math.abs(d[0].district - d[0].city) / d[0].city).toBeLessThan(1e-5);

    // Loading again changes nothing and adds no road twice.
    const again = await loadCambridgeRegions(db);
    expect(again.roads_added).toBe(0);
    expect(again.communities.map((c) => c.code)).toEqual(r.communities.map((c) => c.code));
  }));

  test('the whole city: each grid in one community, grids tile it, about 10,000 m², coded west→east, north→south', () => withTestDb(backend, async (db) => {
    await loadCambridgeRegions(db);
    const s = await draw(db, { communities: [CAMBRIDGE_DISTRICT.code] });
    const grids = await currentGrids(db, CAMBRIDGE_DISTRICT.code);
    expect(grids.length).toBe(s.areas.count);
    expect(grids.length).toBeGreaterThan(1500); // 18.4 km² of 万米 grids
    expect(s.communities.length).toBe(grids.reduce((set, g) => set.add(g.community_code), new Set()).size);

    // 15-digit codes: the community's 12 digits + a sequence 001… without gaps on a first drawing.
    for (const g of grids) {
      expect(g.code).toMatch(/^[0-9]{15}$/);
      expect(g.code.slice(0, 12)).toBe(g.community_code);
    }
    for (const c of s.communities) {
      const seqs = grids.filter((g) => g.community_code === c.community_code).map((g) => Number(g.code.slice(12)));
      expect(seqs).toEqual(Array.from({ length: c.grids }, (_, i) => i + 1));
    }

    // Inside exactly one community: no part of a grid outside its own community.
    const outside = await rowsOf<{ code: string; out: number; area: number }>(db,
      `select g.code, st_area(st_difference(st_transform(g.geom, $1::int), st_transform(c.geom, $1::int), $2::float8)) as out,
              st_area(st_transform(g.geom, $1::int)) as area
         from grids g join regions c on c.code = g.community_code
        where g.valid_to is null and g.code like '900001%'`, [UTM, GRID], grids.length);
    for (const o of outside) expect(o.out / o.area, o.code).toBeLessThan(TOL);

    // No gaps, no overlaps: the union covers the community and the areas add up to the union.
    for (const t of await tiling(db, CAMBRIDGE_DISTRICT.code)) {
      expect(t.grids, t.code).toBeGreaterThan(0);
      expect(Math.abs(t.union_area - t.area) / t.area, t.code).toBeLessThan(TOL);
      expect((t.sum_area - t.union_area) / t.area, t.code).toBeLessThan(TOL);
    }
    // Pairwise: grids that meet share edges, not area (largest overlap of any two grids under 0.01 m²).
    const pairs = await rowsOf<{ n: number; worst: number }>(db,
      `with g as (select code, st_transform(geom, $1::int) as g from grids where valid_to is null and code like '900001%')
       select count(*)::int as n, coalesce(max(st_area(st_intersection(a.g, b.g, $2::float8))), 0) as worst
         from g a join g b on a.code < b.code and a.g && b.g`, [UTM, GRID], 1);
    expect(pairs[0].n).toBeGreaterThan(grids.length);
    expect(pairs[0].worst).toBeLessThan(0.01);
    expect(s.worst_gap_ratio).toBeLessThan(TOL);
    expect(s.worst_overlap_ratio).toBeLessThan(TOL);

    // Areas: at least 90 % between 5,000 and 20,000 m²; none under the minimum unless the summary says why.
    const areas = grids.map((g) => Number(g.area_m2));
    expect(areas.filter((a) => a >= 5_000 && a <= 20_000).length / areas.length).toBeGreaterThanOrEqual(0.9);
    const under = grids.filter((g) => g.area_m2 < s.params.min_area_m2);
    for (const g of under) expect(s.issues.some((i) => i.kind === 'under_min' && i.community_code === g.community_code)).toBe(true);
    expect(s.areas.median).toBeGreaterThan(8_000);
    expect(s.areas.median).toBeLessThan(12_000);
    expect(s.issues.filter((i) => i.kind === 'tiling')).toEqual([]);

    // Numbering: rows of 100 m from each community's northern edge, north→south, west→east inside a row.
    const pts = await rowsOf<{ code: string; community_code: string; x: number; y: number; north_y: number }>(db,
      `select g.code, g.community_code, st_x(st_centroid(st_transform(g.geom, $1::int))) as x, st_y(st_centroid(st_transform(g.geom, $1::int))) as y,
              st_ymax(st_transform(c.geom, $1::int)) as north_y
         from grids g join regions c on c.code = g.community_code
        where g.valid_to is null and g.code like '900001%' order by g.code`, [UTM], grids.length);
    for (const c of s.communities) {
      const mine = pts.filter((p) => p.community_code === c.community_code);
      const order = numberingOrder(mine.map((p) => ({ key: p.code, x: p.x, y: p.y })), { north_y: mine[0].north_y, row_height_m: s.params.row_height_m });
      expect(order, c.community_code).toEqual(mine.map((p) => p.code));
    }
  }));

  test('a re-run with unchanged input keeps every grid; changed input ends only that community\'s changed grids', () => withTestDb(backend, async (db) => {
    await loadCambridgeRegions(db);
    const street = '900001005'; // Cambridgeport: 6 communities
    const first = await draw(db, { communities: [street] });
    const before = await currentGrids(db, street);
    expect(first.started).toBe(before.length);

    const same = await draw(db, { communities: [street], valid_from: '2026-02-01' });
    expect({ kept: same.kept, ended: same.ended, started: same.started }).toEqual({ kept: before.length, ended: 0, started: 0 });
    expect(await currentGrids(db, street)).toEqual(before);

    // Take out the streets lying wholly inside one community: its cells change, its neighbours' do not.
    const changed = '900001005003';
    const { rows: gone } = await db.query(
      `delete from places p using regions r where r.code = $1 and p.kind = 'road' and st_within(p.geom, r.geom) returning p.id`, [changed]);
    expect(gone.length).toBeGreaterThan(0);
    const third = await draw(db, { communities: [street], valid_from: '2026-03-01' });
    expect(third.ended).toBeGreaterThan(0);
    expect(third.started).toBeGreaterThan(0);
    const ended = await db.query<{ code: string }>(`select code from grids where valid_to = '2026-03-01' and code like $1 || '%'`, [street]);
    expect(ended.rows.length).toBe(third.ended);
    expect(ended.rows.every((r) => r.code.startsWith(changed))).toBe(true);
    const after = await currentGrids(db, street);
    for (const g of after) {
      if (g.community_code === changed) continue;
      expect(g.valid_from, g.code).toBe('2026-01-01'); // every other grid kept its row
    }
    expect(after.filter((g) => g.valid_from === '2026-03-01').every((g) => g.community_code === changed)).toBe(true);
    expect(new Set(after.map((g) => g.code)).size).toBe(after.length); // no current code twice
    // The changed community is still tiled by its current grids.
    for (const t of await tiling(db, changed)) expect(Math.abs(t.union_area - t.area) / t.area).toBeLessThan(TOL);
    // A new code never takes a code whose earlier grid was not ended.
    const reused = await db.query<{ n: number }>(
      `select count(*)::int as n from grids n join grids o on o.district_code = n.district_code and o.code = n.code and o.id <> n.id
        where n.valid_from = '2026-03-01' and n.code like $1 || '%' and (o.valid_to is null or o.valid_to > n.valid_from)`, [street]);
    expect(reused.rows[0].n).toBe(0);

    // Going back in time is refused.
    await expect(draw(db, { communities: [street], valid_from: '2026-02-15' })).rejects.toMatchObject({ code: 'conflict' });
  }));

  test('the areas and the CRS are parameters: a 20,000 m² target in EPSG:26986 draws about half as many grids', () => withTestDb(backend, async (db) => {
    await loadCambridgeRegions(db);
    const community = '900001005006'; // Cambridgeport 5-3, 0.57 km²
    const s = await draw(db, { communities: [community], target_area_m2: 20_000, srid: 26986 }); // Massachusetts State Plane
    expect(s.srid).toBe(26986);
    expect(s.params).toMatchObject({ target_area_m2: 20_000, min_area_m2: 4_000, max_area_m2: 40_000 });
    expect(s.areas.count).toBeGreaterThan(20);
    expect(s.areas.count).toBeLessThan(40);
    expect(s.areas.max).toBeLessThanOrEqual(40_000 * 1.001);
    for (const t of await tiling(db, community)) expect(Math.abs(t.union_area - t.area) / t.area).toBeLessThan(TOL);
  }));
});
