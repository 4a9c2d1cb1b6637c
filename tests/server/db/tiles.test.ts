// Both sides of the tile seam (ST_AsMVT on PostgreSQL, JS encoding on PGlite) against the same expectations;
// on PostgreSQL the JS encoder also runs, so the two encoders are compared on the same rows.
import { describe, expect, test } from 'vitest';
import { renderTile, type Encoder } from '../../../server/db/tiles.js';
import type { Queryable } from '../../../server/db/types.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { decodeTile, tileOf } from '../../helpers/tiles.js';
import { importComponents } from '../../../server/services/import-components.js';
import { deleteBySource } from '../../../server/db/components.js';

const encodersOf = (b: Backend): Encoder[] => (b === 'postgres' ? ['postgis', 'js'] : ['js']);
const cases = testBackends().flatMap((b) => encodersOf(b).map((e) => [b, e] as const));

async function centre(db: Queryable) {
  const { rows } = await db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_centroid(st_collect(geom)) as p from grids) s`);
  return rows[0];
}

/** Codes of the grids overlapping the tile (not merely touching it). */
async function gridsInTile(db: Queryable, t: { z: number; x: number; y: number }) {
  const { rows } = await db.query<{ code: string }>(
    `select code from grids where valid_to is null and geom && st_transform(st_tileenvelope($1, $2, $3), 4326)
        and st_area(st_intersection(st_transform(geom, 3857), st_tileenvelope($1, $2, $3))) > 1`, [t.z, t.x, t.y]);
  return rows.map((r) => r.code);
}

describe.each(cases)('tiles on %s with the %s encoder', (backend, encoder) => {
  test('a z16 grid tile holds every grid overlapping it, as polygons inside the buffered extent', () => withTestDb(backend, async (db) => {
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, 16);
    const layers = decodeTile(await renderTile(db, 'grids', t.z, t.x, t.y, encoder));
    const codes = layers.grids.map((f) => f.properties.code as string);
    const expected = await gridsInTile(db, t);
    expect(expected.length).toBeGreaterThan(0);
    for (const code of expected) expect(codes).toContain(code);
    for (const f of layers.grids) {
      expect(f.type).toBe(3);
      expect(f.bbox[0]).toBeGreaterThanOrEqual(-64 - 1);
      expect(f.bbox[2]).toBeLessThanOrEqual(4096 + 64 + 1);
      expect(f.properties.community_code).toBe((f.properties.code as string).slice(0, 12));
    }
  }));

  test('a z17 component tile holds exactly the components inside it', () => withTestDb(backend, async (db) => {
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, 17);
    const layers = decodeTile(await renderTile(db, 'components', t.z, t.x, t.y, encoder));
    const { rows } = await db.query<{ id: string }>(
      `select id from components where st_intersects(st_transform(geom, 3857), st_tileenvelope($1, $2, $3))`, [t.z, t.x, t.y]);
    const got = new Set((layers.components ?? []).map((f) => f.properties.id));
    for (const r of rows) expect(got.has(r.id)).toBe(true);
    for (const f of layers.components ?? []) expect(f.properties.major_code).toBe((f.properties.class_code as string).slice(0, 2));
  }));

  test('a z14 component tile clusters per unit grid: each count is the grid\'s components', () => withTestDb(backend, async (db) => {
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, 14);
    const layers = decodeTile(await renderTile(db, 'components', t.z, t.x, t.y, encoder));
    const { rows } = await db.query<{ grid_code: string; n: number }>(
      `select grid_code, count(*)::int as n from components group by grid_code`);
    const truth = new Map(rows.map((r) => [r.grid_code, r.n]));
    expect(layers.components.length).toBeGreaterThan(0);
    for (const f of layers.components) {
      expect(f.type).toBe(1);
      expect(f.properties.cluster).toBe(true);
      expect(f.properties.count).toBe(truth.get(f.properties.grid_code as string));
    }
  }));

  test('a z8 component tile clusters per community and its counts add up to every component', () => withTestDb(backend, async (db) => {
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, 8); // the fixture district lies well inside one z8 tile
    const layers = decodeTile(await renderTile(db, 'components', t.z, t.x, t.y, encoder));
    const { rows } = await db.query<{ n: number; communities: number }>(
      `select count(*)::int as n, count(distinct community_code)::int as communities from components`);
    expect(layers.components.reduce((s, f) => s + Number(f.properties.count), 0)).toBe(rows[0].n);
    expect(layers.components.length).toBe(rows[0].communities);
  }));

  test('the cluster counts follow the writers of components: an import, a re-import moving it, a delete', () => withTestDb(backend, async (db) => {
    const { rows: [a, b] } = await db.query<{ code: string; x: number; y: number }>(
      'select code, st_x(p) as x, st_y(p) as y from (select code, st_pointonsurface(geom) as p from grids where valid_to is null order by code limit 2) g');
    const count = async (grid: string) => (await db.query<{ n: number }>(
      `select coalesce(sum(n), 0)::int as n from grid_component_counts where grid_code = $1`, [grid])).rows[0].n;
    const truth = async (grid: string) => (await db.query<{ n: number }>(
      'select count(*)::int as n from components where grid_code = $1', [grid])).rows[0].n;
    const at = (g: { x: number; y: number }) => JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', geometry: { type: 'Point', coordinates: [g.x, g.y] }, properties: { ID: 'T1' } }] });
    const opts = { class_code: '01037', id_field: 'ID', source: 'test:tiles', now: () => new Date('2026-03-01T04:00:00Z') };
    const [a0, b0] = [await count(a.code), await count(b.code)];
    expect(a0).toBe(await truth(a.code));
    await importComponents(db, at(a), opts);
    expect([await count(a.code), await count(b.code)]).toEqual([a0 + 1, b0]);
    await importComponents(db, at(b), opts);
    expect([await count(a.code), await count(b.code)]).toEqual([a0, b0 + 1]);
    await deleteBySource(db, 'test:tiles:%');
    expect([await count(a.code), await count(b.code)]).toEqual([a0, b0]);
  }));

  test('a low-zoom grid tile shows communities with their grid counts and stays under 500 KB', () => withTestDb(backend, async (db) => {
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, 11);
    const buf = await renderTile(db, 'grids', t.z, t.x, t.y, encoder);
    expect(buf.length).toBeLessThan(500_000);
    const layers = decodeTile(buf);
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from grids where valid_to is null`);
    const sum = layers.grids.reduce((s, f) => s + Number(f.properties.grid_count), 0);
    expect(layers.grids.every((f) => f.properties.aggregated === true)).toBe(true);
    expect(sum).toBeLessThanOrEqual(rows[0].n);
    expect(sum).toBeGreaterThan(0);
  }));

  test('the basemap has streets, communities and roads', () => withTestDb(backend, async (db) => {
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, 14);
    const layers = decodeTile(await renderTile(db, 'basemap', t.z, t.x, t.y, encoder));
    expect(layers.streets?.length).toBeGreaterThan(0);
    expect(layers.communities?.length).toBeGreaterThan(0);
    expect(typeof layers.communities[0].properties.name).toBe('string');
    expect(layers.roads?.length).toBeGreaterThan(0);
    expect(layers.roads[0].type).toBe(2);
  }));

  test('a tile far from the district is empty', () => withTestDb(backend, async (db) => {
    const t = tileOf(0, 0, 16);
    expect((await renderTile(db, 'grids', t.z, t.x, t.y, encoder)).length).toBe(0);
  }));
});

