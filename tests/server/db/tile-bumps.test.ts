// The tile-cache generations moved by the writers (db/tile-bumps.ts, db/commit-work.ts; migration 0060 dropped the
// triggers): per writer path, a write moves the generation of the right sets by one (a case: by one per writing
// statement, with a tile_changes row over its points and communities), at the end of its transaction and once per
// set however often it was noted; a rolled-back transaction or savepoint moves nothing.
import { beforeAll, describe, expect, test } from 'vitest';
import { committedDb, sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers, pointInGrid } from '../../helpers/cases.js';
import type { Queryable } from '../../../server/db/types.js';
import * as casesDb from '../../../server/db/cases.js';
import * as demoDb from '../../../server/db/demo.js';
import * as drawing from '../../../server/db/drawing.js';
import { assignComponentDefaults } from '../../../server/db/departments.js';
import { caseChangeOf, caseChangeOfCopy, noteCaseChange, noteTileSets } from '../../../server/db/tile-bumps.js';
import { actOnCase, reportCase } from '../../../server/services/cases.js';
import { importComponents } from '../../../server/services/import-components.js';
import { importCases, type CaseImportOptions } from '../../../server/services/import-cases.js';
import { loadHistory } from '../../../server/services/history.js';
import { loadWorkRules } from '../../../server/services/work-rules.js';
import { parseCaseFieldMap } from '../../../server/domain/case-import.js';

type Gens = Record<'grids' | 'components' | 'basemap' | 'cases', number>;

async function gens(db: Queryable): Promise<Gens> {
  const { rows } = await db.query<{ tile_set: keyof Gens; gen: string }>('select tile_set, gen::text as gen from tile_generations');
  return Object.fromEntries(rows.map((r) => [r.tile_set, Number(r.gen)])) as Gens;
}

/** How each set moved from `before` to now. */
async function moved(db: Queryable, before: Gens): Promise<Gens> {
  const now = await gens(db);
  return { grids: now.grids - before.grids, components: now.components - before.components, basemap: now.basemap - before.basemap, cases: now.cases - before.cases };
}

const NONE: Gens = { grids: 0, components: 0, basemap: 0, cases: 0 };
const only = (m: Partial<Gens>): Gens => ({ ...NONE, ...m });

/**
 * How far each set moved, as `want` says. Exactly on PGlite; on PostgreSQL the files running beside this one may
 * commit bumps meanwhile (their committed transactions), so there at least that far; each case write's own step is
 * checked there by its tile_changes row, found by its extent.
 */
function expectMoved(backend: string, got: Gens, want: Gens): void {
  if (backend === 'pglite') expect(got).toEqual(want);
  else for (const k of Object.keys(want) as (keyof Gens)[]) expect(got[k], k).toBeGreaterThanOrEqual(want[k]);
}

/** The cases set's tile_changes rows after generation `after`, in order. */
async function changes(db: Queryable, after: number) {
  const { rows } = await db.query<{ gen: string; min_lon: number; min_lat: number; max_lon: number; max_lat: number }>(
    `select gen::text as gen, min_lon, min_lat, max_lon, max_lat from tile_changes where tile_set = 'cases' and gen > $1 order by gen`, [after]);
  return rows.map((r) => ({ gen: Number(r.gen), box: [r.min_lon, r.min_lat, r.max_lon, r.max_lat].map(Number) }));
}

/** The extent of some cases' points and their communities' polygons (old and new: pass both), read from PostGIS. */
async function extentOf(db: Queryable, points: { lon: number; lat: number }[], communities: string[]): Promise<number[]> {
  const { rows: [r] } = await db.query<{ x0: number; y0: number; x1: number; y1: number }>(
    `select st_xmin(e) as x0, st_ymin(e) as y0, st_xmax(e) as x1, st_ymax(e) as y1
       from (select st_extent(g) as e from (
               select st_setsrid(st_makepoint(x, y), 4326) as g from unnest($1::float8[], $2::float8[]) as p(x, y)
               union all select geom from regions where code = any ($3::text[])) s) t`,
    [points.map((p) => p.lon), points.map((p) => p.lat), communities]);
  return [r.x0, r.y0, r.x1, r.y1].map(Number);
}


/** The cases set's tile_changes rows after generation `after` over exactly `box` (a case write's own step). */
const rowsOver = async (db: Queryable, after: number, box: number[]) =>
  (await changes(db, after)).filter((r) => r.box.every((v, i) => Math.abs(v - box[i]) < 1e-9));

