// The per-grid counts kept by the writers of components and cases (issue 12, db/grid-counts.ts, migration 0061):
// after every write path the counts equal a recount of the base table (tests/helpers/grid-counts.ts).
import { beforeAll, describe, expect, test } from 'vitest';
import { sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { countMismatches, expectCountsExact, gridWithoutMajor } from '../../helpers/grid-counts.js';
import { caseDeps, demoUsers, pointInGrid } from '../../helpers/cases.js';
import type { Queryable } from '../../../server/db/types.js';
import * as cases from '../../../server/db/cases.js';
import * as components from '../../../server/db/components.js';
import { importComponents, type ImportOptions } from '../../../server/services/import-components.js';
import { mergeCase, reportCase } from '../../../server/services/cases.js';

const LIGHTS: ImportOptions = { class_code: '01037', id_field: 'ID', source: 'test:counts', now: () => new Date('2026-03-01T04:00:00Z') };

/** Points inside the first `n` current grids (by code, after `skip`). */
async function gridPoints(db: Queryable, n: number, skip = 0) {
  const { rows } = await db.query<{ code: string; x: number; y: number }>(
    `select code, st_x(p) as x, st_y(p) as y from (select code, st_pointonsurface(geom) as p from grids
      where valid_to is null order by code limit $1 offset $2) g`, [n, skip]);
  return rows;
}

const geojson = (features: { id: string; at: { x: number; y: number } }[]) => JSON.stringify({
  type: 'FeatureCollection',
  features: features.map((f) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [f.at.x, f.at.y] }, properties: { ID: f.id } })),
});

const countsOf = async (db: Queryable, grids: string[]) => (await db.query<{ grid_code: string; major_code: string; n: number }>(
  'select grid_code, major_code, n from grid_component_counts where grid_code = any ($1) order by 1, 2', [grids])).rows;

beforeAll(async () => { await sharedPglite(); }, 600_000);