// Only where PostgreSQL is configured (CI sets TEST_DATABASE_URL); defined, not skipped, otherwise.
if (testBackends().includes('postgres')) describe('the two encoders agree on PostgreSQL', () => {
  test.each([['grids', 16], ['grids', 11], ['components', 17], ['components', 16], ['components', 14], ['components', 10], ['basemap', 14]] as const)(
    '%s at z%s: same features, same properties, geometry within 2 tile units', (set, z) => withTestDb('postgres', async (db) => {
      const c = await centre(db);
      const t = tileOf(c.lon, c.lat, z);
      const a = decodeTile(await renderTile(db, set, t.z, t.x, t.y, 'postgis'));
      const b = decodeTile(await renderTile(db, set, t.z, t.x, t.y, 'js'));
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const name of Object.keys(a)) {
        const key = (f: { properties: Record<string, unknown> }) => JSON.stringify(f.properties);
        const near = (f: { bbox: number[] }, g: { bbox: number[] }) => f.bbox.every((v, i) => Math.abs(v - g.bbox[i]) <= 2);
        expect(b[name].length).toBe(a[name].length);
        const unused = new Set(b[name]);
        for (const f of a[name]) {
          // clusters can share properties, so match each feature to an unused one with the same key and place
          const g = [...unused].find((c) => key(c) === key(f) && near(f, c));
          expect(g, `${name} ${key(f)} at ${f.bbox}`).toBeDefined();
          unused.delete(g!);
        }
      }
    }),
  );
});