/**
 * Runs `fn` in a transaction that then fails: nothing it noted may move. Checked on PGlite: on PostgreSQL other files
 * commit bumps meanwhile, over the same communities too.
 */
async function rolledBack(backend: string, db: Queryable, fn: (tx: Queryable) => Promise<unknown>): Promise<void> {
  const before = await gens(db);
  await expect(db.transaction(async (tx) => { await fn(tx); throw new Error('rolled back'); })).rejects.toThrow('rolled back');
  if (backend === 'pglite') {
    expect(await moved(db, before)).toEqual(NONE);
    expect(await changes(db, before.cases)).toEqual([]);
  }
}

/** A point inside a current grid of another community than `community`. */
async function pointElsewhere(db: Queryable, community: string): Promise<{ lon: number; lat: number; code: string; community_code: string }> {
  const { rows: [r] } = await db.query<{ lon: number; lat: number; code: string; community_code: string }>(
    `select st_x(p) as lon, st_y(p) as lat, code, community_code from (select code, community_code, st_pointonsurface(geom) as p
       from grids where valid_to is null and community_code <> $1 order by code limit 1) s`, [community]);
  return r;
}

const communityOf = async (db: Queryable, grid: string) =>
  (await db.query<{ c: string }>('select community_code as c from grids where code = $1 and valid_to is null', [grid])).rows[0].c;

beforeAll(async () => { if (testBackends().includes('pglite')) await sharedPglite(); }, 600_000);

