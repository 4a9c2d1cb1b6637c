// Component import on the fixture district (synthetic Dongcheng, 110101): inputs are generated from the fixture's
// own grids (st_pointonsurface), plus the broken-rows CSV and the real Cambridge hydrants moved into the district.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { beforeAll, describe, expect, test } from 'vitest';
import { sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { importComponents, type ImportOptions } from '../../../server/services/import-components.js';
import { registerErrorHandler } from '../../../server/http/errors.js';
import importRoutes from '../../../server/http/routes/import.js';
import { DomainError } from '../../../server/domain/errors.js';

const FIXTURES = new URL('../../fixtures/import/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

type GridPoint = { code: string; community_code: string; street_code: string; district_code: string; x: number; y: number };

/** A point inside each of the first `n` current grids (by code, skipping `skip`). */
async function gridPoints(db: Queryable, n: number, skip = 0): Promise<GridPoint[]> {
  const { rows } = await db.query<GridPoint>(
    `select code, community_code, street_code, district_code, st_x(p) as x, st_y(p) as y
       from (select code, community_code, street_code, district_code, st_pointonsurface(geom) as p
               from grids where valid_to is null order by code limit $1 offset $2) g`,
    [n, skip],
  );
  return rows;
}

function featureCollection(features: { id: string; coords: [number, number]; props?: Record<string, unknown> }[]): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: features.map((f) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: f.coords }, properties: { ID: f.id, ...f.props } })),
  });
}

const HYDRANTS: ImportOptions = { class_code: '01013', id_field: 'ID', source: 'test:hydrants', now: () => new Date(2026, 2, 1, 12) };

async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0].n;
}

/** Grids whose maintained count differs from a fresh count of their components. */
async function countMismatches(db: Queryable): Promise<number> {
  return count(db, `
    select count(*)::int as n from (
      select grid_code, left(class_code, 2) as major_code, count(*)::int as n from components where grid_code is not null group by 1, 2
    ) fresh full join grid_component_counts k using (grid_code, major_code)
    where fresh.n is distinct from k.n`);
}

// The shared PGlite boots (and seeds the fixture) here, so its minutes on a busy machine do not count against the first test.
beforeAll(async () => { await sharedPglite(); }, 600_000);