// ---------------------------------------------------------------------------------------------------------------
// The cases layer: points from z16, clusters per grid and per community below, no personal data.

/** 120 cases around the district's centre grids (inserted in the rolled-back transaction), a few with a red light. */
async function seedTileCases(db: Queryable): Promise<void> {
  await db.query(
    // The 12 grids nearest the district's centre read first (a materialized CTE): Citus refuses a lateral subquery
    // with a limit on the distributed grids from generate_series.
    `with gs as materialized (select code, geom, district_code, street_code, community_code, valid_to from grids),
     near as (select gs.*, row_number() over (order by st_distance(st_centroid(gs.geom), (select st_centroid(st_collect(geom)) from gs)), gs.code) - 1 as k
                from gs where gs.valid_to is null)
     insert into cases (case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code,
                        trail_head, created_at, updated_at, reporter_name, reporter_phone, description, yellow_at, red_at)
     select g.district_code || 'TILE-' || i, case when i % 4 = 0 then 'closed' else 'handling' end, (array['inspector', 'public', 'hotline'])[1 + i % 3],
            'event', case when i % 2 = 0 then '06010' else (select min(code) from classes where kind = 'matter' and major_code = '07') end,
            st_pointonsurface(g.geom), g.district_code, g.street_code, g.community_code, g.code, repeat('0', 64),
            timestamptz '2026-03-01 00:00+08' + (i || ' hours')::interval, now(), '张三', '13800000000', 'secret text',
            case when i % 4 <> 0 then (case when i % 5 = 0 then timestamptz '2026-03-10 00:00+08' else timestamptz '2026-05-01 00:00+08' end) end,
            case when i % 4 <> 0 then (case when i % 5 = 0 then timestamptz '2026-03-11 00:00+08' else timestamptz '2026-06-01 00:00+08' end) end
       from generate_series(1, 120) i
       join near g on g.k = i % 12`);
}

const NOW = { now: new Date('2026-03-20T02:00:00Z') };