describe.each(testBackends())('per-grid counts kept by the writers on %s', (backend) => {
  test('the loaded fixture (the COPY loader, the migration\'s recount) counts exactly', () => withTestDb(backend, async (db) => {
    const { rows: [k] } = await db.query<{ n: number }>('select count(*)::int as n from grid_component_counts');
    expect(k.n).toBeGreaterThan(0);
    await expectCountsExact(db);
  }));

  test('the component import: new rows, a re-import moving some to other grids, a class change and rows outside the grids rejected', () => withTestDb(backend, async (db) => {
    const p = await gridPoints(db, 6);
    const first = await importComponents(db, geojson(p.slice(0, 4).map((at, i) => ({ id: `L${i}`, at }))), LIGHTS);
    expect(first).toMatchObject({ imported: 4, rejected: [] });
    await expectCountsExact(db);
    const before = await countsOf(db, p.map((g) => g.code));

    // L0 and L1 move to the grids of p[4] and p[5], L2 stays, L3 changes class (rejected), L9 lies outside every grid.
    const moved = await importComponents(db, geojson([
      { id: 'L0', at: p[4] }, { id: 'L1', at: p[5] }, { id: 'L2', at: p[2] }, { id: 'L9', at: { x: 0.5, y: 0.5 } },
    ]), LIGHTS);
    expect(moved).toMatchObject({ imported: 0, updated: 3, rejected: [{ row: 4, code: 'outside_grids' }] });
    const reclassed = await importComponents(db, geojson([{ id: 'L3', at: p[3] }]), { ...LIGHTS, class_code: '01013' });
    expect(reclassed.rejected.map((r) => r.code)).toEqual(['class_changed']);
    await expectCountsExact(db);
    const after = await countsOf(db, p.map((g) => g.code));
    const n = (rows: typeof before, grid: string) => rows.filter((r) => r.grid_code === grid && r.major_code === '01').reduce((s, r) => s + r.n, 0);
    expect([0, 1, 4, 5].map((i) => n(after, p[i].code) - n(before, p[i].code))).toEqual([-1, -1, 1, 1]);
  }));

  test('a (grid, major class) row appears with the grid\'s label point and goes when its last component is deleted', () => withTestDb(backend, async (db) => {
    const g = await gridWithoutMajor(db);
    if (!g) throw new Error('no grid without components of some major class');
    const major = g.class_code.slice(0, 2);
    await importComponents(db, geojson([{ id: 'P1', at: g }, { id: 'P2', at: g }]), { ...LIGHTS, class_code: g.class_code, source: 'test:lonely' });
    const { rows: [k] } = await db.query<{ n: number; at_point: boolean }>(
      `select n, st_equals(k.pt, st_pointonsurface(g.geom)) as at_point from grid_component_counts k join grids g on g.district_code = k.district_code and g.code = k.grid_code and g.valid_to is null
        where k.grid_code = $1 and k.major_code = $2`, [g.code, major]);
    expect(k).toEqual({ n: 2, at_point: true });
    expect(await components.deleteBySource(db, 'test:lonely:%')).toBe(2);
    expect((await countsOf(db, [g.code])).filter((r) => r.major_code === major)).toEqual([]);
    await expectCountsExact(db);
  }));

  test('a COPY of components (the loaders) counts its rows', () => withTestDb(backend, async (db) => {
    const p = await gridPoints(db, 3, 10);
    const { rows: [d] } = await db.query<{ district_code: string }>('select district_code from grids where code = $1', [p[0].code]);
    const text = p.map((g, i) => `${d.district_code}03005${String(900_000 + i).padStart(6, '0')}\t03005\t${d.district_code}\t2026-01-01\t${g.code}\ttest:copy:${i}\tSRID=4326;POINT(${g.x} ${g.y})\n`).join('')
      + `${d.district_code}03005900009\t03005\t${d.district_code}\t2026-01-01\t\\N\ttest:copy:9\tSRID=4326;POINT(0 0)\n`; // no grid: counted nowhere
    await components.copyRows(db, ['id', 'class_code', 'district_code', 'survey_date', 'grid_code', 'source_id', 'geom'], text);
    await expectCountsExact(db);
    expect(await components.deleteBySource(db, 'test:copy:%')).toBe(4);
    await expectCountsExact(db);
  }));

  test('a rolled-back write leaves the counts as they were', () => withTestDb(backend, async (db) => {
    const p = await gridPoints(db, 2, 20);
    const before = await countsOf(db, p.map((g) => g.code));
    await expect(db.transaction(async (tx) => {
      await importComponents(tx, geojson(p.map((at, i) => ({ id: `R${i}`, at }))), LIGHTS);
      expect(await countMismatches(tx)).toEqual([]);
      expect(await countsOf(tx, p.map((g) => g.code))).not.toEqual(before);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await countsOf(db, p.map((g) => g.code))).toEqual(before);
    await expectCountsExact(db);
  }));

  test('cases: a report, a move to another grid and day, a merge, and a rolled-back report', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator } = await demoUsers(db);
    const p = await pointInGrid(db);
    const a = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    const b = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    await expectCountsExact(db);

    const q = await pointInGrid(db, 40);
    const moved = await cases.update(db, a.id, a.version, {
      grid_code: q.code, community_code: q.code.slice(0, 12), street_code: q.code.slice(0, 9), created_at: new Date('2026-10-01T23:30:00Z'),
    }, deps.clock.now());
    expect(moved).toMatchObject({ grid_code: q.code });
    await expectCountsExact(db);

    await mergeCase(deps, operator, b.id, { into: a.id, version: b.version });
    await expectCountsExact(db);

    const { rows: [n0] } = await db.query<{ n: number }>('select coalesce(sum(n), 0)::int as n from case_grid_days where grid_code = $1', [p.code]);
    await expect(db.transaction(async (tx) => {
      await reportCase({ ...deps, db: tx }, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    const { rows: [n1] } = await db.query<{ n: number }>('select coalesce(sum(n), 0)::int as n from case_grid_days where grid_code = $1', [p.code]);
    expect(n1.n).toBe(n0.n);
    await expectCountsExact(db);
  }));
});