describe.each(testBackends())('component import on %s', (backend) => {
  test('importing the same file twice leaves the same components: the second run only updates', () => withTestDb(backend, async (db) => {
    const points = await gridPoints(db, 30);
    const text = featureCollection(points.map((p, i) => ({ id: `H${i + 1}`, coords: [p.x, p.y] })));
    const before = await count(db, 'select count(*)::int as n from components');

    const first = await importComponents(db, text, HYDRANTS);
    expect(first).toMatchObject({ format: 'geojson', rows: 30, imported: 30, updated: 0, rejected: [] });
    expect(await count(db, 'select count(*)::int as n from components')).toBe(before + 30);

    const second = await importComponents(db, text, HYDRANTS);
    expect(second).toMatchObject({ rows: 30, imported: 0, updated: 30, unchanged: 30, rejected: [] });
    expect(await count(db, 'select count(*)::int as n from components')).toBe(before + 30);
  }));

  test('ids are 17 digits of the grid\'s district, the class and a fresh sequence; grid, community and street are assigned', () => withTestDb(backend, async (db) => {
    const points = await gridPoints(db, 12);
    const { rows: [seq] } = await db.query<{ last_seq: number }>(
      `select coalesce(max(last_seq), 0) as last_seq from component_sequences where district_code = '110101' and class_code = '01013'`);
    await importComponents(db, featureCollection(points.map((p, i) => ({ id: `H${i + 1}`, coords: [p.x, p.y] }))), { ...HYDRANTS, batch_size: 5 });

    const { rows } = await db.query<{ id: string; source_id: string; class_code: string; district_code: string; grid_code: string; community_code: string; street_code: string; status: string; survey_date: string; data_source: string; supervising_department_id: number | null }>(
      `select id, source_id, class_code, district_code, grid_code, community_code, street_code, status,
              to_char(survey_date, 'YYYY-MM-DD') as survey_date, data_source, supervising_department_id
         from components where source_id like 'test:hydrants:%' order by id`);
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => r.id)).toEqual(rows.map((_, i) => `11010101013${String(seq.last_seq + i + 1).padStart(6, '0')}`));
    for (const r of rows) {
      const p = points[Number(r.source_id.split(':H')[1]) - 1];
      expect(r).toMatchObject({
        class_code: '01013', district_code: p.district_code, grid_code: p.code, community_code: p.community_code, street_code: p.street_code,
        status: 'intact', survey_date: '2026-03-01', data_source: 'other',
      });
    }
    // Rows are numbered in file order across batches of 5.
    expect(rows.map((r) => r.source_id)).toEqual(points.map((_, i) => `test:hydrants:H${i + 1}`));
    expect(await count(db, `select last_seq as n from component_sequences where district_code = '110101' and class_code = '01013'`)).toBe(seq.last_seq + 12);
    // The class's default department supervises new components, when the fixture has one.
    const dept = await count(db, `select count(*)::int as n from class_departments where kind = 'component' and class_code = '01013'`);
    expect(rows.every((r) => (r.supervising_department_id !== null) === (dept > 0))).toBe(true);
  }));

  test('a batch with as many rows as there are grids, planned from the grids\' side, ends as one planned row by row (issue 12)', () => withTestDb(backend, async (db) => {
    const grids = await count(db, 'select count(*)::int as n from grids where valid_to is null');
    const points = await gridPoints(db, grids);
    const features: { id: string; coords: [number, number] }[] = points.map((p, i) => ({ id: `G${i + 1}`, coords: [p.x, p.y] }));
    features.push({ id: 'OUT', coords: [0.5, 0.5] }); // outside every grid, also with lon and lat exchanged
    features.push({ id: 'SWAP', coords: [points[3].y, points[3].x] }); // lat out of range; exchanged it lies in grid 4
    features.push({ id: 'G2', coords: [points[5].x, points[5].y] }); // duplicate of row 2
    const text = featureCollection(features);
    const byGrid = await importComponents(db, text, { ...HYDRANTS, source: 'test:by-grid', batch_size: features.length });
    const byRow = await importComponents(db, text, { ...HYDRANTS, source: 'test:by-row', batch_size: Math.floor(grids / 3) });
    expect(byGrid).toMatchObject({ rows: grids + 3, imported: grids, batches: 1 });
    expect(byRow).toMatchObject({ rows: grids + 3, imported: grids, batches: 4 });
    expect(byGrid.rejected.map((r) => [r.row, r.code])).toEqual([
      [grids + 1, 'outside_grids'], [grids + 2, 'swapped_coordinates'], [grids + 3, 'duplicate_source_id'],
    ]);
    expect(byGrid.rejected).toEqual(byRow.rejected);
    const placed = async (source: string) => (await db.query<{ id: string; grid_code: string; community_code: string; street_code: string }>(
      `select substr(source_id, length($1) + 2) as id, grid_code, community_code, street_code from components where source_id like $1 || ':%' order by 1`,
      [source])).rows.map(({ id, ...place }) => [id, place]);
    const expected = points.map((p, i) => [`G${i + 1}`, { grid_code: p.code, community_code: p.community_code, street_code: p.street_code }])
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(await placed('test:by-grid')).toEqual(expected);
    expect(await placed('test:by-row')).toEqual(expected);
    expect(await countMismatches(db)).toBe(0);
  }));

  test('per-grid counts stay right through an import and a re-import that moves components', () => withTestDb(backend, async (db) => {
    const here = await gridPoints(db, 20);
    const there = await gridPoints(db, 20, 100);
    expect(await countMismatches(db)).toBe(0);
    await importComponents(db, featureCollection(here.map((p, i) => ({ id: `H${i}`, coords: [p.x, p.y] }))), { ...HYDRANTS, survey_date: '2020-06-01' });
    expect(await countMismatches(db)).toBe(0);
    const moved = await importComponents(db, featureCollection(there.map((p, i) => ({ id: `H${i}`, coords: [p.x, p.y], props: { STATUS: '破损' } }))),
      { ...HYDRANTS, map: { status: 'STATUS' } });
    expect(moved).toMatchObject({ imported: 0, updated: 20, unchanged: 0 });
    expect(await countMismatches(db)).toBe(0);
    const { rows } = await db.query<{ grid_code: string; status: string; survey_date: string; change_date: string }>(
      `select grid_code, status, to_char(survey_date, 'YYYY-MM-DD') as survey_date, to_char(change_date, 'YYYY-MM-DD') as change_date
         from components where source_id = 'test:hydrants:H0'`);
    // The survey date stays (the file gives none); the change date is the day of the re-import.
    expect(rows[0]).toEqual({ grid_code: there[0].code, status: 'damaged', survey_date: '2020-06-01', change_date: '2026-03-01' });
  }));

  test('a CSV with broken rows imports the good ones and lists each bad one with its reason', () => withTestDb(backend, async (db) => {
    const report = await importComponents(db, fixture('broken-rows.csv'), {
      class_code: '01001', id_field: 'id', source: 'test:csv', map: { class_code: 'type', status: 'state', survey_date: 'surveyed', note: 'remark' },
    });
    expect(report).toMatchObject({ format: 'csv', rows: 18, imported: 5, updated: 0, rejected_total: 13 });
    expect(report.rejected.map((r) => [r.row, r.code])).toEqual([
      [5, 'no_geometry'], [6, 'invalid_coordinates'], [7, 'invalid_coordinates'], [8, 'swapped_coordinates'], [9, 'outside_grids'],
      [10, 'unknown_class'], [11, 'legacy_class'], [12, 'duplicate_source_id'], [13, 'invalid_status'], [14, 'invalid_date'],
      [15, 'missing_source_id'], [16, 'malformed_row'], [17, 'invalid_coordinates'],
    ]);
    const reason = (row: number) => report.rejected.find((r) => r.row === row)?.reason;
    expect(reason(8)).toMatch(/^lon\/lat swapped: latitude 116.416 is outside -90…90, and with lon and lat exchanged the point lies in grid 110101\d{9}$/);
    expect(reason(9)).toBe('outside the district: no current unit grid covers (116, 39.5)');
    expect(reason(11)).toBe('legacy component code 0101 has no 2026 mapping');
    expect(reason(12)).toBe('duplicate source id L-001 (first in row 1)');

    const { rows } = await db.query<{ source_id: string; class_code: string; status: string; note: string | null; grid_ok: boolean; attrs: Record<string, unknown> }>(
      `select c.source_id, c.class_code, c.status, c.note, c.attrs, coalesce(st_covers(g.geom, c.geom), false) as grid_ok
         from components c left join grids g on g.district_code = c.district_code and g.code = c.grid_code and g.valid_to is null
        where c.source_id like 'test:csv:%' order by c.source_id`); // a join: Citus refuses the correlated exists on grids
    expect(rows.map((r) => [r.source_id, r.class_code, r.status])).toEqual([
      ['test:csv:1101010101000123', '01001', 'missing'], ['test:csv:L-001', '01001', 'intact'], ['test:csv:L-002', '01002', 'damaged'],
      ['test:csv:L-003', '01001', 'damaged'], ['test:csv:L-004', '01013', 'intact'],
    ]);
    expect(rows.every((r) => r.grid_ok)).toBe(true);
    expect(rows[3].note).toBe('multi\nline note with "quotes"');
    expect(rows[0].attrs).toEqual({ legacy_id: '1101010101000123', legacy_class_code: '0101' });
  }));

  test('the real Cambridge hydrants: outside the Dongcheng fixture each is rejected as outside the district', () => withTestDb(backend, async (db) => {
    const report = await importComponents(db, fixture('cambridge-hydrants-slice.geojson'), {
      class_code: '01013', id_field: 'HYDRANT_ID', source: 'cambridge:hydrants', map: { status: 'LIFECYCLESTATUS' }, status_values: { MITFL: 'damaged' },
    });
    expect(report.imported).toBe(0);
    expect(report.rejected_by_code).toMatchObject({ outside_grids: { count: 37 }, missing_source_id: { count: 3 }, duplicate_source_id: { count: 2 } });
  }));

  test('the real Cambridge hydrants moved into the district import with their statuses and dates', () => withTestDb(backend, async (db) => {
    // Map the slice's bounding box onto the middle of the fixture district.
    const fc = JSON.parse(fixture('cambridge-hydrants-slice.geojson')) as { features: { geometry: { coordinates: [number, number] } }[] };
    const xs = fc.features.map((f) => f.geometry.coordinates[0]), ys = fc.features.map((f) => f.geometry.coordinates[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    for (const f of fc.features) {
      const [x, y] = f.geometry.coordinates;
      f.geometry.coordinates = [116.412 + ((x - x0) / (x1 - x0)) * 0.008, 39.921 + ((y - y0) / (y1 - y0)) * 0.014];
    }
    const opts: ImportOptions = {
      class_code: '01013', id_field: 'HYDRANT_ID', source: 'cambridge:hydrants',
      map: { status: 'LIFECYCLESTATUS', survey_date: 'INSTALLDATE' }, status_values: { MITFL: 'damaged' },
    };
    const report = await importComponents(db, JSON.stringify(fc), opts);
    expect(report).toMatchObject({ rows: 42, imported: 37, updated: 0 });
    expect(report.rejected.map((r) => [r.row, r.code])).toEqual([
      [38, 'missing_source_id'], [39, 'missing_source_id'], [40, 'duplicate_source_id'], [41, 'missing_source_id'], [42, 'duplicate_source_id'],
    ]);
    const { rows } = await db.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from components where source_id like 'cambridge:hydrants:%' group by status order by status`);
    expect(rows).toEqual([{ status: 'abandoned', n: 2 }, { status: 'damaged', n: 3 }, { status: 'intact', n: 32 }]);
    expect(await count(db, `select count(*)::int as n from components where source_id = 'cambridge:hydrants:PH6000' and survey_date = '1874-01-01'`)).toBe(1);
    expect((await importComponents(db, JSON.stringify(fc), opts))).toMatchObject({ imported: 0, updated: 37, unchanged: 37 });
  }));

  test('in-range coordinates given as lat, lon are reported as swapped when the swap lies in a grid', () => withTestDb(backend, async (db) => {
    // An extra grid far away, so that both orders of a point are valid WGS84 coordinates.
    const { rows: [c] } = await db.query<{ community_code: string }>('select community_code from grids order by code limit 1');
    await db.query(
      `insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
       values ($1 || '999', $1, left($1, 9), left($1, 6), st_multi(st_makeenvelope(30, 60, 31, 61, 4326)), 1, '2020-01-01')`, [c.community_code]);
    const report = await importComponents(db, featureCollection([{ id: 'S1', coords: [60.5, 30.5] }, { id: 'S2', coords: [50.5, 20.5] }]), HYDRANTS);
    expect(report.rejected).toEqual([
      { row: 1, code: 'swapped_coordinates', reason: `lon/lat swapped: (60.5, 30.5) is outside the district, but (30.5, 60.5) lies in grid ${c.community_code}999`,
        params: { value: '(60.5, 30.5)', grid: `${c.community_code}999` } },
      { row: 2, code: 'outside_grids', reason: 'outside the district: no current unit grid covers (50.5, 20.5)', params: { value: '(50.5, 20.5)' } },
    ]);
  }));

  test('invalid polygons are rejected before SQL; a valid one is placed by its point on surface', () => withTestDb(backend, async (db) => {
    const [p] = await gridPoints(db, 1);
    const d = 0.00005;
    const square = [[p.x - d, p.y - d], [p.x + d, p.y - d], [p.x + d, p.y + d], [p.x - d, p.y + d], [p.x - d, p.y - d]];
    const bowtie = [[p.x - d, p.y - d], [p.x + d, p.y + d], [p.x + d, p.y - d], [p.x - d, p.y + d], [p.x - d, p.y - d]];
    const text = JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square] }, properties: { ID: 'P1' } },
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: [bowtie] }, properties: { ID: 'P2' } },
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square.slice(0, 4)] }, properties: { ID: 'P3' } },
      { type: 'Feature', geometry: { type: 'GeometryCollection', geometries: [] }, properties: { ID: 'P4' } },
      { type: 'Feature', geometry: null, properties: { ID: 'P5' } },
    ] });
    const report = await importComponents(db, text, { ...HYDRANTS, class_code: '03005' });
    expect(report.imported).toBe(1);
    expect(report.rejected.map((r) => [r.row, r.code])).toEqual([[2, 'invalid_geometry'], [3, 'invalid_geometry'], [4, 'unsupported_geometry'], [5, 'no_geometry']]);
    const { rows } = await db.query<{ grid_code: string; t: string }>(`select grid_code, geometrytype(geom) as t from components where source_id = 'test:hydrants:P1'`);
    expect(rows[0]).toEqual({ grid_code: p.code, t: 'POLYGON' });
  }));

  test('a re-import cannot change the class of a component (its identifier embeds the class)', () => withTestDb(backend, async (db) => {
    const [p] = await gridPoints(db, 1);
    const text = featureCollection([{ id: 'K1', coords: [p.x, p.y] }]);
    await importComponents(db, text, HYDRANTS);
    const report = await importComponents(db, text, { ...HYDRANTS, class_code: '01001' });
    expect(report).toMatchObject({ imported: 0, updated: 0 });
    expect(report.rejected[0]).toMatchObject({ row: 1, code: 'class_changed', reason: expect.stringMatching(/^source id test:hydrants:K1 is already component 11010101013\d{6} of class 01013; a re-import cannot change its class to 01001/) });
  }));

  test('a byte stream cut inside multi-byte characters, in many small batches, imports the same as one string', () => withTestDb(backend, async (db) => {
    const points = await gridPoints(db, 25);
    const text = featureCollection(points.map((p, i) => ({ id: `U${i}`, coords: [p.x, p.y], props: { NOTE: `消防栓 ${i} 号 "东城"` } })));
    const bytes = Buffer.from(text, 'utf8');
    async function* chunks() { for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7); }
    const progress: number[] = [];
    const report = await importComponents(db, chunks(), { ...HYDRANTS, map: { note: 'NOTE' }, batch_size: 4, total_bytes: bytes.length, onProgress: (p) => progress.push(p.rows) });
    expect(report).toMatchObject({ imported: 25, batches: 7 });
    expect(progress.at(-1)).toBe(25);
    const { rows } = await db.query<{ note: string }>(`select note from components where source_id = 'test:hydrants:U12'`);
    expect(rows[0].note).toBe('消防栓 12 号 "东城"');
  }));

  test('a batch that fails leaves none of its rows; the batches before it stay', () => withTestDb(backend, async (db) => {
    const points = await gridPoints(db, 10);
    // Only four sequence numbers are left for (110101, 01013): the second batch of four cannot get ids.
    await db.query(`insert into component_sequences (district_code, class_code, last_seq) values ('110101', '01013', 999995)
                    on conflict (district_code, class_code) do update set last_seq = 999995`);
    const text = featureCollection(points.map((p, i) => ({ id: `F${i}`, coords: [p.x, p.y] })));
    await expect(importComponents(db, text, { ...HYDRANTS, batch_size: 4 })).rejects.toThrow();
    expect(await count(db, `select count(*)::int as n from components where source_id like 'test:hydrants:F%'`)).toBe(4);
    expect(await count(db, `select last_seq as n from component_sequences where district_code = '110101' and class_code = '01013'`)).toBe(999999);
    expect(await countMismatches(db)).toBe(0);
  }));

  test('with atomic, a failure leaves nothing of the whole import', () => withTestDb(backend, async (db) => {
    const points = await gridPoints(db, 10);
    await db.query(`insert into component_sequences (district_code, class_code, last_seq) values ('110101', '01013', 999995)
                    on conflict (district_code, class_code) do update set last_seq = 999995`);
    const text = featureCollection(points.map((p, i) => ({ id: `F${i}`, coords: [p.x, p.y] })));
    await expect(importComponents(db, text, { ...HYDRANTS, batch_size: 4, atomic: true })).rejects.toThrow();
    expect(await count(db, `select count(*)::int as n from components where source_id like 'test:hydrants:F%'`)).toBe(0);
  }));

  test('a truncated GeoJSON is refused; full batches before the cut stay, the unfinished one is not written', () => withTestDb(backend, async (db) => {
    const points = await gridPoints(db, 7);
    const text = featureCollection(points.map((p, i) => ({ id: `T${i}`, coords: [p.x, p.y] })));
    await expect(importComponents(db, text.slice(0, -10), { ...HYDRANTS, batch_size: 3 })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/truncated/) });
    expect(await count(db, `select count(*)::int as n from components where source_id like 'test:hydrants:T%'`)).toBe(6);
  }));
});

describe.each(testBackends())('POST /api/admin/import/components on %s', (backend) => {
  /** The route plugin on a bare app, with a stand-in requireRole that trusts an x-role header. */
  async function withImportApp<T>(fn: (app: ReturnType<typeof Fastify>, db: Queryable) => Promise<T>, opts: { auth?: boolean } = {}) {
    return withTestDb(backend, async (db) => {
      const app = Fastify();
      registerErrorHandler(app);
      if (opts.auth !== false) {
        app.decorate('requireRole', (...roles: string[]) => async (req: { headers: Record<string, unknown> }) => {
          if (!roles.includes(String(req.headers['x-role']))) throw new DomainError('forbidden', `needs ${roles.join(' or ')}`);
        });
      }
      await app.register(importRoutes, { deps: { db, config: testConfig() }, bodyLimit: 20_000 });
      try {
        return await fn(app, db);
      } finally {
        await app.close();
      }
    });
  }

  test('an admin imports CSV and gets imported, updated and the rejected rows with reasons', () => withImportApp(async (app) => {
    const res = await app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01001&id_field=id&source=http&map=class_code=type,status=state,survey_date=surveyed,note=remark',
      headers: { 'content-type': 'text/csv; charset=utf-8', 'x-role': 'admin' }, payload: fixture('broken-rows.csv'),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ imported: 5, updated: 0, rejected_total: 13 });
    expect(body.rejected[0]).toEqual({ row: 5, code: 'no_geometry', reason: 'no geometry: lon and lat are empty', reason_code: 'no_geometry', params: {} });
  }));

  test('an admin imports GeoJSON as application/geo+json; the same body again only updates', () => withImportApp(async (app, db) => {
    const points = await gridPoints(db, 5);
    const payload = featureCollection(points.map((p, i) => ({ id: `G${i}`, coords: [p.x, p.y] })));
    const post = () => app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID&source=http',
      headers: { 'content-type': 'application/geo+json', 'x-role': 'admin' }, payload,
    });
    expect((await post()).json()).toMatchObject({ imported: 5, updated: 0, rejected: [] });
    expect((await post()).json()).toMatchObject({ imported: 0, updated: 5, rejected: [] });
  }));

  test('application/json is read as GeoJSON too', () => withImportApp(async (app, db) => {
    const [p] = await gridPoints(db, 1);
    const res = await app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID',
      headers: { 'content-type': 'application/json', 'x-role': 'admin' }, payload: featureCollection([{ id: 'J1', coords: [p.x, p.y] }]),
    });
    expect(res.json()).toMatchObject({ imported: 1 });
  }));

  test('a caller without the admin role gets 403 and nothing is read', () => withImportApp(async (app) => {
    const res = await app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID',
      headers: { 'content-type': 'text/csv', 'x-role': 'dispatcher' }, payload: 'ID,lon,lat\n',
    });
    expect(res.statusCode).toBe(403);
  }));

  test('without an auth plugin the route refuses everyone with 403', () => withImportApp(async (app) => {
    const res = await app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID',
      headers: { 'content-type': 'text/csv', 'x-role': 'admin' }, payload: 'ID,lon,lat\n',
    });
    expect(res.statusCode).toBe(403);
  }, { auth: false }));

  test('a body over the limit is refused with 413 and nothing is imported', () => withImportApp(async (app, db) => {
    const [p] = await gridPoints(db, 1);
    const rows = Array.from({ length: 1000 }, (_, i) => `B${i},${p.x},${p.y}`).join('\n');
    const res = await app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID&source=big',
      headers: { 'content-type': 'text/csv', 'x-role': 'admin' }, payload: `ID,lon,lat\n${rows}\n`,
    });
    expect(res.statusCode).toBe(413);
    expect(await count(db, `select count(*)::int as n from components where source_id like 'big:%'`)).toBe(0);
  }));

  test('a bad default class, a missing column or a non-FeatureCollection is a 400', () => withImportApp(async (app) => {
    const post = (url: string, type: string, payload: string) => app.inject({ method: 'POST', url, headers: { 'content-type': type, 'x-role': 'admin' }, payload });
    const unknown = await post('/api/admin/import/components?class_code=01999&id_field=ID', 'text/csv', 'ID,lon,lat\n');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('unknown_class');
    const noColumn = await post('/api/admin/import/components?class_code=01013&id_field=NO', 'text/csv', 'ID,lon,lat\n1,116.41,39.92\n');
    expect(noColumn.statusCode).toBe(400);
    expect(noColumn.json().error.message).toMatch(/no column "NO"/);
    const feature = await post('/api/admin/import/components?class_code=01013&id_field=ID', 'application/geo+json', '{"type":"Feature","geometry":null,"properties":{}}');
    expect(feature.statusCode).toBe(400);
    const badMap = await post('/api/admin/import/components?class_code=01013&id_field=ID&map=colour=C', 'text/csv', 'ID,lon,lat\n');
    expect(badMap.statusCode).toBe(400);
  }));

  test('rows with a NUL character or deep nesting are rejected one by one, not a 500; the rest are imported (defect 5)', () => withImportApp(async (app, db) => {
    const points = await gridPoints(db, 4);
    const deep = `${'['.repeat(4000)}1${']'.repeat(4000)}`; // two of them stay under this app's 20,000-byte limit
    const f = (id: string, p: GridPoint, props = '{}', coords = `[${p.x},${p.y}]`) =>
      `{"type":"Feature","geometry":{"type":"Point","coordinates":${coords}},"properties":{"ID":"${id}","extra":${props}}}`;
    const payload = `{"type":"FeatureCollection","features":[${[
      f('N1', points[0], '"a\\u0000b"'), f('N2', points[1], deep), f('N3', points[2], '1', deep), f('N4', points[3]),
    ].join(',')}]}`;
    const res = await app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID&source=nul',
      headers: { 'content-type': 'application/geo+json', 'x-role': 'admin' }, payload,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ imported: 1, rejected_total: 3 });
    expect(res.json().rejected.map((r: { row: number; code: string }) => [r.row, r.code])).toEqual([[1, 'malformed_row'], [2, 'malformed_row'], [3, 'malformed_row']]);
    expect(res.json().rejected[0].reason).toMatch(/properties\.extra contains a NUL character/);
    expect(res.json().rejected[2].reason).toMatch(/geometry\.coordinates.* nested deeper than 32 levels/);
    const csv = await app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID&source=nulcsv',
      headers: { 'content-type': 'text/csv', 'x-role': 'admin' }, payload: `ID,lon,lat,NOTE\nC1,${points[0].x},${points[0].y},a\u0000b\nC2,${points[1].x},${points[1].y},ok\n`,
    });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.json()).toMatchObject({ imported: 1, rejected: [{ row: 1, code: 'malformed_row', reason: expect.stringMatching(/column NOTE contains a NUL/) }] });
    expect(await count(db, `select count(*)::int as n from components where source_id like 'nul%'`)).toBe(2);
  }));

  test('an empty body (no stream from fastify) is a 400 saying so, not a 500', () => withImportApp(async (app) => {
    for (const type of ['text/csv', 'application/geo+json']) {
      const res = await app.inject({ method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID', headers: { 'content-type': type, 'x-role': 'admin' } });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toMatch(/the input is empty/);
    }
  }));

  test('an unsupported content type is a 415', () => withImportApp(async (app) => {
    const res = await app.inject({
      method: 'POST', url: '/api/admin/import/components?class_code=01013&id_field=ID',
      headers: { 'content-type': 'application/xml', 'x-role': 'admin' }, payload: '<x/>',
    });
    expect(res.statusCode).toBe(415);
  }));
});