describe.each(cases)('the cases tile layer on %s with the %s encoder', (backend, encoder) => {
  test('a z16 tile holds exactly the cases inside it, with their light and no personal data', () => withTestDb(backend, async (db) => {
    await seedTileCases(db);
    const { rows: [red] } = await db.query<{ lon: number; lat: number }>(`select st_x(geom) as lon, st_y(geom) as lat from cases where substr(case_no, 7) = 'TILE-5'`);
    const t = tileOf(red.lon, red.lat, 16); // the tile of a red case (its grid also holds green and closed ones)
    const { rows } = await db.query<{ id: string; light: string | null }>(
      `select id::text as id, case when red_at is null or status in ('closed', 'void', 'suspended') then null
                                   when $4::timestamptz > red_at then 'red' when $4::timestamptz > yellow_at then 'yellow' else 'green' end as light
         from cases where case_no like '______TILE-%' and st_intersects(st_transform(geom, 3857), st_tileenvelope($1, $2, $3))`,
      [t.z, t.x, t.y, NOW.now]);
    expect(rows.length).toBeGreaterThan(0);
    const layers = decodeTile(await renderTile(db, 'cases', t.z, t.x, t.y, encoder, NOW));
    const got = new Map(layers.cases.map((f) => [f.properties.id as string, f]));
    for (const r of rows) {
      const f = got.get(r.id);
      expect(f, r.id).toBeDefined();
      expect(f!.type).toBe(1);
      expect(f!.properties.light ?? null).toBe(r.light);
    }
    expect(rows.some((r) => r.light === 'red') && rows.some((r) => r.light === 'green')).toBe(true);
    for (const f of layers.cases) {
      for (const k of Object.keys(f.properties)) expect(['id', 'case_no', 'status', 'class_code', 'light', 'origin', 'created_at']).toContain(k);
      expect(f.properties.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(f.properties.origin).toBe('live');
    }
  }));

  test('a z14 tile clusters per unit grid: each count, open and red count is the grid\'s', () => withTestDb(backend, async (db) => {
    await seedTileCases(db);
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, 14);
    const layers = decodeTile(await renderTile(db, 'cases', t.z, t.x, t.y, encoder, NOW));
    const { rows } = await db.query<{ grid_code: string; n: number; open: number; red: number }>(
      `select grid_code, count(*)::int as n, count(*) filter (where status not in ('closed', 'void'))::int as open,
              count(*) filter (where status not in ('closed', 'void', 'suspended') and red_at < $1)::int as red
         from cases group by grid_code`, [NOW.now]);
    const truth = new Map(rows.map((r) => [r.grid_code, r]));
    expect(layers.cases.length).toBeGreaterThan(0);
    for (const f of layers.cases) {
      const r = truth.get(f.properties.grid_code as string)!;
      expect(f.properties).toMatchObject({ cluster: true, count: r.n, open: r.open, red: r.red });
    }
  }));

  test('a z8 tile has one cluster per community; with from/to, class and channel it counts only those cases', () => withTestDb(backend, async (db) => {
    await seedTileCases(db);
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, 8);
    const all = decodeTile(await renderTile(db, 'cases', t.z, t.x, t.y, encoder, NOW));
    const { rows: [n] } = await db.query<{ n: number; communities: number }>(
      'select count(*)::int as n, count(distinct community_code)::int as communities from cases');
    expect(all.cases.reduce((s, f) => s + Number(f.properties.count), 0)).toBe(n.n);
    expect(all.cases.length).toBe(n.communities);
    const filter = { ...NOW, start: new Date('2026-03-02T00:00:00+08:00'), end: new Date('2026-03-04T00:00:00+08:00'), class_code: '06010', channel: 'public' };
    const some = decodeTile(await renderTile(db, 'cases', t.z, t.x, t.y, encoder, filter));
    const { rows: [m] } = await db.query<{ n: number }>(
      `select count(*)::int as n from cases where created_at >= $1 and created_at < $2 and class_code = '06010' and source = 'public'`,
      [filter.start, filter.end]);
    expect(m.n).toBeGreaterThan(0);
    expect(some.cases.reduce((s, f) => s + Number(f.properties.count), 0)).toBe(m.n);
  }));
});

if (testBackends().includes('postgres')) describe('the two encoders agree on the cases layer on PostgreSQL', () => {
  test.each([16, 14, 10])('cases at z%s: same features and properties', (z) => withTestDb('postgres', async (db) => {
    await seedTileCases(db);
    const c = await centre(db);
    const t = tileOf(c.lon, c.lat, z);
    const a = decodeTile(await renderTile(db, 'cases', t.z, t.x, t.y, 'postgis', NOW));
    const b = decodeTile(await renderTile(db, 'cases', t.z, t.x, t.y, 'js', NOW));
    const key = (f: { properties: Record<string, unknown>; bbox: number[] }) => JSON.stringify(f.properties) + f.bbox.map((v) => Math.round(v / 4)).join(',');
    expect(a.cases.length).toBeGreaterThan(0);
    expect(b.cases.map(key).sort()).toEqual(a.cases.map(key).sort());
  }));
});