describe.each(testBackends())('tile generations moved by the case writers on %s', (backend) => {
  test('a reported case moves cases by one, with a tile_changes row over its point and community; rolled back, nothing', () => withTestDb(backend, async (db) => {
    const { inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    const report = (d: Queryable) => reportCase(caseDeps(d), inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
    const want = await extentOf(db, [p], [await communityOf(db, p.code)]);
    await rolledBack(backend, db, report);
    const before = await gens(db);
    const r = await report(db);
    expect(r.case.community_code).toBe(await communityOf(db, p.code));
    expectMoved(backend, await moved(db, before), only({ cases: 1 }));
    const [row] = await rowsOver(db, before.cases, want);
    expect(row.gen).toBeGreaterThan(before.cases);
    if (backend === 'pglite') expect(await changes(db, before.cases)).toEqual([{ gen: before.cases + 1, box: row.box }]);
  }));

  test('a case action moves cases by one over the case and its community; an update of no column a tile reads moves nothing', () => withTestDb(backend, async (db) => {
    const { inspector, operator } = await demoUsers(db);
    const p = await pointInGrid(db, 5);
    const deps = caseDeps(db);
    const c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    const want = await extentOf(db, [p], [c.community_code]);
    await rolledBack(backend, db, (tx) => actOnCase(caseDeps(tx), operator, c.id, { action: 'accept', version: c.version }));
    let before = await gens(db);
    const accepted = await actOnCase(deps, operator, c.id, { action: 'accept', version: c.version });
    expectMoved(backend, await moved(db, before), only({ cases: 1 }));
    expect((await rowsOver(db, before.cases, want)).length).toBeGreaterThanOrEqual(1);
    if (backend === 'pglite') expect(await changes(db, before.cases)).toHaveLength(1);
    before = await gens(db);
    const now = deps.clock.now();
    const same = await db.transaction((tx) => casesDb.update(tx, c.id, accepted.version, { updated_at: now, description: 'a note' }, now));
    expect(same).toMatchObject({ version: accepted.version + 1, description: 'a note' });
    expect(same).not.toHaveProperty('tile_changed');
    expectMoved(backend, await moved(db, before), NONE);
    // A patch naming a tile column with the value it already has changes no tile either.
    const again = await db.transaction((tx) => casesDb.update(tx, c.id, same!.version, { status: same!.status }, now));
    expect(again).not.toHaveProperty('tile_changed');
    expect(again).not.toHaveProperty('old_community_code');
    expectMoved(backend, await moved(db, before), NONE);
  }));

  test('two case writes in one transaction: one generation each, each with its own extent, bumped only at its end', () => withTestDb(backend, async (db) => {
    const { inspector } = await demoUsers(db);
    const a = await pointInGrid(db);
    const b = await pointElsewhere(db, await communityOf(db, a.code));
    const before = await gens(db);
    await db.transaction(async (tx) => {
      for (const p of [a, b]) await reportCase(caseDeps(tx), inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
      expectMoved(backend, await moved(tx, before), NONE); // noted, not bumped yet
    });
    expectMoved(backend, await moved(db, before), only({ cases: 2 }));
    const [ra] = await rowsOver(db, before.cases, await extentOf(db, [a], [await communityOf(db, a.code)]));
    const [rb] = await rowsOver(db, before.cases, await extentOf(db, [b], [b.community_code]));
    expect(ra && rb).toBeTruthy(); // one row each, not one over both
    // One bump, at the transaction's end: two generations in a row.
    if (backend === 'pglite') expect((await changes(db, before.cases)).map((r) => r.gen)).toEqual([ra.gen, rb.gen].sort((x, y) => x - y));
    if (backend === 'pglite') expect([ra.gen, rb.gen].sort((x, y) => x - y)).toEqual([before.cases + 1, before.cases + 2]);
  }));

  test('the case import: new cases by COPY move cases by one over their points and communities; a re-import moving a case, over its old and new place', () => withTestDb(backend, async (db) => {
    const a = await pointInGrid(db);
    const b = await pointElsewhere(db, await communityOf(db, a.code));
    const opts: CaseImportOptions = {
      work: loadWorkRules(), source_system: 'tilesys', time_zone: 'Asia/Shanghai', now: () => new Date('2026-03-01T04:00:00Z'),
      map: parseCaseFieldMap('source_id=id,type=type,opened=opened,dispatched=dispatched,target=target,closed=closed,department=dept,channel=channel,description=text'),
      type_map: { 暴露垃圾: '06010' },
    };
    const csv = (p: { lon: number; lat: number }) => 'id,type,opened,dispatched,target,closed,dept,channel,text,lon,lat\n'
      + `T1,暴露垃圾,2025-06-04 09:00,2025-06-04 10:00,2025-06-06 18:00,,市政管理委员会,监督员,tile test,${p.lon},${p.lat}\n`;
    const atA = await extentOf(db, [a], [await communityOf(db, a.code)]);
    await rolledBack(backend, db, (tx) => importCases(tx, csv(a), opts));
    let before = await gens(db);
    expect(await importCases(db, csv(a), opts)).toMatchObject({ imported: 1 });
    expectMoved(backend, await moved(db, before), only({ cases: 1 }));
    expect((await rowsOver(db, before.cases, atA)).length).toBeGreaterThanOrEqual(1);
    before = await gens(db);
    expect(await importCases(db, csv(a), opts)).toMatchObject({ imported: 0, updated: 1, unchanged: 1 });
    expectMoved(backend, await moved(db, before), NONE);
    expect(await importCases(db, csv(b), opts)).toMatchObject({ imported: 0, updated: 1, unchanged: 0 });
    expectMoved(backend, await moved(db, before), only({ cases: 1 }));
    expect(await rowsOver(db, before.cases, await extentOf(db, [a, b], [await communityOf(db, a.code), b.community_code]))).toHaveLength(1); // unique: two communities
  }));

  test('the demo history (COPY of simulated cases) moves cases with extents inside the district', () => withTestDb(backend, async (db) => {
    const before = await gens(db);
    const s = await loadHistory(db, { seed: 3, days: 1, end: new Date('2026-03-02T00:00:00Z'), work: loadWorkRules() });
    expect(s.cases).toBeGreaterThan(0);
    const m = await moved(db, before);
    expect(m.cases).toBeGreaterThanOrEqual(1);
    if (backend !== 'pglite') return; // the rest counts every step: others commit theirs on PostgreSQL meanwhile
    expect(m).toEqual(only({ cases: m.cases }));
    const rows = await changes(db, before.cases);
    expect(rows).toHaveLength(m.cases); // every step says where: no cached tile elsewhere is dropped
    const district = await extentOf(db, [], ['110101']);
    for (const r of rows) expect(r.box[0] >= district[0] - 1e-9 && r.box[2] <= district[2] + 1e-9 && r.box[1] >= district[1] - 1e-9 && r.box[3] <= district[3] + 1e-9).toBe(true);
  }));
});

describe.each(testBackends())('tile generations moved by the component, place, grid and region writers on %s', (backend) => {
  test('the component import moves components by one (insert, then a move), an unchanged re-import nothing; rolled back, nothing', () => withTestDb(backend, async (db) => {
    const [a, b] = [await pointInGrid(db, 1), await pointInGrid(db, 40)];
    const fc = (p: { lon: number; lat: number }) => JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { ID: 'tile-bump-1' } }] });
    const opts = { class_code: '01013', id_field: 'ID', source: 'test:tile-bumps', now: () => new Date(2026, 2, 1, 12) };
    await rolledBack(backend, db, (tx) => importComponents(tx, fc(a), opts));
    let before = await gens(db);
    expect(await importComponents(db, fc(a), opts)).toMatchObject({ imported: 1 });
    expectMoved(backend, await moved(db, before), only({ components: 1 }));
    before = await gens(db);
    expect(await importComponents(db, fc(a), opts)).toMatchObject({ updated: 1, unchanged: 1 });
    expectMoved(backend, await moved(db, before), NONE);
    expect(await importComponents(db, fc(b), opts)).toMatchObject({ updated: 1 });
    expectMoved(backend, await moved(db, before), only({ components: 1 }));
  }));

  test('the demo loader\'s COPY of components and the class defaults\' update move components by one', () => withTestDb(backend, async (db) => {
    const { rows: [g] } = await db.query<{ code: string; community_code: string; street_code: string; district_code: string; pt: string }>(
      `select code, community_code, street_code, district_code, 'SRID=4326;' || st_astext(st_pointonsurface(geom)) as pt
         from grids where valid_to is null order by code limit 1`);
    const line = `${g.district_code}01013999901\t01013\t${g.district_code}\tintact\t2026-03-01\tother\t${g.code}\t${g.community_code}\t${g.street_code}\t${g.pt}\n`;
    await rolledBack(backend, db, (tx) => demoDb.copyComponents(tx, line));
    let before = await gens(db);
    await db.transaction((tx) => demoDb.copyComponents(tx, line));
    expectMoved(backend, await moved(db, before), only({ components: 1 }));
    await db.query(`update components set supervising_department_id = null where id = $1`, [`${g.district_code}01013999901`]);
    before = await gens(db);
    expect(await db.transaction((tx) => assignComponentDefaults(tx))).toBeGreaterThanOrEqual(1);
    expectMoved(backend, await moved(db, before), only({ components: 1 }));
    before = await gens(db);
    expect(await assignComponentDefaults(db)).toBe(0); // nothing written, nothing moved
    expectMoved(backend, await moved(db, before), NONE);
  }));

  test('roads into places move basemap by one, at once outside a transaction; a road already there adds nothing and moves nothing', () => withTestDb(backend, async (db) => {
    const p = await pointInGrid(db);
    const line = { type: 'LineString' as const, coordinates: [[p.lon, p.lat], [p.lon + 0.001, p.lat + 0.001]] as [number, number][] };
    await rolledBack(backend, db, (tx) => demoDb.insertRoads(tx, [{ name: '格线路', geom: JSON.stringify(line) }]));
    let before = await gens(db);
    await demoDb.insertRoads(db, [{ name: '格线路', geom: JSON.stringify(line) }]);
    expectMoved(backend, await moved(db, before), only({ basemap: 1 }));
    before = await gens(db);
    expect(await db.transaction((tx) => drawing.insertRoads(tx, [{ name: '格线路', geometry: line }]))).toBe(0);
    expectMoved(backend, await moved(db, before), NONE);
    expect(await db.transaction((tx) => drawing.insertRoads(tx, [{ name: '格线二路', geometry: line }]))).toBe(1);
    expectMoved(backend, await moved(db, before), only({ basemap: 1 }));
  }));

  test('regions written twice and a component in one transaction: every set once, at its end; a rolled-back savepoint inside drops its notes', () => withTestDb(backend, async (db) => {
    const { rows: [region] } = await db.query<demoDb.RegionRow>(
      `select code, level, name, parent_code, encode(st_asewkb(geom), 'hex') as geom, area_m2 from regions where level = 'community' order by code limit 1`);
    await rolledBack(backend, db, (tx) => demoDb.upsertRegions(tx, [region]));
    const before = await gens(db);
    await db.transaction(async (tx) => {
      await demoDb.upsertRegions(tx, [region]);
      await demoDb.upsertRegions(tx, [region]);
      await expect(tx.transaction(async (sp) => { await demoDb.insertRoads(sp, [{ name: 'x', geom: '{"type":"LineString","coordinates":[[0,0],[1,1]]}' }]); throw new Error('no'); }))
        .rejects.toThrow('no');
      expectMoved(backend, await moved(tx, before), NONE);
    });
    expectMoved(backend, await moved(db, before), { grids: 1, components: 1, basemap: 1, cases: 1 });
    if (backend === 'pglite') expect(await changes(db, before.cases)).toEqual([]); // a region change says nothing of where
  }));

  test('a case write and a region write in one transaction: cases moves twice, with one step undescribed (every cases tile drawn again)', () => withTestDb(backend, async (db) => {
    const { inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    const { rows: [region] } = await db.query<demoDb.RegionRow>(
      `select code, level, name, parent_code, encode(st_asewkb(geom), 'hex') as geom, area_m2 from regions where level = 'community' order by code limit 1`);
    const before = await gens(db);
    await db.transaction(async (tx) => {
      await reportCase(caseDeps(tx), inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
      await demoDb.upsertRegions(tx, [region]);
    });
    expectMoved(backend, await moved(db, before), { grids: 1, components: 1, basemap: 1, cases: 2 });
    expect((await rowsOver(db, before.cases, await extentOf(db, [p], [await communityOf(db, p.code)]))).length).toBeGreaterThanOrEqual(1);
    if (backend === 'pglite') expect(await changes(db, before.cases)).toHaveLength(1); // and one step without a row
  }));
});

describe('what a case write notes', () => {
  test('the box of its points and its communities, from rows or from COPY text; none for no row', () => {
    expect(caseChangeOf([])).toBeNull();
    expect(caseChangeOf([{ lon: 116.4, lat: 39.9, community_code: '110101001001' }, { lon: 116.3, lat: 39.95, community_code: '110101001001' }]))
      .toEqual({ points: [116.3, 39.9, 116.4, 39.95], communities: ['110101001001'] });
    const text = 'a\tSRID=4326;POINT(116.41 39.91)\t110101001002\nb\tSRID=4326;POINT(116.42 39.92)\t\\N\n';
    expect(caseChangeOfCopy(['id', 'geom', 'community_code'], text)).toEqual({ points: [116.41, 39.91, 116.42, 39.92], communities: ['110101001002'] });
    expect(() => caseChangeOfCopy(['id', 'community_code'], text)).toThrow(/without geom/);
  });
});

// The commit path of the engines themselves (not a test's rolled-back transaction): PostgreSQL's pool and PGlite.
describe.each(testBackends())('the bump at COMMIT on %s', (backend) => {
  let db: Queryable;
  beforeAll(async () => { db = await committedDb(backend); });

  // Each probe is a case change over a box of its own (no community), so its tile_changes row tells this test's
  // bump from the bumps other files commit meanwhile.
  const probe = () => { const x = 1000 + Math.random() * 1000; return { points: [x, x, x + 1, x + 1] as [number, number, number, number], communities: [] }; };
  const rowsOf = async (box: number[]) => (await db.query<{ gen: string }>(
    `select gen::text as gen from tile_changes where tile_set = 'cases' and min_lon = $1 and min_lat = $2 and max_lon = $3 and max_lat = $4`, box)).rows;

  test('noted in a transaction: invisible to others until it commits, then one step however often noted; a failed transaction moves nothing; outside one, at once', async () => {
    const a = probe();
    const before = await gens(db);
    let inside: number | null = null;
    await db.transaction(async (tx) => {
      await noteCaseChange(tx, a);
      await noteCaseChange(tx, a);
      if (backend === 'postgres') inside = (await rowsOf(a.points)).length; // another connection, before this one commits
    });
    if (backend === 'postgres') expect(inside).toBe(0);
    const [row, ...more] = await rowsOf(a.points);
    expect(more).toEqual([]);
    expect(Number(row.gen)).toBeGreaterThan(before.cases);
    const b = probe();
    await expect(db.transaction(async (tx) => { await noteCaseChange(tx, b); throw new Error('failed'); })).rejects.toThrow('failed');
    expect(await rowsOf(b.points)).toEqual([]);
    const c = probe();
    await noteCaseChange(db, c);
    expect(await rowsOf(c.points)).toHaveLength(1);
  });

  test('a case change noted at COMMIT writes its tile_changes row with the generation it moved to', async () => {
    const { rows: [p] } = await db.query<{ lon: number; lat: number; community_code: string }>(
      'select st_x(st_pointonsurface(geom)) as lon, st_y(st_pointonsurface(geom)) as lat, community_code from grids where valid_to is null order by code limit 1');
    const before = (await gens(db)).cases;
    await db.transaction((tx) => noteCaseChange(tx, caseChangeOf([p])));
    // Other files may commit case writes meanwhile: this one's row is the one over this point and community.
    const mine = await rowsOver(db, before, await extentOf(db, [p], [p.community_code]));
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine[0].gen).toBeGreaterThan(before);
  });
});
